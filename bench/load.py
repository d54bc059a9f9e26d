"""Load test: 64 concurrent clients walk the whole OAuth + FHIR flow against a real `medisynth serve` on loopback.

Each client loops for the duration: open the authorize URL, log in, consent, exchange the code (PKCE),
page through every ExplanationOfBenefit (`_count=50`, following `next`), refresh the token. Prints
requests/s, p50/p99 latency, errors, and the server's memory (RSS of master + workers) and open file
descriptors (/proc/<pid>/fd) after warm-up and at the end. Exit status 1 on any error.

    .venv/bin/python bench/load.py [--db STORE | --data DATASET_DIR] [--clients 64] [--duration 60] [--workers N]

Without --db/--data it generates a 100-beneficiary dataset in a temporary directory first.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cms_bluebutton.auth import generate_auth_data  # noqa: E402

from support.live import free_port, generate_dataset, start_server, stop_server  # noqa: E402
from support.oauth_flow import Browser, OAuthHelper  # noqa: E402

WARM_UP_SECONDS = 10


class Recorder:
    """Latencies (seconds to response headers) and failures of every HTTP request, from all clients."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def hook(self, resp, *args, **kwargs):
        with self.lock:
            self.latencies.append(resp.elapsed.total_seconds())
            if resp.status_code >= 400:
                self.errors.append(f"{resp.status_code} {resp.request.method} {resp.url[:120]}")


def client_loop(oauth: OAuthHelper, app, n_login: int, stop_at: float, rec: Recorder) -> None:
    """One client: the whole flow, again and again, until `stop_at`."""
    login = oauth.login(n_login)
    while time.monotonic() < stop_at:
        browser = Browser(oauth.base_url)
        browser.session.hooks["response"].append(rec.hook)
        try:
            auth_data = generate_auth_data()
            callback = browser.authorize(oauth.authorize_url(app, auth_data), login)
            token_url, auth = f"{oauth.base_url}/v2/o/token/", (app.client_id, app.client_secret)
            tokens = browser.session.post(token_url, auth=auth, data={
                "grant_type": "authorization_code", "code": callback["code"], "redirect_uri": app.redirect_uri,
                "code_verifier": auth_data["verifier"]}).json()
            headers = {"Authorization": f"Bearer {tokens['access_token']}"}
            url = f"{oauth.base_url}/v2/fhir/ExplanationOfBenefit?_count=50"
            while url:
                bundle = browser.session.get(url, headers=headers).json()
                url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
            browser.session.post(token_url, auth=auth, data={"grant_type": "refresh_token",
                                                             "refresh_token": tokens["refresh_token"]}).json()
        except Exception as e:  # a broken flow is an error to report, not a reason to stop the others
            with rec.lock:
                rec.errors.append(f"{type(e).__name__}: {e}")
        finally:
            browser.session.close()


def server_usage(pid: int) -> tuple[int, int]:
    """(RSS bytes, open fds) of the server process and its children."""
    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    return sum(p.memory_info().rss for p in procs), sum(p.num_fds() for p in procs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="medisynth-load-"))
    db = args.db or tmp / "sandbox.db"
    if args.db is None:
        from sandbox.store import load_dataset
        print(load_dataset(args.data or generate_dataset(tmp / "data", beneficiaries=100), db))
    port = free_port()
    proc = start_server(db, port, workers=args.workers or psutil.cpu_count() or 1)
    oauth = OAuthHelper(f"http://127.0.0.1:{port}", db)
    app = oauth.register()
    rec = Recorder()
    try:
        started = time.monotonic()
        stop_at = started + args.duration
        threads = [threading.Thread(target=client_loop, args=(oauth, app, n, stop_at, rec), daemon=True)
                   for n in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(min(WARM_UP_SECONDS, args.duration / 3))
        warm = server_usage(proc.pid)
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        end = server_usage(proc.pid)
    finally:
        stop_server(proc)
        shutil.rmtree(tmp, ignore_errors=True)

    lat = sorted(rec.latencies)
    p = lambda q: lat[min(int(q * len(lat)), len(lat) - 1)] * 1000  # noqa: E731
    print(f"{args.clients} clients, {elapsed:.0f} s: {len(lat):,} requests, {len(lat) / elapsed:,.0f} requests/s, "
          f"p50 {p(0.50):.1f} ms, p99 {p(0.99):.1f} ms, max {lat[-1] * 1000:.0f} ms, mean "
          f"{statistics.fmean(lat) * 1000:.1f} ms")
    print(f"errors: {len(rec.errors)}" + "".join(f"\n  {e}" for e in rec.errors[:10]))
    print(f"server RSS {warm[0] / 2**20:.1f} MiB after warm-up → {end[0] / 2**20:.1f} MiB at the end; "
          f"open fds {warm[1]} → {end[1]}")
    return 1 if rec.errors else 0


if __name__ == "__main__":
    sys.exit(main())
