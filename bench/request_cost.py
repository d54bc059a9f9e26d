"""Benchmark the sandbox's own work per request: the WSGI app called in-process (no sockets, no server).

Authenticates as the store's richest patient and asks for one 50-entry EOB page again and again, the way
`bench/serve.py` does over HTTP, and prints the app's CPU time per request (the thread's CPU clock; the
minimum and median of the rounds, since other load on the machine only ever adds). This is the part of
`bench/serve.py`'s gap to the bare app that the sandbox's code decides; run it before and after a change.

    .venv/bin/python bench/request_cost.py [--db STORE | --data DATASET_DIR] [--requests 500] [--rounds 15] [--gzip]
"""
from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import EOB_PAGE, prepare_store, richest_patient, store_arguments  # noqa: E402


def main() -> None:
    parser = store_arguments(__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per round")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--gzip", action="store_true", help="ask for gzip")
    args = parser.parse_args()

    from werkzeug.test import EnvironBuilder

    from sandbox.app import create_app
    from sandbox.auth.tokens import issue_test_token

    workdir = Path(tempfile.mkdtemp(prefix="medisynth-bench-"))
    try:
        db = prepare_store(args, workdir)
        patient, claims = richest_patient(db)
        headers = {"Authorization": f"Bearer {issue_test_token(db, patient)}"}
        if args.gzip:
            headers["Accept-Encoding"] = "gzip"
        app = create_app({"DB_PATH": str(db)})
        path, _, query = EOB_PAGE.partition("?")
        environ = EnvironBuilder(path=path, query_string=query, base_url="http://127.0.0.1:8000",
                                 headers=headers).get_environ()

        def request() -> int:
            status: list[str] = []
            body = app(dict(environ), lambda line, _headers, _exc=None: status.append(line))
            size = sum(map(len, body))
            body.close()
            if not status[0].startswith("200"):
                raise SystemExit(f"the page answered {status[0]}")
            return size

        size = request()
        for _ in range(args.requests // 5):  # warm the page cache and the code paths
            request()
        rounds = []
        for _ in range(args.rounds):
            start = time.thread_time()
            for _ in range(args.requests):
                request()
            rounds.append((time.thread_time() - start) / args.requests * 1e6)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"EOB page: patient {patient} ({claims} claims), {size:,} bytes{' gzip' if args.gzip else ''}, "
          f"{args.rounds} rounds of {args.requests} requests in-process")
    print(f"  CPU per request: min {min(rounds):.0f} µs, median {statistics.median(rounds):.0f} µs")


if __name__ == "__main__":
    main()
