"""Benchmark the sandbox: an authenticated 50-entry EOB page under gunicorn vs a bare WSGI app with the same bytes.

Both run under the same server (sandbox.server.run_wsgi: gunicorn gthread, one worker per core) and are
loaded by wrk with 32 connections, in alternating rounds so that other load on the machine hits both
alike. Prints the median requests/s, p50 and p99 of each and the sandbox/bare ratio. With --gzip both are
asked for gzip (the bare app returns the sandbox's gzip bytes).

    .venv/bin/python bench/serve.py [--db STORE | --data DATASET_DIR] [--duration 5] [--rounds 3] [--connections 32]
                                    [--gzip]

Without --db/--data it generates a 300-beneficiary dataset in a temporary directory first.
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EOB_PAGE = "/v2/fhir/ExplanationOfBenefit/?_count=50"


def bare_app(body: bytes, gzipped: bool):
    """The floor: a WSGI app that returns `body` with the same content type (and encoding) and nothing else."""
    headers = [("Content-Type", "application/fhir+json"), ("Content-Length", str(len(body)))]
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))

    def app(environ, start_response):
        start_response("200 OK", headers)
        return [body]
    return app


def wait_until_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def wrk(url: str, token: str | None, connections: int, duration: int, gzipped: bool) -> dict:
    """Run wrk; requests/s and p50/p99 latency in ms."""
    cmd = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
    if gzipped:
        cmd[1:1] = ["-H", "Accept-Encoding: gzip"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(pct: str) -> float:
        value, suffix = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * unit[suffix]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": latency("50"),
            "p99": latency("99"), "non2xx": int(errors.group(1)) if errors else 0}


def median_result(results: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def prepare_store(args, workdir: Path) -> Path:
    from sandbox.store import load_dataset

    if args.db:
        return args.db
    data = args.data
    if data is None:
        from generator.run import GenerateOptions, generate

        data = workdir / "data"
        print(f"Generating {args.beneficiaries} beneficiaries…", flush=True)
        generate(GenerateOptions(profile="default", beneficiaries=args.beneficiaries, seed=1, out=data, progress=False))
    db = workdir / "bench.db"
    print(load_dataset(data, db), flush=True)
    return db


def richest_patient(db: Path) -> tuple[str, int]:
    from sandbox.store import connect

    conn = connect(db)
    row = conn.execute("SELECT patient_id, count(*) n FROM eob GROUP BY patient_id ORDER BY n DESC LIMIT 1").fetchone()
    conn.close()
    return row[0], row[1]


def run_server(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *argv], cwd=ROOT, stdout=subprocess.DEVNULL)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=20)


def store_arguments(description: str) -> argparse.ArgumentParser:
    """A parser with the store a benchmark serves: --db STORE, --data DATASET_DIR, or a generated --beneficiaries."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--beneficiaries", type=int, default=300)
    return parser


def main() -> None:
    parser = store_arguments(__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per round and server")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--gzip", action="store_true", help="ask both servers for gzip")
    parser.add_argument("--bare-body", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    from sandbox.server import run_wsgi

    if args.bare_body:  # child mode: serve the bare app
        body = args.bare_body.read_bytes()
        run_wsgi(lambda: bare_app(body, args.gzip), "127.0.0.1", args.port, args.workers)
        return

    from sandbox.auth.tokens import issue_test_token
    from support.live import free_port

    workdir = Path(tempfile.mkdtemp(prefix="medisynth-bench-"))
    try:
        db = prepare_store(args, workdir)
        patient, claims = richest_patient(db)
        token = issue_test_token(db, patient)
        workers = ["--workers", str(args.workers)] if args.workers else []

        sandbox_port, bare_port = free_port(), free_port()
        sandbox = run_server([str(ROOT / "cli.py"), "serve", "--db", str(db), "--port", str(sandbox_port), *workers])
        url = f"http://127.0.0.1:{sandbox_port}{EOB_PAGE}"
        try:
            wait_until_up(f"http://127.0.0.1:{sandbox_port}/health", sandbox)
            encoding = "gzip" if args.gzip else "identity"
            response = requests.get(url, headers={"Authorization": f"Bearer {token}", "Accept-Encoding": encoding},
                                    timeout=10, stream=True)
            body = response.raw.read()
            (workdir / "body.json").write_bytes(body)
            bare = run_server([__file__, "--bare-body", str(workdir / "body.json"), "--port", str(bare_port), *workers,
                               *(["--gzip"] if args.gzip else [])])
            bare_url = f"http://127.0.0.1:{bare_port}{EOB_PAGE}"
            try:
                wait_until_up(bare_url, bare)
                rounds = [(wrk(url, token, args.connections, args.duration, args.gzip),
                           wrk(bare_url, None, args.connections, args.duration, args.gzip)) for _ in range(args.rounds)]
            finally:
                stop(bare)
        finally:
            stop(sandbox)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    measured, floor = (median_result([r[side] for r in rounds]) for side in (0, 1))
    print(f"EOB page: patient {patient} ({claims} claims), {len(body):,} bytes{' gzip' if args.gzip else ''}, "
          f"{args.connections} connections, "
          f"medians of {args.rounds} alternating rounds of {args.duration} s")
    for name, r in (("sandbox (auth + SQLite + Bundle)", measured), ("bare WSGI, same bytes", floor)):
        print(f"  {name:34s} {r['rps']:8.1f} req/s   p50 {r['p50']:6.1f} ms   p99 {r['p99']:6.1f} ms"
              + (f"   non-2xx {r['non2xx']}" if r["non2xx"] else ""))
    print(f"  ratio sandbox/bare: {measured['rps'] / floor['rps']:.2f}")


if __name__ == "__main__":
    main()
