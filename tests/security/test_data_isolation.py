"""One beneficiary's token never reaches another's data, whatever the parameter, path or page link, and
hostile parameter values (SQL metacharacters, huge or odd values) get a 4xx or an empty page, never a 500."""
from __future__ import annotations

import sqlite3
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests

from sandbox.store import BENE_ID_SYSTEM, MBI_SYSTEM

HOSTILE_VALUES = ["' OR '1'='1", "1; DROP TABLE eob;--", '" OR 1=1 --', "%", "_", "*", "\x00", "-1", "1e309",
                  "NaN", "𝕏" * 50, "9" * 3000, "Patient/", "ge", "gt2020-13-45", "lt" + "9" * 400,
                  "carrier,' OR 1=1", "../../etc/passwd", "${jndi:ldap://x}", "<script>", "\r\nX: y"]
PARAMETERS = {"Patient": ("_id", "identifier", "_lastUpdated", "_count", "startIndex"),
              "Coverage": ("beneficiary", "_lastUpdated", "_count", "startIndex"),
              "ExplanationOfBenefit": ("patient", "type", "service-date", "_lastUpdated", "_count", "startIndex")}


@pytest.fixture(scope="module")
def victim(live_server) -> dict:
    """Another beneficiary's ids: patient, MBI, one coverage and one EOB."""
    conn = sqlite3.connect(live_server.db_path)
    try:
        patient_id, mbi = conn.execute("SELECT id, mbi FROM patient ORDER BY ordinal LIMIT 1 OFFSET 1").fetchone()
        coverage = conn.execute("SELECT id FROM coverage WHERE patient_id = ?", (patient_id,)).fetchone()[0]
        eob = conn.execute("SELECT id FROM eob WHERE patient_id = ?", (patient_id,)).fetchone()[0]
    finally:
        conn.close()
    return {"patient": patient_id, "mbi": mbi, "coverage": coverage, "eob": eob}


@pytest.fixture(scope="module")
def token(oauth) -> str:
    return oauth.tokens_for(oauth.register(), oauth.login(0))["access_token"]


def _get(oauth, token: str, path: str, params=None) -> requests.Response:
    return requests.get(oauth.base_url + path, params=params, headers={"Authorization": f"Bearer {token}"})


def _assert_no_leak(resp: requests.Response, victim: dict) -> None:
    assert resp.status_code < 500, (resp.url, resp.text[:300])
    for value in (victim["patient"], victim["mbi"], victim["coverage"], victim["eob"]):
        assert f'"{value}"' not in resp.text and f"Patient/{value}\"" not in resp.text, (resp.url, value)


def test_every_patient_naming_parameter_and_read(oauth, token, victim):
    pid = victim["patient"]
    attempts = [
        ("/v2/fhir/Patient/" + pid, None, 404), ("/v2/fhir/Patient", {"_id": pid}, 404),
        ("/v2/fhir/Coverage/" + victim["coverage"], None, 404),
        ("/v2/fhir/ExplanationOfBenefit/" + victim["eob"], None, 404),
        ("/v2/fhir/Coverage", {"beneficiary": pid}, 403), ("/v2/fhir/Coverage", {"beneficiary": f"Patient/{pid}"}, 403),
        ("/v2/fhir/ExplanationOfBenefit", {"patient": pid}, 403),
        ("/v2/fhir/ExplanationOfBenefit", {"patient": f"Patient/{pid}"}, 403),
        ("/v2/fhir/ExplanationOfBenefit", [("patient", "x"), ("patient", pid)], 403),
    ]
    for path, params, status in attempts:
        resp = _get(oauth, token, path, params)
        assert resp.status_code == status, (path, params, resp.text)
        _assert_no_leak(resp, victim)
    for identifier in (pid, f"{BENE_ID_SYSTEM}|{pid}", f"{MBI_SYSTEM}|{victim['mbi']}", victim["mbi"]):
        resp = _get(oauth, token, "/v2/fhir/Patient", {"identifier": identifier})
        assert resp.status_code == 200 and resp.json()["total"] == 0, identifier
        _assert_no_leak(resp, victim)


def test_hand_edited_paging_links(oauth, token, victim):
    first = _get(oauth, token, "/v2/fhir/ExplanationOfBenefit", {"_count": 1}).json()
    link = next(link["url"] for link in first["link"] if link["relation"] == "next")
    url = urlsplit(link)
    params = parse_qsl(url.query)
    swapped = [(k, victim["patient"] if k == "patient" else v) for k, v in params]
    for edited in (swapped, [*params, ("patient", victim["patient"])], [*params, ("startIndex", "-5")],
                   [(k, v) for k, v in params if k != "patient"]):
        resp = _get(oauth, token, f"{url.path}?{urlencode(edited)}")
        assert resp.status_code in (200, 400, 403)
        _assert_no_leak(resp, victim)


@pytest.mark.parametrize("resource_type", sorted(PARAMETERS))
def test_hostile_values_in_every_parameter(oauth, token, victim, live_server, resource_type):
    conn = sqlite3.connect(live_server.db_path)
    before = conn.execute("SELECT (SELECT count(*) FROM patient), (SELECT count(*) FROM eob)").fetchone()
    for name in PARAMETERS[resource_type]:
        for value in HOSTILE_VALUES:
            _assert_no_leak(_get(oauth, token, f"/v2/fhir/{resource_type}", {name: value}), victim)
    for value in HOSTILE_VALUES[:8]:
        _assert_no_leak(_get(oauth, token, f"/v2/fhir/{resource_type}/{requests.utils.quote(value, safe='')}"),
                        victim)
    assert conn.execute("SELECT (SELECT count(*) FROM patient), (SELECT count(*) FROM eob)").fetchone() == before
    conn.close()
