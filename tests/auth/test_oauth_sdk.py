"""End to end with CMS's official Python SDK (`cms-bluebutton-sdk`, environment LOCAL), unchanged: authorize,
log in and consent with a plain HTTP session, exchange the code, read the beneficiary's data, refresh, revoke."""
from __future__ import annotations

import requests

from sandbox.store import connect
from support.oauth_flow import sdk_for


def stored_eob_ids(db_path, patient_id: str) -> set[str]:
    conn = connect(db_path)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM eob WHERE patient_id = ?", (patient_id,))}
    finally:
        conn.close()


def test_official_sdk_connects_reads_refreshes_and_revokes(oauth, browser, live_server):
    app, login = oauth.register(), oauth.login(3)
    bb = sdk_for(app, live_server.base_url)

    auth_data = bb.generate_auth_data()
    assert auth_data["verifier"].endswith("=")  # the SDK pads: the server must accept it
    callback = browser.authorize(bb.generate_authorize_url(auth_data), login)
    token = bb.get_authorization_token(auth_data, callback["code"], callback["state"])
    assert token.patient == login.patient_id and token.expires_in == 3600 and token.token_type == "Bearer"
    config = {"auth_token": token, "params": {}}

    patient = bb.get_patient_data(config)["response"].json()
    assert [e["resource"]["id"] for e in patient["entry"]] == [login.patient_id]
    coverage = bb.get_coverage_data(config)["response"].json()
    assert coverage["total"] > 0
    assert {e["resource"]["beneficiary"]["reference"] for e in coverage["entry"]} == {f"Patient/{login.patient_id}"}

    first_page = bb.get_explaination_of_benefit_data(config)["response"].json()
    pages = bb.get_pages(first_page, config)["pages"]
    eobs = [e["resource"] for page in pages for e in page.get("entry", [])]
    assert {e["patient"]["reference"] for e in eobs} == {f"Patient/{login.patient_id}"}
    assert {e["id"] for e in eobs} == stored_eob_ids(live_server.db_path, login.patient_id)
    assert len(eobs) == first_page["total"]

    profile = bb.get_profile_data(config)["response"].json()
    assert profile["sub"] == profile["patient"] == login.patient_id

    refreshed = bb.refresh_auth_token(token)
    assert refreshed.patient == login.patient_id and refreshed.refresh_token != token.refresh_token
    assert bb.get_patient_data({"auth_token": token, "params": {}})["response"].status_code == 401
    assert bb.get_patient_data({"auth_token": refreshed, "params": {}})["response"].status_code == 200

    revoke = requests.post(f"{live_server.base_url}/v2/o/revoke/", data={"token": refreshed.access_token},
                           auth=(app.client_id, app.client_secret))
    assert revoke.status_code == 200
    assert bb.get_patient_data({"auth_token": refreshed, "params": {}})["response"].status_code == 401


def test_sdk_second_connect_after_fhir_calls_tolerates_its_stray_bearer_header(oauth, browser, live_server):
    """The SDK leaves `Authorization: Bearer …` in its shared headers; the next code exchange carries it."""
    app, login = oauth.register(), oauth.login(4)
    bb = sdk_for(app, live_server.base_url)
    first_auth = bb.generate_auth_data()
    callback = browser.authorize(bb.generate_authorize_url(first_auth), login)
    first = bb.get_authorization_token(first_auth, callback["code"], callback["state"])
    assert bb.get_coverage_data({"auth_token": first, "params": {}})["response"].status_code == 200

    second_auth = bb.generate_auth_data()
    callback = browser.authorize(bb.generate_authorize_url(second_auth), login)
    second = bb.get_authorization_token(second_auth, callback["code"], callback["state"])
    assert second.patient == login.patient_id
    # The new consent wiped the tokens issued before it.
    assert bb.get_coverage_data({"auth_token": first, "params": {}})["response"].status_code == 401
    assert oauth.refresh(app, first.refresh_token).json()["error_description"] == "Refresh token not found."
