"""Helpers shared by the tests and the benchmarks (never installed): a free loopback port, a freshly
generated dataset, and `medisynth serve` started in a subprocess and stopped again."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path
from collections.abc import Iterator

import requests

ROOT = Path(__file__).resolve().parent.parent
TEST_BENEFICIARIES = 40
TEST_SEED = 7


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generate_dataset(out: Path, beneficiaries: int = TEST_BENEFICIARIES, seed: int = TEST_SEED,
                     gzip: bool = False) -> Path:
    """Generate a dataset with the real generator (`medisynth generate … --quiet`) into `out`."""
    from generator.run import GenerateOptions, generate

    generate(GenerateOptions(profile="default", beneficiaries=beneficiaries, seed=seed, out=out, gzip=gzip,
                             progress=False, workers=1))
    return out


def start_server(db: Path, port: int, workers: int = 2, log=None, options: tuple[str, ...] = (),
                 host: str = "127.0.0.1") -> subprocess.Popen:
    """`medisynth serve` on host:port in a subprocess, returned once /health answers; `log`, an open
    file, receives its stdout and stderr; `options` are more `serve` options."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--db", str(db), "--host", host,
                             "--port", str(port), "--workers", str(workers), *options], cwd=ROOT,
                            stdout=log or subprocess.DEVNULL, stderr=log or subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code in (200, 503):
                return proc
        except requests.RequestException:  # not listening yet, or too busy to answer within the second
            time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError("server did not answer /health within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def small_tmpfs(mount_point: Path, size: str) -> Iterator[Path | None]:
    """A tmpfs of `size` (e.g. "6m") mounted at `mount_point` while the block runs; yields None when it cannot
    be mounted here (mount needs root), so the caller can skip."""
    mount_point.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        yield None
        return
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)
