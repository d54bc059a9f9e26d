"""Shared fixtures: a freshly generated small dataset, a store with it loaded, and the real server on loopback.

`dataset_dir` → `db_path` → `live_server` (gunicorn via `medisynth serve`, on a free port). All session-scoped:
tests must not change the dataset tables; they may add their own apps and tokens. `oauth` and `browser` walk
the OAuth flow against the live server (tests/oauth_flow.py).
"""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
TEST_BENEFICIARIES = 40
TEST_SEED = 7


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generate_dataset(out: Path, beneficiaries: int = TEST_BENEFICIARIES, seed: int = TEST_SEED, gzip: bool = False) -> Path:
    """Generate a dataset with the real generator (`medisynth generate … --quiet`) into `out`."""
    from generator.run import GenerateOptions, generate

    generate(GenerateOptions(profile="default", beneficiaries=beneficiaries, seed=seed, out=out, gzip=gzip,
                             progress=False, workers=1))
    return out


@pytest.fixture(scope="session")
def dataset_dir(tmp_path_factory) -> Path:
    return generate_dataset(tmp_path_factory.mktemp("dataset") / "data")


@pytest.fixture(scope="session")
def db_path(tmp_path_factory, dataset_dir) -> Path:
    from sandbox.store import load_dataset

    db = tmp_path_factory.mktemp("store") / "sandbox.db"
    load_dataset(dataset_dir, db)
    return db


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    db_path: Path


def start_server(db: Path, port: int, workers: int = 2, log=None) -> subprocess.Popen:
    """`medisynth serve` on 127.0.0.1:port in a subprocess, returned once /health answers; `log`, an open
    file, receives its stdout and stderr."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--db", str(db), "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers)], cwd=ROOT,
                            stdout=log or subprocess.DEVNULL, stderr=log or subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("server did not answer /health within 30 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def live_server(db_path):
    port = free_port()
    proc = start_server(db_path, port)
    try:
        yield LiveServer(base_url=f"http://127.0.0.1:{port}", db_path=db_path)
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def oauth(live_server):
    from tests.oauth_flow import OAuthHelper

    return OAuthHelper(live_server.base_url, live_server.db_path)


@pytest.fixture
def browser(oauth):
    from tests.oauth_flow import Browser

    return Browser(oauth.base_url)
