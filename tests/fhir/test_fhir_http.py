"""Discovery and HTTP details: metadata, /health, content type, gzip, CORS, X-RateLimit-* headers."""
from __future__ import annotations

import requests


def test_health(api):
    response = requests.get(api.base_url + "/health", timeout=10)
    assert response.status_code == 200 and response.json() == {"message": "all's well"}


def test_metadata_lists_the_three_resources_and_oauth_uris(api):
    for path in ("/v2/fhir/metadata", "/v2/fhir/metadata/"):
        response = api.get(path)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/fhir+json")
        statement = response.json()
        assert statement["resourceType"] == "CapabilityStatement" and statement["fhirVersion"] == "4.0.1"
        rest = statement["rest"][0]
        resources = {r["type"]: r for r in rest["resource"]}
        assert set(resources) == {"Patient", "Coverage", "ExplanationOfBenefit"}
        for resource in resources.values():
            assert [i["code"] for i in resource["interaction"]] == ["read", "search-type"]
        assert {"patient", "type", "service-date", "_lastUpdated", "startIndex"} <= {
            p["name"] for p in resources["ExplanationOfBenefit"]["searchParam"]}
        uris = {u["url"]: u["valueUri"] for u in rest["security"]["extension"][0]["extension"]}
        assert uris == {"token": f"{api.base_url}/v2/o/token/", "authorize": f"{api.base_url}/v2/o/authorize/",
                        "revoke": f"{api.base_url}/v2/o/revoke_token/",
                        "introspect": f"{api.base_url}/v2/o/introspect/"}
        assert rest["security"]["cors"] is True


def test_links_follow_the_forwarded_host(api, rich_patient):
    bundle = api.get("/v2/fhir/Coverage/", rich_patient,
                     headers={"X-Forwarded-Host": "sandbox.example.org", "X-Forwarded-Proto": "https"}).json()
    assert all(link["url"].startswith("https://sandbox.example.org/v2/fhir/Coverage") for link in bundle["link"])


def test_content_type_cors_rate_limit_and_gzip(api, rich_patient):
    response = api.get("/v2/fhir/ExplanationOfBenefit/", rich_patient, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/fhir+json"
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.json()["resourceType"] == "Bundle"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert int(response.headers["X-RateLimit-Limit"]) >= int(response.headers["X-RateLimit-Remaining"]) >= 0
    assert int(response.headers["X-RateLimit-Reset"]) > 0
    plain = api.get("/v2/fhir/ExplanationOfBenefit/", rich_patient, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers


def test_accept_application_json_gets_application_json(api, rich_patient):
    response = api.get("/v2/fhir/Patient/", rich_patient, headers={"Accept": "application/json"})
    assert response.headers["Content-Type"] == "application/json"


def test_cors_preflight_needs_no_token(api):
    response = requests.options(api.base_url + "/v2/fhir/ExplanationOfBenefit/", timeout=10, headers={
        "Origin": "http://app.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "authorization" in response.headers["Access-Control-Allow-Headers"]
