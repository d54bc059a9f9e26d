"""v3 through the official SDK (version 3): tokens from /v3/o/, v3 patient ids and CARIN BB 2.x profiles in the
served bytes, the C4DIC insurance card, parsed with fhir.resources (R4B), and v3's own OAuth siblings
(consent form, userinfo, introspect, revoke) naming the v3 patient."""
from __future__ import annotations

import pytest
import requests
from cms_bluebutton.auth import generate_auth_data
from fhir.resources.R4B.bundle import Bundle

from sandbox.auth.tokens import issue_test_token
from sandbox.v3.card import C4DIC
from sandbox.v3.ids import v2_patient_id, v3_patient_id
from support.oauth_flow import Browser, page_form, sdk_for


@pytest.fixture(scope="module")
def v3_session(oauth, live_server):
    """(SDK for version 3, its token, the v2 patient id) after the whole v3 OAuth flow."""
    app, login = oauth.register(), oauth.login(4)
    bb = sdk_for(app, live_server.base_url, version=3)
    auth_data = bb.generate_auth_data()
    url = bb.generate_authorize_url(auth_data)
    assert "/v3/o/authorize" in url
    callback = Browser(live_server.base_url).authorize(url, login)
    token = bb.get_authorization_token(auth_data, callback["code"], callback["state"])
    return bb, token, login.patient_id


def test_insurance_card_through_the_sdk(v3_session):
    bb, token, patient_id = v3_session
    response = bb.get_insurance_card_data({"auth_token": token, "params": {}})["response"]
    assert response.status_code == 200, response.text
    bundle = Bundle.model_validate(response.json())
    profiles = {p for e in bundle.entry for p in e.resource.meta.profile}
    assert {C4DIC + name for name in ("C4DIC-Patient", "C4DIC-Coverage", "C4DIC-Organization")} <= profiles
    ids = {(e.resource.get_resource_type(), e.resource.id) for e in bundle.entry}
    assert ("Patient", v3_patient_id(patient_id)) in ids
    coverages = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Coverage"]
    assert coverages and all(c.beneficiary.reference == f"Patient/{v3_patient_id(patient_id)}" for c in coverages)


def test_v3_serves_v3_ids_and_carin_bb_2_profiles(v3_session, live_server):
    bb, token, patient_id = v3_session
    v3_id = v3_patient_id(patient_id)
    assert v3_id != patient_id and v2_patient_id(v3_id) == patient_id
    config = {"auth_token": token, "params": {}}
    patient = bb.get_patient_data(config)["response"].json()
    assert [e["resource"]["id"] for e in patient["entry"]] == [v3_id]
    coverage = bb.get_coverage_data(config)["response"].json()
    assert {e["resource"]["beneficiary"]["reference"] for e in coverage["entry"]} == {f"Patient/{v3_id}"}
    assert all(e["resource"]["id"].endswith(f"-{v3_id}") for e in coverage["entry"])
    eobs = bb.get_pages(bb.get_explaination_of_benefit_data(config)["response"].json(), config)["pages"]
    resources = [e["resource"] for page in eobs for e in page.get("entry", [])]
    assert resources and {r["patient"]["reference"] for r in resources} == {f"Patient/{v3_id}"}
    assert all(p.endswith("|2.1.0") for r in resources for p in r["meta"]["profile"])
    assert patient_id not in str(eobs)
    read = bb.get_custom_data({**config, "url": f"fhir/Coverage/{coverage['entry'][0]['resource']['id']}"})
    assert read["response"].status_code == 200


def test_v2_and_v3_tokens_are_not_interchangeable(v3_session, live_server):
    _, token, patient_id = v3_session
    v3_on_v2 = requests.get(f"{live_server.base_url}/v2/fhir/Patient/",
                            headers={"Authorization": f"Bearer {token.access_token}"})
    assert v3_on_v2.status_code == 401
    v2_token = issue_test_token(live_server.db_path, patient_id)
    v2_on_v3 = requests.get(f"{live_server.base_url}/v3/fhir/Patient/", headers={"Authorization": f"Bearer {v2_token}"})
    assert v2_on_v3.status_code == 401


@pytest.mark.parametrize("version", [2, 3])
def test_the_consent_form_posts_to_its_own_versions_authorize_url(oauth, live_server, version):
    url = oauth.authorize_url(oauth.register(), generate_auth_data()).replace("/v2/o/", f"/v{version}/o/")
    browser = Browser(live_server.base_url)
    consent = browser.login(browser.open(url), oauth.login(5))
    assert consent.status_code == 200 and 'name="allow"' in consent.text
    assert page_form(consent.text)["action"] == f"/v{version}/o/authorize/"


def test_v3_oauth_endpoints_name_the_v3_patient(v3_session, live_server):
    bb, token, patient_id = v3_session
    v3_id, client = v3_patient_id(patient_id), (bb.client_id, bb.client_secret)
    assert token.patient == v3_id
    userinfo = requests.get(f"{live_server.base_url}/v3/connect/userinfo",
                            headers={"Authorization": f"Bearer {token.access_token}"}).json()
    assert (userinfo["sub"], userinfo["patient"]) == (v3_id, v3_id)
    introspected = requests.post(f"{live_server.base_url}/v3/o/introspect/", auth=client,
                                 data={"token": token.access_token}).json()
    assert introspected["active"] is True and introspected["username"] == v3_id
    on_v2 = requests.post(f"{live_server.base_url}/v2/o/introspect/", auth=client, data={"token": token.access_token})
    assert on_v2.json() == {"active": False}  # a v3 token is nobody's on v2


def test_a_v3_read_of_the_v2_id_is_404_not_the_patient_under_another_id(v3_session, live_server):
    _, token, patient_id = v3_session
    headers = {"Authorization": f"Bearer {token.access_token}"}
    base = f"{live_server.base_url}/v3/fhir"
    own = requests.get(f"{base}/Patient/{v3_patient_id(patient_id)}", headers=headers)
    assert own.status_code == 200 and own.json()["id"] == v3_patient_id(patient_id)
    assert requests.get(f"{base}/Patient/{patient_id}", headers=headers).status_code == 404
    assert requests.get(f"{base}/Coverage/part-a-{patient_id}", headers=headers).status_code == 404
    assert requests.get(f"{base}/ExplanationOfBenefit/", params={"patient": patient_id},
                        headers=headers).status_code == 403


def test_v3_revoke_ends_the_v3_token(oauth, live_server):
    app, login = oauth.register(), oauth.login(6)
    bb = sdk_for(app, live_server.base_url, version=3)
    auth_data = bb.generate_auth_data()
    callback = Browser(live_server.base_url).authorize(bb.generate_authorize_url(auth_data), login)
    token = bb.get_authorization_token(auth_data, callback["code"], callback["state"])
    headers = {"Authorization": f"Bearer {token.access_token}"}
    assert requests.get(f"{live_server.base_url}/v3/fhir/Patient/", headers=headers).status_code == 200
    revoked = requests.post(f"{live_server.base_url}/v3/o/revoke_token/", auth=(app.client_id, app.client_secret),
                            data={"token": token.access_token})
    assert revoked.status_code == 200
    assert requests.get(f"{live_server.base_url}/v3/fhir/Patient/", headers=headers).status_code == 401
