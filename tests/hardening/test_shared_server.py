"""A server many clients share: slow-header (slowloris) connections and simulated latency do not hold up
other clients, slow connections are cut at the read deadline, and only apps that opted in may ask for
faults with the header."""
from __future__ import annotations

import socket
import threading
import time

import requests

from sandbox.faults import MAX_SLEEPING
from sandbox.server import REQUEST_READ_SECONDS
from tests.beyond.conftest import medisynth
import contextlib

SLOW_SOCKETS = 8  # four times what the old 2 workers × 1 thread could hold


def _slowloris(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    return sock


def test_slow_header_connections_do_not_block_others_and_are_cut(server):
    socks = [_slowloris(server.port) for _ in range(SLOW_SOCKETS)]
    stop = threading.Event()

    def trickle():
        while not stop.wait(1):
            for s in socks:
                with contextlib.suppress(OSError):
                    s.send(b"x")

    dripper = threading.Thread(target=trickle)
    dripper.start()
    try:
        for _ in range(3):
            assert requests.get(f"{server.base_url}/health", timeout=5).json() == {"message": "all's well"}
        for s in socks:  # the server gives up on each at its read deadline and closes it
            s.settimeout(REQUEST_READ_SECONDS + 15)
            while True:
                try:
                    data = s.recv(4096)
                except ConnectionResetError:
                    break
                if not data:
                    break
    finally:
        stop.set()
        dripper.join()
        for s in socks:
            s.close()
    assert requests.get(f"{server.base_url}/health", timeout=5).status_code == 200


def test_simulated_latency_is_bounded_and_blocks_no_one_else(server):
    oauth = server.oauth
    slow_app, other_app = oauth.register(), oauth.register()
    assert medisynth("apps", "fault", slow_app.client_id, "--allow-header", "--db", str(server.db_path)).returncode == 0
    slow = oauth.tokens_for(slow_app, oauth.login(0))["access_token"]
    other = oauth.tokens_for(other_app, oauth.login(1))["access_token"]
    many = 2 * MAX_SLEEPING + 4  # more than both workers may hold asleep
    results: list[int] = []

    def sleepy():
        response = requests.get(f"{server.base_url}/v2/fhir/Patient/", timeout=60, headers={
            "Authorization": f"Bearer {slow}", "X-Medisynth-Fault": "latency=6000"})
        results.append(response.status_code)

    threads = [threading.Thread(target=sleepy) for _ in range(many)]
    for t in threads:
        t.start()
    time.sleep(1)  # let them arrive
    try:
        for _ in range(3):  # meanwhile everyone else is served
            response = requests.get(f"{server.base_url}/v2/fhir/Patient/", timeout=5,
                                    headers={"Authorization": f"Bearer {other}"})
            assert response.status_code == 200
            assert requests.get(f"{server.base_url}/health", timeout=5).status_code == 200
    finally:
        for t in threads:
            t.join()
    assert sorted(set(results)) == [200, 429] and results.count(200) <= 2 * MAX_SLEEPING


def test_the_fault_header_needs_the_apps_consent(server):
    oauth = server.oauth
    app = oauth.register()
    token = oauth.tokens_for(app, oauth.login(2))["access_token"]
    for spec in ("latency=8000", "503"):
        refused = requests.get(f"{server.base_url}/v2/fhir/Patient/", timeout=5,
                               headers={"Authorization": f"Bearer {token}", "X-Medisynth-Fault": spec})
        assert refused.status_code == 400 and "--allow-header" in refused.json()["detail"]
    assert medisynth("apps", "fault", app.client_id, "--allow-header", "--db", str(server.db_path)).returncode == 0
    allowed = requests.get(f"{server.base_url}/v2/fhir/Patient/",
                           headers={"Authorization": f"Bearer {token}", "X-Medisynth-Fault": "503"})
    assert allowed.status_code == 503
    assert medisynth("apps", "fault", app.client_id, "--deny-header", "--db", str(server.db_path)).returncode == 0
    assert requests.get(f"{server.base_url}/v2/fhir/Patient/", headers={
        "Authorization": f"Bearer {token}", "X-Medisynth-Fault": "503"}).status_code == 400
