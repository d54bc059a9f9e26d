"""Simulated failures: per request (X-Medisynth-Fault) and per app (`medisynth apps fault`), against the live
server, with the official Python SDK's own retry behaviour (urllib3 Retry on 500/502/503/504)."""
from __future__ import annotations

import json

import pytest
import requests
from cms_bluebutton.auth import AuthorizationToken

from sandbox.auth.context import ACCESS_TIMED_OUT
from tests.beyond.conftest import medisynth
from support.oauth_flow import sdk_for

SDK_RETRIES = {"total": 3, "backoff_factor": 0, "status_forcelist": [500, 502, 503, 504]}


@pytest.fixture(scope="module")
def connected(oauth, live_server):
    """Two apps connected by the same beneficiary, allowed to ask for faults with the header: (app, its token
    response) each."""
    login = oauth.login(2)
    apps = [(app, oauth.tokens_for(app, login)) for app in (oauth.register(), oauth.register())]
    for app, _ in apps:
        set_fault(live_server, app.client_id, "--allow-header")
    return apps


def set_fault(live_server, client_id: str, *args: str) -> None:
    result = medisynth("apps", "fault", client_id, *args, "--db", str(live_server.db_path))
    assert result.returncode == 0, result.stderr


def get_patient(live_server, token: str, **headers) -> requests.Response:
    return requests.get(f"{live_server.base_url}/v2/fhir/Patient/",
                        headers={"Authorization": f"Bearer {token}", **headers})


def test_sdk_retries_through_an_apps_first_503s(live_server, connected):
    (app, tokens), (_other, other_tokens) = connected
    set_fault(live_server, app.client_id, "503", "--times", "2")
    assert get_patient(live_server, other_tokens["access_token"]).status_code == 200  # other apps: untouched
    bb = sdk_for(app, live_server.base_url, retry_settings=SDK_RETRIES)
    response = bb.get_patient_data({"auth_token": AuthorizationToken(tokens), "params": {}})["response"]
    assert response.status_code == 200 and response.json()["entry"][0]["resource"]["id"] == tokens["patient"]
    assert get_patient(live_server, tokens["access_token"]).status_code == 200  # the two failures are used up


def test_sdk_without_retries_sees_the_503(live_server, connected):
    app, tokens = connected[0]
    set_fault(live_server, app.client_id, "503", "--times", "1")
    bb = sdk_for(app, live_server.base_url)
    response = bb.get_coverage_data({"auth_token": AuthorizationToken(tokens), "params": {}})["response"]
    assert response.status_code == 503 and "Service Unavailable" in response.json()["detail"]


def test_sdk_surfaces_429(live_server, connected):
    app, tokens = connected[0]
    set_fault(live_server, app.client_id, "429;retry-after=0")
    try:
        bb = sdk_for(app, live_server.base_url)  # the SDK's status_forcelist has no 429: it comes back as is
        response = bb.get_patient_data({"auth_token": AuthorizationToken(tokens), "params": {}})["response"]
        assert response.status_code == 429 and response.headers["Retry-After"] == "0"
        assert response.json()["detail"].startswith("Request was throttled.")
        retrying = sdk_for(app, live_server.base_url, retry_settings=SDK_RETRIES)
        again = retrying.get_patient_data({"auth_token": AuthorizationToken(tokens), "params": {}})["response"]
        assert again.status_code == 429  # retries cover 5xx only: the app must handle the throttle itself
    finally:
        set_fault(live_server, app.client_id, "--off")
    assert get_patient(live_server, tokens["access_token"]).status_code == 200


@pytest.mark.parametrize("spec, status", [("500", 500), ("502", 502), ("503", 503), ("504", 504), ("429", 429)])
def test_header_error_faults(live_server, connected, spec, status):
    response = get_patient(live_server, connected[0][1]["access_token"], **{"X-Medisynth-Fault": spec})
    assert response.status_code == status and response.json()["detail"]
    assert (response.headers.get("Retry-After") == "1") == (status == 429)


def test_header_grant_and_token_faults_use_bb2_bodies(live_server, connected):
    token = connected[0][1]["access_token"]
    expired = get_patient(live_server, token, **{"X-Medisynth-Fault": "expired-grant"})
    assert expired.status_code == 401 and expired.json() == {"detail": ACCESS_TIMED_OUT}
    revoked = get_patient(live_server, token, **{"X-Medisynth-Fault": "revoked-token"})
    assert revoked.status_code == 401 and revoked.json() == {"detail": "Authentication credentials were not provided."}
    assert get_patient(live_server, token).status_code == 200  # simulated: the real token still works


def test_latency_and_truncated_page(live_server, connected):
    token = connected[0][1]["access_token"]
    whole = requests.get(f"{live_server.base_url}/v2/fhir/ExplanationOfBenefit/",
                         headers={"Authorization": f"Bearer {token}"})
    slow = requests.get(f"{live_server.base_url}/v2/fhir/ExplanationOfBenefit/",
                        headers={"Authorization": f"Bearer {token}", "X-Medisynth-Fault": "latency=50"})
    assert slow.status_code == 200 and slow.json()["total"] == whole.json()["total"]
    cut = requests.get(f"{live_server.base_url}/v2/fhir/ExplanationOfBenefit/",
                       headers={"Authorization": f"Bearer {token}", "X-Medisynth-Fault": "truncated-page",
                                "Accept-Encoding": "identity"})
    assert cut.status_code == 200 and 0 < len(cut.content) < len(whole.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.content)


def test_faults_only_touch_fhir_data_routes_and_bad_specs_are_refused(live_server, connected):
    token = connected[0][1]["access_token"]
    assert requests.get(f"{live_server.base_url}/v2/fhir/metadata",
                        headers={"X-Medisynth-Fault": "503"}).status_code == 200
    unknown = get_patient(live_server, token, **{"X-Medisynth-Fault": "meltdown"})
    assert unknown.status_code == 400 and "unknown fault" in unknown.json()["detail"]
    result = medisynth("apps", "fault", connected[0][0].client_id, "latency=99999999", "--db", str(live_server.db_path))
    assert result.returncode == 1 and result.stderr.startswith("Error: unknown fault")
