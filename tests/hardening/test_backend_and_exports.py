"""Backend services and bulk $export on a busy server: assertions checked against the configured token URL,
future and non-finite times refused as JSON, no-store token responses; exports that survive concurrent
writes, a cap on active exports per client, unsupported parameters refused unless lenient, and backend
apps listed, deleted and revoked from the CLI."""
from __future__ import annotations

import base64
import json
import threading
import time

import requests

from tests.beyond.conftest import medisynth, register_backend_app
from tests.beyond.test_bulk_export import KICK_OFF_HEADERS, bearer, download, kick_off, wait_for_manifest
from tests.hardening.test_token_races import _at_once


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_aud_must_be_this_servers_token_url(live_server, tmp_path):
    app = register_backend_app(live_server, tmp_path)
    elsewhere = app.assertion(aud="https://other-server.example/v2/o/token")
    refused = requests.post(app.token_url, headers={"X-Forwarded-Host": "other-server.example"}, data={
        "grant_type": "client_credentials", "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:"
        "jwt-bearer", "client_assertion": elsewhere, "scope": "system/*.read"})
    assert refused.status_code == 400 and "does not serve the host" in refused.json()["detail"]
    direct = app.token_request(assertion=elsewhere)
    assert direct.status_code == 401 and "aud" in direct.json()["error_description"]
    assert direct.headers["Cache-Control"] == "no-store"
    public = app.token_request(assertion=app.assertion(aud="https://sandbox.example/v2/o/token"))
    assert public.status_code == 200  # a configured public URL of this server
    assert public.headers["Cache-Control"] == "no-store" and public.headers["Pragma"] == "no-cache"


def test_future_and_non_finite_times_are_refused_as_json(live_server, tmp_path):
    app = register_backend_app(live_server, tmp_path)
    later = int(time.time()) + 3600
    for claims in ({"nbf": later}, {"iat": later}, {"exp": 1e308 * 10}):
        response = app.token_request(assertion=app.assertion(**claims))
        assert response.status_code in (400, 401) and response.json()["error"] in ("invalid_client", "invalid_request")
    header = _b64(json.dumps({"alg": "RS384", "typ": "JWT"}).encode())
    payload = _b64(b'{"iss":"%s","sub":"%s","aud":"%s","exp":NaN,"jti":"x"}' % (
        app.client_id.encode(), app.client_id.encode(), app.token_url.encode()))
    nan = app.token_request(assertion=f"{header}.{payload}.{_b64(b'sig')}")
    assert nan.status_code == 400 and nan.headers["Content-Type"].startswith("application/json")
    assert nan.json()["error"] == "invalid_client"


def test_an_export_survives_a_busy_server(live_server, oauth, tmp_path, dataset_dir):
    app = register_backend_app(live_server, tmp_path)
    token = app.token()
    patient_app = oauth.register()
    pairs = [oauth.tokens_for(patient_app, oauth.login(n)) for n in range(4)]
    stop, failures = threading.Event(), []

    def writer(tokens):  # refreshes and consents: the writes that used to kill every running export
        while not stop.is_set():
            fresh = oauth.refresh(patient_app, tokens["refresh_token"])
            if fresh.status_code != 200:
                failures.append(fresh.text)
                return
            tokens.update(fresh.json())

    threads = [threading.Thread(target=writer, args=(t,)) for t in pairs]
    for t in threads:
        t.start()
    try:
        status_urls = [kick_off(live_server.base_url, token) for _ in range(3)]
        manifests = [wait_for_manifest(url, token) for url in status_urls]
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert failures == []
    expected = sum(1 for name in ("Patient", "Coverage", "ExplanationOfBenefit")
                   for line in (dataset_dir / f"{name}.ndjson").read_bytes().splitlines() if line.strip())
    for manifest in manifests:
        assert sum(len(v) for v in download(manifest, token).values()) == expected


def test_at_most_three_active_exports_per_client(live_server, tmp_path):
    from tests.beyond.test_bulk_export import _insert_job

    app = register_backend_app(live_server, tmp_path)
    token = app.token()
    running = [_insert_job(live_server.db_path, app.client_id, "running", time.time() + 3600) for _ in range(3)]
    responses = _at_once(8, lambda: requests.get(f"{live_server.base_url}/v2/fhir/Group/all/$export",
                                                 headers=bearer(token, **KICK_OFF_HEADERS)))
    assert [r.status_code for r in responses] == [429] * 8
    assert all(int(r.headers["Retry-After"]) > 0 and r.json()["resourceType"] == "OperationOutcome" for r in responses)
    other = register_backend_app(live_server, tmp_path)  # the cap is per client
    assert wait_for_manifest(kick_off(live_server.base_url, other.token()), other.token())
    cancel = requests.delete(f"{live_server.base_url}/v2/fhir/bulk-status/{running[0]}", headers=bearer(token))
    assert cancel.status_code == 202
    assert wait_for_manifest(kick_off(live_server.base_url, token), token)  # a freed slot is usable again


def test_unsupported_parameters_are_refused_unless_lenient(live_server, tmp_path):
    app = register_backend_app(live_server, tmp_path)
    token = app.token()
    url = f"{live_server.base_url}/v2/fhir/Patient/$export"
    for params in ({"_typeFilter": "ExplanationOfBenefit?type=pde"}, {"_elements": "id"},
                   {"patient": "Patient/-10000000000001"}, {"includeAssociatedData": "LatestProvenanceResources"}):
        refused = requests.get(url, params=params, headers=bearer(token, **KICK_OFF_HEADERS))
        assert refused.status_code == 400 and refused.json()["issue"][0]["code"] == "not-supported"
        assert next(iter(params)) in refused.json()["issue"][0]["diagnostics"]
    lenient = requests.get(url, params={"_elements": "id", "_type": "Patient"},
                           headers=bearer(token, **{**KICK_OFF_HEADERS, "Prefer": "respond-async, handling=lenient"}))
    assert lenient.status_code == 202
    manifest = wait_for_manifest(lenient.headers["Content-Location"], token)
    assert [o["type"] for o in manifest["output"]] == ["Patient"]


def test_backend_apps_are_listed_deleted_and_revoked(live_server, tmp_path):
    app = register_backend_app(live_server, tmp_path)
    token = app.token()
    listed = json.loads(medisynth("apps", "list", "--json", "--db", str(live_server.db_path)).stdout)
    assert {"client_id": app.client_id, "kind": "backend-services"}.items() <= next(
        a for a in listed if a["client_id"] == app.client_id).items()
    status_url = kick_off(live_server.base_url, token)
    deleted = medisynth("apps", "delete", app.client_id, "--db", str(live_server.db_path))
    assert deleted.returncode == 0 and "tokens are revoked" in deleted.stdout, deleted.stderr
    assert requests.get(status_url, headers=bearer(token)).status_code == 401
    assert app.token_request().status_code == 401
    text = medisynth("apps", "list", "--db", str(live_server.db_path)).stdout
    assert app.client_id not in text


def test_a_v3_token_does_not_open_v2_userinfo(live_server, oauth):
    from support.oauth_flow import Browser
    from cms_bluebutton.auth import generate_auth_data

    app, login = oauth.register(), oauth.login(4)
    auth_data = generate_auth_data()
    url = oauth.authorize_url(app, auth_data).replace("/v2/o/authorize/", "/v3/o/authorize/")
    callback = Browser(oauth.base_url).authorize(url, login)
    v3 = requests.post(f"{oauth.base_url}/v3/o/token/", auth=(app.client_id, app.client_secret), data={
        "grant_type": "authorization_code", "code": callback["code"], "redirect_uri": app.redirect_uri,
        "code_verifier": auth_data["verifier"]}).json()
    userinfo = requests.get(f"{oauth.base_url}/v2/connect/userinfo",
                            headers={"Authorization": f"Bearer {v3['access_token']}"})
    assert userinfo.status_code == 401
