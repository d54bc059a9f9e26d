"""Load test: 64 concurrent clients walk the whole OAuth + FHIR flow against a real `medisynth serve` on loopback.

Each client loops for the duration: open the authorize URL, log in, consent, exchange the code (PKCE),
page through every ExplanationOfBenefit (`_count=50`, following `next`), refresh the token. Meanwhile
`--exports` backend-services clients each run whole-dataset bulk exports back to back (kick-off, poll,
download every file). Prints requests/s, p50/p99 latency, errors, exports completed, and the server's
memory (RSS of master + workers) and open file descriptors (/proc/<pid>/fd) after warm-up and at the end.
Exit status 1 on any error.

    .venv/bin/python bench/load.py [--db STORE | --data DATASET_DIR] [--clients 64] [--duration 60] \
[--exports 2] [--workers N]

Without --db/--data it generates a 100-beneficiary dataset in a temporary directory first.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

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


ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
EXPORT_HEADERS = {"Accept": "application/fhir+json", "Prefer": "respond-async"}


def backend_client(db: Path, workdir: Path) -> tuple[str, RSAKey]:
    """A backend-services app registered with `medisynth apps create --jwks`, and its private key."""
    key = RSAKey.generate_key(2048)
    key.ensure_kid()
    jwks = workdir / f"jwks-{uuid.uuid4().hex}.json"
    jwks.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "apps", "create", "--name", "Load export client",
                          "--jwks", str(jwks), "--json", "--db", str(db)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["client_id"], key


def system_token(base_url: str, client_id: str, key: RSAKey) -> str:
    token_url = f"{base_url}/v2/o/token/"
    claims = {"iss": client_id, "sub": client_id, "aud": token_url, "exp": int(time.time()) + 240,
              "jti": uuid.uuid4().hex}
    assertion = jwt.encode({"alg": "RS384", "kid": key.kid}, claims, key, algorithms=["RS384"])
    return requests.post(token_url, data={"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                                          "client_assertion": assertion,
                                          "scope": "system/*.read"}).json()["access_token"]


def export_loop(base_url: str, client: tuple[str, RSAKey], stop_at: float, rec: Recorder, done: list) -> None:
    """One backend client: whole-dataset exports, one after another, until `stop_at`."""
    session = requests.Session()
    session.hooks["response"].append(rec.hook)
    while time.monotonic() < stop_at:
        try:
            headers = {"Authorization": f"Bearer {system_token(base_url, *client)}"}
            kick = session.get(f"{base_url}/v2/fhir/Group/all/$export", headers={**headers, **EXPORT_HEADERS})
            status_url = kick.headers["Content-Location"]
            while (polled := session.get(status_url, headers=headers)).status_code == 202:
                time.sleep(0.2)
            for item in polled.json()["output"]:
                with session.get(item["url"], headers=headers, stream=True) as response:
                    lines = sum(chunk.count(b"\n") for chunk in response.iter_content(1 << 20))
                if lines != item["count"]:
                    raise AssertionError(f"{item['url']}: {lines} lines, manifest says {item['count']}")
            done.append(1)
        except Exception as e:
            with rec.lock:
                rec.errors.append(f"export: {type(e).__name__}: {e}")
            return


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
    parser.add_argument("--exports", type=int, default=2, help="backend clients exporting all the while")
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
    exporters = [backend_client(db, tmp) for _ in range(args.exports)]
    rec, exports_done = Recorder(), []
    try:
        started = time.monotonic()
        stop_at = started + args.duration
        threads = [threading.Thread(target=client_loop, args=(oauth, app, n, stop_at, rec), daemon=True)
                   for n in range(args.clients)]
        threads += [threading.Thread(target=export_loop, args=(oauth.base_url, client, stop_at, rec, exports_done),
                                     daemon=True) for client in exporters]
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
    print(f"bulk exports completed: {len(exports_done)} by {args.exports} backend clients")
    print(f"errors: {len(rec.errors)}" + "".join(f"\n  {e}" for e in rec.errors[:10]))
    print(f"server RSS {warm[0] / 2**20:.1f} MiB after warm-up → {end[0] / 2**20:.1f} MiB at the end; "
          f"open fds {warm[1]} → {end[1]}")
    return 1 if rec.errors else 0


if __name__ == "__main__":
    sys.exit(main())
