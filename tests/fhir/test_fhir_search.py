"""Search parameters and paging against the live server, checked against the generated NDJSON files."""
from __future__ import annotations

import pytest

EOB = "/v2/fhir/ExplanationOfBenefit/"
TYPE_SYSTEM = "https://bluebutton.cms.gov/resources/codesystem/eob-type"


def eob_type(eob: dict) -> str:
    return next(c["code"] for c in eob["type"]["coding"] if c["system"] == TYPE_SYSTEM).lower()


def ids(resources: list[dict]) -> list[str]:
    return [r["id"] for r in resources]


@pytest.mark.parametrize("path", ["/v2/fhir/ExplanationOfBenefit", "/v2/fhir/ExplanationOfBenefit/"])
def test_eob_paging_walk_returns_each_claim_once_in_bb2_order(api, dataset, rich_patient, path):
    expected = dataset.resources(rich_patient, "ExplanationOfBenefit")
    bundles, found = api.walk(path, rich_patient, _count=7)
    assert ids(found) == dataset.eob_order(expected)
    assert len(set(ids(found))) == len(found)
    assert all(b["total"] == len(expected) for b in bundles)
    assert all("fullUrl" not in e for b in bundles for e in b.get("entry", []))
    assert len(bundles) == -(-len(expected) // 7)


def test_default_count_is_ten_and_count_alias_works(api, dataset, rich_patient):
    total = len(dataset.resources(rich_patient, "ExplanationOfBenefit"))
    assert total > 10, "the test dataset's richest patient should have more than 10 claims"
    assert len(api.get(EOB, rich_patient).json()["entry"]) == 10
    assert len(api.get(EOB, rich_patient, params={"count": 3}).json()["entry"]) == 3
    assert len(api.get(EOB, rich_patient, params={"_count": 50}).json()["entry"]) == min(total, 50)
    empty = api.get(EOB, rich_patient, params={"_count": 0}).json()
    assert empty["total"] == total and "entry" not in empty


def test_page_links_follow_bb2_offsets(api, dataset, rich_patient):
    total = len(dataset.resources(rich_patient, "ExplanationOfBenefit"))
    bundle = api.get(EOB, rich_patient, params={"_count": 4, "startIndex": 4,
                                                "type": "carrier,pde,outpatient,inpatient,dme,hha,hospice,snf"}).json()
    links = {link["relation"]: link["url"] for link in bundle["link"]}
    assert [link["relation"] for link in bundle["link"]] == ["first", "next", "previous", "last", "self"][:len(links)]
    base = api.base_url + "/v2/fhir/ExplanationOfBenefit?"
    assert links["first"].startswith(base) and links["first"].endswith("startIndex=0&_count=4")
    assert links["previous"].endswith("startIndex=0&_count=4")
    assert links["last"].endswith(f"startIndex={(total - 1) // 4 * 4}&_count=4")
    assert f"patient={rich_patient}" in links["first"] and "type=carrier%2Cpde" in links["first"]
    assert links["self"].startswith(api.base_url + "/v2/fhir/ExplanationOfBenefit/?_count=4&")
    if total > 8:
        assert links["next"].endswith("startIndex=8&_count=4")


def test_start_index_past_the_end_gives_no_entries(api, dataset, rich_patient):
    bundle = api.get(EOB, rich_patient, params={"startIndex": 10_000}).json()
    assert bundle["total"] == len(dataset.resources(rich_patient, "ExplanationOfBenefit"))
    assert "entry" not in bundle


@pytest.mark.parametrize("type_param, wanted", [
    ("carrier", {"carrier"}),
    ("CARRIER,pde", {"carrier", "pde"}),
    (f"{TYPE_SYSTEM}|outpatient,Inpatient", {"outpatient", "inpatient"}),
    (f"{TYPE_SYSTEM.upper()}|PDE", {"pde"}),
])
def test_eob_type_filter(api, dataset, rich_patient, type_param, wanted):
    expected = [e for e in dataset.resources(rich_patient, "ExplanationOfBenefit") if eob_type(e) in wanted]
    _, found = api.walk(EOB, rich_patient, type=type_param, _count=50)
    assert ids(found) == dataset.eob_order(expected)


def _service_end(eob):
    return eob["billablePeriod"]["end"]


def test_service_date_range_and_combined_filters(api, dataset, rich_patient):
    eobs = dataset.resources(rich_patient, "ExplanationOfBenefit")
    ends = sorted(_service_end(e) for e in eobs)
    low, high = ends[len(ends) // 4], ends[3 * len(ends) // 4]
    cases = [
        ({"service-date": f"ge{low}"}, lambda d: d >= low),
        ({"service-date": f"gt{low}"}, lambda d: d > low),
        ({"service-date": f"lt{high}"}, lambda d: d < high),
        ({"service-date": f"le{high}"}, lambda d: d <= high),
        ({"service-date": [f"ge{low}", f"le{high}"]}, lambda d: low <= d <= high),
        ({"service-date": f"lt{low[:4]}"}, lambda d: d < f"{low[:4]}-01-01"),
        ({"service-date": f"gt{low[:7]}"}, lambda d: d[:7] > low[:7]),
    ]
    for params, keep in cases:
        expected = [e for e in eobs if keep(_service_end(e))]
        _, found = api.walk(EOB, rich_patient, _count=50, **params)
        assert ids(found) == dataset.eob_order(expected), params
    some_type = eob_type(eobs[0])
    expected = [e for e in eobs if eob_type(e) == some_type and low <= _service_end(e) <= high]
    _, found = api.walk(EOB, rich_patient, _count=50, type=some_type, **{"service-date": [f"ge{low}", f"le{high}"]})
    assert ids(found) == dataset.eob_order(expected)


@pytest.mark.parametrize("path, resource_type", [
    ("/v2/fhir/ExplanationOfBenefit/", "ExplanationOfBenefit"), ("/v2/fhir/Coverage/", "Coverage"),
    ("/v2/fhir/Patient/", "Patient")])
def test_last_updated_range(api, dataset, rich_patient, path, resource_type):
    everything = dataset.resources(rich_patient, resource_type)
    stamps = sorted(r["meta"]["lastUpdated"] for r in everything)
    year = stamps[0][:4]
    assert len(api.walk(path, rich_patient, _lastUpdated="gt1990-01-01", _count=50)[1]) == len(everything)
    assert api.get(path, rich_patient, params={"_lastUpdated": "lt1990-01-01"}).json()["total"] == 0
    assert api.get(path, rich_patient, params={"_lastUpdated": ["gt1990", "lt1991"]}).json()["total"] == 0
    both = api.get(path, rich_patient, params={"_lastUpdated": [f"ge{year}", "le2999-12-31T23:59:59Z"], "_count": 50})
    assert both.json()["total"] == len(everything)


def test_coverage_search(api, dataset, rich_patient):
    expected = sorted(ids(dataset.resources(rich_patient, "Coverage")))
    for params in ({}, {"beneficiary": rich_patient}, {"beneficiary": f"Patient/{rich_patient}"}):
        _, found = api.walk("/v2/fhir/Coverage", rich_patient, **params)
        assert ids(found) == expected


def test_patient_search_by_id_and_identifier(api, dataset, rich_patient):
    patient = dataset.resources(rich_patient, "Patient")[0]
    mbi = next(i["value"] for i in patient["identifier"] if i["system"] == "http://hl7.org/fhir/sid/us-mbi")
    for params in ({}, {"_id": rich_patient}, {"identifier": mbi},
                   {"identifier": f"http://hl7.org/fhir/sid/us-mbi|{mbi}"},
                   {"identifier": f"https://bluebutton.cms.gov/resources/variables/bene_id|{rich_patient}"}):
        bundle = api.get("/v2/fhir/Patient", rich_patient, params=params).json()
        assert bundle["total"] == 1 and bundle["entry"][0]["resource"] == patient, params
    for wrong in ("http://example.org|x", f"http://hl7.org/fhir/sid/us-mbi|{rich_patient}",
                  f"https://bluebutton.cms.gov/resources/variables/bene_id|{mbi}"):
        assert api.get("/v2/fhir/Patient/", rich_patient, params={"identifier": wrong}).json()["total"] == 0


def test_unknown_parameters_are_ignored(api, dataset, rich_patient):
    plain = api.get(EOB, rich_patient, params={"_count": 5}).json()
    noisy = api.get(EOB, rich_patient, params={"_count": 5, "excludeSAMHSA": "true", "_sort": "x", "foo": "bar"}).json()
    assert ids(e["resource"] for e in plain["entry"]) == ids(e["resource"] for e in noisy["entry"])
    assert "foo" not in noisy["link"][0]["url"]


def test_reads_serve_the_generated_bytes(api, dataset, rich_patient):
    for resource_type in ("Patient", "Coverage", "ExplanationOfBenefit"):
        resource = dataset.resources(rich_patient, resource_type)[0]
        for suffix in ("", "/"):
            response = api.get(f"/v2/fhir/{resource_type}/{resource['id']}{suffix}", rich_patient)
            assert response.status_code == 200
            assert response.content == dataset.raw_by_id[(resource_type, resource["id"])]


def test_official_sdk_get_pages_walks_every_claim(api, dataset, rich_patient):
    from cms_bluebutton import BlueButton
    from cms_bluebutton.auth import AuthorizationToken

    bb = BlueButton({"environment": "SANDBOX", "client_id": "x", "client_secret": "y",
                     "callback_url": "http://localhost/callback", "version": 2})
    bb.base_url = api.base_url
    token = AuthorizationToken({"access_token": api.token(rich_patient), "expires_in": 3600, "patient": rich_patient})
    config = {"auth_token": token, "params": {"_count": 6}}
    first = bb.get_explaination_of_benefit_data(config)["response"]
    assert first.status_code == 200
    pages = bb.get_pages(first.json(), {"auth_token": token, "params": {}})["pages"]
    found = [e["resource"] for page in pages for e in page.get("entry", [])]
    assert ids(found) == dataset.eob_order(dataset.resources(rich_patient, "ExplanationOfBenefit"))
