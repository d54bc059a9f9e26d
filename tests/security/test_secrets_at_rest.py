"""Secrets, codes and tokens are stored only as digests and never written to the server's output: a whole
flow (register, authorize, exchange, refresh, a refused replay, FHIR reads) against a server whose stdout
and stderr go to a file, then that file and the SQLite store (main file and WAL) are searched for them."""
from __future__ import annotations

import requests

from sandbox.auth.schema import digest
from support.live import free_port, start_server, stop_server
from support.oauth_flow import OAuthHelper


def test_no_raw_secret_code_or_token_in_the_store_or_the_log(live_server, tmp_path):
    log_path = tmp_path / "serve.log"
    port = free_port()
    with open(log_path, "wb") as log:
        proc = start_server(live_server.db_path, port, workers=1, log=log)
        try:
            oauth = OAuthHelper(f"http://127.0.0.1:{port}", live_server.db_path)
            app = oauth.register()
            auth_data, callback = oauth.connect_app(app, oauth.login(2))
            tokens = oauth.exchange(app, callback["code"], auth_data["verifier"]).json()
            refreshed = oauth.refresh(app, tokens["refresh_token"]).json()
            oauth.exchange(app, callback["code"], auth_data["verifier"])  # a replay, refused
            oauth.get("/v2/fhir/Patient", refreshed["access_token"])
            requests.get(f"{oauth.base_url}/v2/fhir/Patient", params={"access_token": refreshed["access_token"]})
        finally:
            stop_server(proc)
    secrets = {"client secret": app.client_secret, "code": callback["code"], "verifier": auth_data["verifier"],
               "access token": tokens["access_token"], "refresh token": tokens["refresh_token"],
               "refreshed access token": refreshed["access_token"],
               "refreshed refresh token": refreshed["refresh_token"]}
    stored = b"".join(path.read_bytes() for path in live_server.db_path.parent.glob(live_server.db_path.name + "*"))
    logged = log_path.read_bytes()
    assert b"Blue Button sandbox on" in logged  # the log really is the server's output
    for name, value in secrets.items():
        assert value.encode() not in stored, f"raw {name} in the store"
        assert value.encode() not in logged, f"raw {name} in the server log"
    assert digest(app.client_secret).encode() in stored  # stored, but hashed
