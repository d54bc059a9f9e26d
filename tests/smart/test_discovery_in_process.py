"""SMART discovery, the CapabilityStatement's security section and the JSON answers for unrouted API paths,
in process (Flask's test client on a fresh store): what every real client in this folder relies on, checked
without a server or a browser."""
from __future__ import annotations

import pytest
from werkzeug.routing import RequestRedirect

from sandbox.app import create_app
from sandbox.auth.models import App
from sandbox.auth.scopes import consented_scopes
from sandbox.fhir.capability import CAPABILITIES, OAUTH_URIS
from sandbox.v3.ids import NOT_A_V3_ID, export_line, to_served, to_stored, v3_patient_id

HOST = "http://localhost"
VERSIONS = (2, 3)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("store") / "sandbox.db")})
    app.extensions["medisynth_db"].create()
    return app.test_client()


def smart_document(client, version: int) -> dict:
    response = client.get(f"/v{version}/fhir/.well-known/smart-configuration")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.json


@pytest.mark.parametrize("version", VERSIONS)
def test_smart_configuration_tells_the_truth(client, version):
    doc = smart_document(client, version)
    for key, path in (("authorization_endpoint", "o/authorize/"), ("token_endpoint", "o/token/"),
                      ("revocation_endpoint", "o/revoke_token/"), ("introspection_endpoint", "o/introspect/"),
                      ("userinfo_endpoint", "connect/userinfo")):
        assert doc[key] == f"{HOST}/v{version}/{path}", key
    assert set(doc["grant_types_supported"]) == {"authorization_code", "refresh_token", "client_credentials"}
    assert set(doc["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post",
                                                                 "private_key_jwt"}
    assert {"RS384", "ES384"} <= set(doc["token_endpoint_auth_signing_alg_values_supported"])
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert {"offline_access", "launch/patient", "patient/ExplanationOfBenefit.rs", "system/*.read"} <= set(
        doc["scopes_supported"])
    assert {"launch-standalone", "permission-offline", "client-confidential-symmetric",
            "client-confidential-asymmetric", "context-standalone-patient"} <= set(doc["capabilities"])
    assert "sso-openid-connect" not in doc["capabilities"]  # no id_token is ever issued


def test_root_smart_configuration_is_v2s(client):
    assert client.get("/.well-known/smart-configuration").json == smart_document(client, 2)


@pytest.mark.parametrize("version", VERSIONS)
def test_capability_statement_names_the_smart_documents_endpoints(client, version):
    doc = smart_document(client, version)
    statement = client.get(f"/v{version}/fhir/metadata").json
    assert statement["implementation"]["url"] == f"{HOST}/v{version}/fhir"
    security = statement["rest"][0]["security"]
    uris = next(e for e in security["extension"] if e["url"] == OAUTH_URIS)["extension"]
    assert {u["url"]: u["valueUri"] for u in uris} == {
        "authorize": doc["authorization_endpoint"], "token": doc["token_endpoint"],
        "revoke": doc["revocation_endpoint"], "introspect": doc["introspection_endpoint"]}
    assert [e["valueCode"] for e in security["extension"] if e["url"] == CAPABILITIES] == doc["capabilities"]
    assert "S256" in security["description"] and doc["token_endpoint"] not in security["description"]
    assert f"/v{3 - version}/" not in str(statement)  # nothing of the other version


@pytest.mark.parametrize("version", VERSIONS)
def test_openid_configuration_names_the_same_endpoints(client, version):
    doc = smart_document(client, version)
    path = "/.well-known/openid-configuration" if version == 2 else "/.well-known/openid-configuration-v3"
    for openid in (client.get(path).json, client.get(f"/v{version}/connect/.well-known/openid-configuration").json):
        assert {k: openid[k] for k in ("authorization_endpoint", "token_endpoint", "revocation_endpoint",
                                       "userinfo_endpoint")} == {
            k: doc[k] for k in ("authorization_endpoint", "token_endpoint", "revocation_endpoint", "userinfo_endpoint")}
        assert openid["fhir_metadata_uri"] == f"{HOST}/v{version}/fhir/metadata"


@pytest.mark.parametrize("version", VERSIONS)
def test_every_advertised_endpoint_is_routed_without_a_redirect(client, version):
    doc = smart_document(client, version)
    urls = client.application.url_map.bind("localhost")
    for key, method in (("authorization_endpoint", "GET"), ("authorization_endpoint", "POST"),
                        ("token_endpoint", "POST"), ("revocation_endpoint", "POST"),
                        ("introspection_endpoint", "POST"), ("userinfo_endpoint", "GET")):
        path = doc[key].removeprefix(HOST)
        try:
            urls.match(path, method)
        except RequestRedirect as redirect:
            pytest.fail(f"{method} {path} ({key}) redirects to {redirect.new_url}")


@pytest.mark.parametrize(("method", "path", "status", "shape"), [
    ("GET", "/v2/nothing", 404, "oauth"),
    ("GET", "/v2/o/nothing/", 404, "oauth"),
    ("GET", "/v3/connect/nothing", 404, "oauth"),
    ("GET", "/v3/o/authorize/extra/segments", 404, "oauth"),
    ("GET", "/v2/fhir/Observation/", 404, "detail"),
    ("GET", "/v2/fhir/Patient/-1/more", 404, "detail"),
    ("GET", "/v3/fhir/Observation", 404, "outcome"),
    ("GET", "/v3/fhir/Patient/-3/_history/1", 404, "outcome"),
    ("GET", "/v2/o/token/", 405, "oauth"),
    ("DELETE", "/v3/connect/userinfo", 405, "oauth"),
    ("POST", "/v3/fhir/Patient/", 405, "outcome"),
    ("PUT", "/v2/fhir/Coverage/x/", 405, "detail"),
])
def test_unrouted_api_paths_answer_json(client, method, path, status, shape):
    response = client.open(path, method=method)
    assert response.status_code == status, response.data[:200]
    body = response.json
    assert body is not None, f"{method} {path} answered {response.mimetype}, not JSON"
    if shape == "outcome":
        assert response.mimetype == "application/fhir+json" and body["resourceType"] == "OperationOutcome"
        assert body["issue"][0]["code"] == ("not-found" if status == 404 else "not-supported")
        assert path in body["issue"][0]["diagnostics"]
    elif shape == "detail":
        assert list(body) == ["detail"]
    else:
        assert body["error"] == ("not_found" if status == 404 else "invalid_request") and path in body[
            "error_description"]
    if status == 405:
        assert response.headers["Allow"]


def test_pages_outside_the_api_keep_their_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_offline_access_is_granted_when_asked_and_only_then():
    app = App("c" * 40, "", "App", ("http://localhost/cb",), "thirteen-month", True)
    assert "offline_access" in app.get_allowed_scope("openid offline_access patient/Patient.rs").split()
    assert "offline_access" not in app.get_allowed_scope(None).split()
    assert "offline_access" not in app.get_allowed_scope("openid patient/Patient.rs").split()
    assert consented_scopes(frozenset({"offline_access", "patient/Coverage.rs"}), True) == {
        "offline_access", "patient/Coverage.rs"}
    assert consented_scopes(frozenset({"offline_access", "patient/Patient.rs"}), False) == frozenset()


def test_a_v3_request_naming_the_v2_id_reaches_nothing():
    v2 = "-10000000000001"
    v3 = v3_patient_id(v2)
    assert to_stored(v3, v2) == v2 and to_stored(f"part-a-{v3}", v2) == f"part-a-{v2}"
    assert to_stored(v2, v2) == NOT_A_V3_ID and v2 not in to_stored(f"Patient/{v2}", v2)


@pytest.mark.parametrize(("stored", "served"), [
    (b'{"id":"-10000000000001"}', b'{"id":"-30000000000001"}'),
    (b'"reference":"Patient/-10000000000001"', b'"reference":"Patient/-30000000000001"'),
    (b'"id":"part-b--10000000000001"', b'"id":"part-b--30000000000001"'),
    (b'?patient=-10000000000001&_count=10', b'?patient=-30000000000001&_count=10'),
    (b'beneficiary=Patient%2F-10000000000001"', b'beneficiary=Patient%2F-30000000000001"'),
    (b'"id":"carrier--10000000000001"', b'"id":"carrier--10000000000001"'),  # a claim id, not the patient
    (b'"value":"-100000000000012"', b'"value":"-100000000000012"'),        # a longer number
    (b'"value":"x-10000000000001"', b'"value":"x-10000000000001"'),
])
def test_v3_rewrites_the_patient_id_only_where_it_stands_as_an_id(stored, served):
    assert to_served(stored, "-10000000000001") == served


def test_a_v3_export_line_names_its_own_patient():
    eob = (b'{"resourceType":"ExplanationOfBenefit","id":"pde--5","patient":{"reference":"Patient/-10000000000002"},'
           b'"meta":{"profile":["http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Pharmacy"]}}')
    line = export_line("ExplanationOfBenefit", eob)
    assert b'"Patient/-30000000000002"' in line and b"C4BB-ExplanationOfBenefit-Pharmacy|2.1.0" in line
    spaced = (b'{"resourceType": "Coverage", "id": "part-a--10000000000003", '
              b'"beneficiary": {"reference": "Patient/-10000000000003"}}')
    assert export_line("Coverage", spaced).count(b"-30000000000003") == 2  # spaced bytes: found by parsing
