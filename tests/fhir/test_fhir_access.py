"""Authentication, scopes, BB2's error bodies, and that no request can see another beneficiary's data."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

NOT_AUTHENTICATED = {"detail": "Authentication credentials were not provided."}
NO_PERMISSION = {"detail": "You do not have permission to perform this action."}
NOT_FOUND = {"detail": "Not found."}
SEARCHES = ["/v2/fhir/Patient/", "/v2/fhir/Coverage/", "/v2/fhir/ExplanationOfBenefit/"]


@pytest.mark.parametrize("path", [*SEARCHES, "/v2/fhir/Patient/-1"])
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-real-token", "Basic abc", "Bearer "])
def test_missing_or_bogus_token_is_401(api, path, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = api.get(path, headers=headers)
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_token_in_query_string_is_400(api, rich_patient):
    response = api.get("/v2/fhir/ExplanationOfBenefit/", params={"access_token": api.token(rich_patient)})
    assert response.status_code == 400
    assert response.json() == {"detail": "Using the access token in the query parameters is not supported. "
                                         "Use the Authorization header instead"}


@pytest.mark.parametrize("path, scopes", [
    ("/v2/fhir/Patient/", ("patient/Coverage.rs", "patient/ExplanationOfBenefit.rs", "openid")),
    ("/v2/fhir/Coverage/", ("patient/Patient.read", "patient/ExplanationOfBenefit.read")),
    ("/v2/fhir/ExplanationOfBenefit/", ("patient/Patient.rs", "patient/Coverage.r", "profile")),
])
def test_missing_scope_is_403(api, rich_patient, path, scopes):
    response = api.get(path, rich_patient, scopes=scopes)
    assert response.status_code == 403 and response.json() == NO_PERMISSION


@pytest.mark.parametrize("suffix", ["read", "r", "s", "rs"])
def test_each_scope_form_grants_its_resource(api, rich_patient, suffix):
    for resource in ("Patient", "Coverage", "ExplanationOfBenefit"):
        response = api.get(f"/v2/fhir/{resource}/", rich_patient, scopes=(f"patient/{resource}.{suffix}",))
        assert response.status_code == 200, (resource, response.text)


@pytest.mark.parametrize("params, detail", [
    ({"_count": "51"}, "value must be at most 50"),
    ({"count": "99"}, "value must be at most 50"),
    ({"_count": "-1"}, "value must be at least 0"),
    ({"startIndex": "-5"}, "value must be at least 0"),
    ({"_count": "ten"}, "expected int"),
    ({"startIndex": "1.5"}, "expected int"),
    ({"_lastUpdated": "2020-01-01"}, "the _lastUpdated operator is not valid"),
    ({"_lastUpdated": ["gt2020-01-01", "eq2021-01-01"]}, "the _lastUpdated operator is not valid"),
    ({"service-date": "ne2020-01-01"}, "the service-date operator is not valid"),
    ({"type": "carrier,claim"}, "the type parameter value is not valid"),
    ({"type": "http://example.org|carrier"}, "the type parameter value is not valid"),
])
def test_invalid_parameters_get_bb2_400_messages(api, rich_patient, params, detail):
    response = api.get("/v2/fhir/ExplanationOfBenefit/", rich_patient, params=params)
    assert response.status_code == 400
    assert response.json() == {"detail": detail}


def test_bad_date_value_is_an_upstream_400(api, rich_patient):
    response = api.get("/v2/fhir/ExplanationOfBenefit/", rich_patient, params={"service-date": "gt2020-13-45"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("An error occurred contacting the upstream server:")


@pytest.mark.parametrize("resource_type", ["Patient", "Coverage", "ExplanationOfBenefit"])
def test_reading_someone_elses_resource_is_404(api, dataset, rich_patient, other_patient, resource_type):
    for resource in dataset.resources(other_patient, resource_type):
        response = api.get(f"/v2/fhir/{resource_type}/{resource['id']}", rich_patient)
        assert response.status_code == 404 and response.json() == NOT_FOUND
    assert api.get(f"/v2/fhir/{resource_type}/no-such-id/", rich_patient).json() == NOT_FOUND


def test_searches_naming_someone_else(api, dataset, rich_patient, other_patient):
    for params in ({"patient": other_patient}, {"patient": other_patient, "_count": "99"}):
        eob = api.get("/v2/fhir/ExplanationOfBenefit/", rich_patient, params=params)
        assert eob.status_code == 403 and eob.json() == NO_PERMISSION
    coverage = api.get("/v2/fhir/Coverage/", rich_patient, params={"beneficiary": f"Patient/{other_patient}"})
    assert coverage.status_code == 403 and coverage.json() == NO_PERMISSION
    patient = api.get("/v2/fhir/Patient/", rich_patient, params={"_id": other_patient})
    assert patient.status_code == 404 and patient.json() == NOT_FOUND
    other = dataset.resources(other_patient, "Patient")[0]
    for identifier in other["identifier"]:
        found = api.get("/v2/fhir/Patient/", rich_patient,
                        params={"identifier": f"{identifier['system']}|{identifier['value']}"})
        assert found.status_code == 200 and found.json()["total"] == 0
        found = api.get("/v2/fhir/Patient/", rich_patient, params={"identifier": identifier["value"]})
        assert found.json()["total"] == 0


def test_edited_paging_links_cannot_reach_someone_else(api, rich_patient, other_patient):
    first = api.get("/v2/fhir/ExplanationOfBenefit/", rich_patient, params={"_count": 2}).json()
    next_url = next(link["url"] for link in first["link"] if link["relation"] == "next")
    parts = urlsplit(next_url)
    edited = [(k, other_patient if k == "patient" else v) for k, v in parse_qsl(parts.query)]
    response = api.get(urlunsplit(parts._replace(query=urlencode(edited))), rich_patient)
    assert response.status_code == 403 and response.json() == NO_PERMISSION
    dropped = [(k, v) for k, v in parse_qsl(parts.query) if k != "patient"]
    bundle = api.get(urlunsplit(parts._replace(query=urlencode(dropped))), rich_patient).json()
    assert all(e["resource"]["patient"]["reference"] == f"Patient/{rich_patient}" for e in bundle["entry"])


def test_every_search_returns_only_the_token_patients_data(api, dataset):
    for patient_id in dataset.patient_ids[:5]:
        for path in SEARCHES:
            _, found = api.walk(path, patient_id, _count=50)
            owners = {r["id"] if r["resourceType"] == "Patient" else
                      (r.get("beneficiary") or r.get("patient"))["reference"].removeprefix("Patient/") for r in found}
            assert owners <= {patient_id}
