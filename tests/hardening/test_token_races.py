"""Refresh tokens and client secrets under attack, through the real server: one refresh token sent by eight
threads at once (behind a barrier), a rotated token reused, and a stranger guessing secrets for a public
client id from another address."""
from __future__ import annotations

import threading

import requests

from sandbox.auth.lockout import MAX_FAILURES
from tests.hardening.conftest import session_from

THREADS = 8


def _at_once(count: int, call) -> list:
    barrier, results = threading.Barrier(count), [None] * count

    def run(i):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_one_refresh_token_sent_eight_times_at_once_forks_nothing(oauth):
    app = oauth.register()
    tokens = oauth.tokens_for(app, oauth.login(5))
    responses = _at_once(THREADS, lambda: oauth.refresh(app, tokens["refresh_token"]))
    succeeded = [r.json() for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code != 200]
    assert len(succeeded) <= 1
    assert all((r.status_code, r.json()) == (400, {"error": "invalid_grant"}) for r in refused)
    # every concurrent duplicate was a reuse: no token of the family survives, the winner's included
    for issued in [tokens, *succeeded]:
        assert oauth.get("/v2/fhir/Patient", issued["access_token"]).status_code == 401
        assert oauth.refresh(app, issued["refresh_token"]).json() == {"error": "invalid_grant"}
    assert oauth.get("/v2/fhir/Patient", oauth.tokens_for(app, oauth.login(5))["access_token"]).status_code == 200


def test_reusing_a_rotated_refresh_token_revokes_its_descendants(oauth):
    app = oauth.register()
    first = oauth.tokens_for(app, oauth.login(6))
    second = oauth.refresh(app, first["refresh_token"]).json()
    third = oauth.refresh(app, second["refresh_token"]).json()
    assert oauth.get("/v2/fhir/Patient", third["access_token"]).status_code == 200
    assert oauth.refresh(app, first["refresh_token"]).json() == {"error": "invalid_grant"}  # a copy of it leaked
    assert oauth.get("/v2/fhir/Patient", third["access_token"]).status_code == 401
    assert oauth.refresh(app, third["refresh_token"]).json() == {"error": "invalid_grant"}


def test_a_stranger_cannot_lock_an_honest_app_out(server):
    oauth = server.oauth
    app = oauth.register()
    tokens = oauth.tokens_for(app, oauth.login(0))
    stranger = session_from("127.0.0.2")
    token_url = f"{server.base_url}/v2/o/token/"
    for _ in range(MAX_FAILURES):
        guess = stranger.post(token_url, auth=(app.client_id, "guess"),
                              data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
        assert guess.json() == {"error": "invalid_client"}
    locked = stranger.post(token_url, auth=(app.client_id, app.client_secret),
                           data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0  # the stranger's address is locked
    honest = oauth.refresh(app, tokens["refresh_token"])  # from 127.0.0.1, the app's own server
    assert honest.status_code == 200 and honest.headers["Cache-Control"] == "no-store"


def test_the_expire_endpoint_counts_failures_and_honours_the_lock(server):
    oauth = server.oauth
    app, login = oauth.register(), oauth.login(1)
    oauth.tokens_for(app, login)
    url = f"{server.base_url}/v2/o/expire_authenticated_user/{login.patient_id}/"
    stranger = session_from("127.0.0.2")
    for _ in range(MAX_FAILURES):
        assert stranger.post(url, auth=(app.client_id, "guess")).status_code == 403
    locked = stranger.post(url, auth=(app.client_id, app.client_secret))
    assert locked.status_code == 429 and locked.json()["detail"].startswith("Request was throttled.")
    assert requests.post(url, auth=(app.client_id, app.client_secret)).text == "success"  # the app itself: not locked
