"""Bulk $export end to end against the live server: a backend-services app registered by its public key,
a token for a signed assertion, kick-off, polling, every file downloaded and compared with the dataset."""
from __future__ import annotations

import gzip
import json
import sqlite3
import time
from pathlib import Path

import pytest
import requests

from sandbox.auth.tokens import issue_test_token
from sandbox.store import instant_ms
from tests.beyond.conftest import register_backend_app
from tests.fhir.conftest import RESOURCE_TYPES, read_ndjson

KICK_OFF_HEADERS = {"Accept": "application/fhir+json", "Prefer": "respond-async"}
POLL_LIMIT = 200


def bearer(token: str, **extra) -> dict:
    return {"Authorization": f"Bearer {token}", **extra}


def kick_off(base_url: str, token: str, path: str = "/v2/fhir/Group/all/$export", **params) -> str:
    response = requests.get(base_url + path, params=params, headers=bearer(token, **KICK_OFF_HEADERS))
    assert response.status_code == 202, response.text
    return response.headers["Content-Location"]


def wait_for_manifest(status_url: str, token: str) -> dict:
    for _ in range(POLL_LIMIT):
        response = requests.get(status_url, headers=bearer(token))
        if response.status_code == 200:
            return response.json()
        assert response.status_code == 202, response.text
        assert response.headers["X-Progress"] and int(response.headers["Retry-After"]) >= 1
        time.sleep(0.05)  # the server says Retry-After: 1; a test need not wait that long
    raise AssertionError("the export did not finish")


def download(manifest: dict, token: str, gzipped: bool = False) -> dict[str, list[dict]]:
    """Every output file, parsed: resource type → resources."""
    resources: dict[str, list[dict]] = {}
    for item in manifest["output"]:
        headers = bearer(token, **{"Accept-Encoding": "gzip" if gzipped else "identity"})
        response = requests.get(item["url"], headers=headers, stream=True)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/fhir+ndjson")
        raw = response.raw.read()
        if gzipped:
            assert response.headers["Content-Encoding"] == "gzip"
            raw = gzip.decompress(raw)
        lines = [json.loads(line) for line in raw.splitlines() if line.strip()]
        assert len(lines) == item["count"] and {r["resourceType"] for r in lines} == {item["type"]}
        resources.setdefault(item["type"], []).extend(lines)
    return resources


@pytest.fixture(scope="module")
def system_token(backend_app) -> str:
    return backend_app.token()


@pytest.fixture(scope="module")
def dataset_ids(dataset_dir) -> dict[str, list[tuple[str, int]]]:
    """(id, meta.lastUpdated ms) of every resource in the dataset's files, by type."""
    return {t: [(r["id"], instant_ms(r["meta"]["lastUpdated"])) for _, r in read_ndjson(dataset_dir, t)]
            for t in RESOURCE_TYPES}


def test_whole_dataset_exports_with_every_resource(live_server, system_token, dataset_ids):
    status_url = kick_off(live_server.base_url, system_token)
    manifest = wait_for_manifest(status_url, system_token)
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    assert manifest["request"].endswith("/v2/fhir/Group/all/$export")
    exported = download(manifest, system_token, gzipped=True)
    for resource_type, expected in dataset_ids.items():
        ids = [r["id"] for r in exported[resource_type]]
        assert sorted(ids) == sorted(i for i, _ in expected) and len(set(ids)) == len(ids)


def test_patient_export_filters_by_type_and_since(live_server, system_token, dataset_ids):
    eob_times = sorted({t for _, t in dataset_ids["ExplanationOfBenefit"]})
    since_ms = eob_times[len(eob_times) // 2]
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(since_ms / 1000))
    status_url = kick_off(live_server.base_url, system_token, "/v2/fhir/Patient/$export",
                          _type="ExplanationOfBenefit", _since=since, _outputFormat="ndjson")
    exported = download(wait_for_manifest(status_url, system_token), system_token)
    assert set(exported) == {"ExplanationOfBenefit"}
    expected = {i for i, t in dataset_ids["ExplanationOfBenefit"] if t > since_ms}
    assert 0 < len(expected) < len(dataset_ids["ExplanationOfBenefit"])
    assert {r["id"] for r in exported["ExplanationOfBenefit"]} == expected


def test_narrow_scope_exports_only_its_type(live_server, backend_app):
    token = backend_app.token("system/Patient.read")
    denied = requests.get(f"{live_server.base_url}/v2/fhir/Patient/$export", params={"_type": "Coverage"},
                          headers=bearer(token, **KICK_OFF_HEADERS))
    assert denied.status_code == 403 and denied.json()["resourceType"] == "OperationOutcome"
    manifest = wait_for_manifest(kick_off(live_server.base_url, token), token)
    assert [o["type"] for o in manifest["output"]] == ["Patient"]


@pytest.mark.parametrize("alg", ["ES384"])
def test_es384_keys_work_too(live_server, tmp_path, alg):
    app = register_backend_app(live_server, tmp_path, alg)
    assert app.token_request().status_code == 200


def test_assertions_are_checked(live_server, backend_app):
    once = backend_app.assertion()
    assert backend_app.token_request(assertion=once).status_code == 200
    replay = backend_app.token_request(assertion=once)
    assert replay.status_code == 401 and "jti" in replay.json()["error_description"]
    bad = {"aud": live_server.base_url + "/elsewhere", "exp": int(time.time()) + 3600,
           "sub": "someone-else"}
    for claim, value in bad.items():
        response = backend_app.token_request(assertion=backend_app.assertion(**{claim: value}))
        assert response.status_code == 401 and response.json()["error"] == "invalid_client", claim
    assert backend_app.token_request(scope="patient/*.read").json()["error"] == "invalid_scope"
    stranger = register_backend_app(live_server, Path(live_server.db_path).parent)
    forged = stranger.assertion(iss=backend_app.client_id, sub=backend_app.client_id)
    assert backend_app.token_request(assertion=forged).status_code == 401


def test_tokens_do_not_cross_between_patient_and_system_routes(live_server, system_token, dataset_ids):
    patient_id = dataset_ids["Patient"][0][0]
    patient_token = issue_test_token(live_server.db_path, patient_id)
    refused = requests.get(f"{live_server.base_url}/v2/fhir/Patient/$export",
                           headers=bearer(patient_token, **KICK_OFF_HEADERS))
    assert refused.status_code == 403 and refused.json()["resourceType"] == "OperationOutcome"
    assert requests.get(f"{live_server.base_url}/v2/fhir/Patient/", headers=bearer(system_token)).status_code == 401


@pytest.mark.parametrize("path, params, headers, status", [
    ("/v2/fhir/Group/all/$export", {}, {"Accept": "application/fhir+json"}, 400),      # no Prefer
    ("/v2/fhir/Group/nobody/$export", {}, KICK_OFF_HEADERS, 404),
    ("/v2/fhir/Patient/$export", {"_outputFormat": "text/csv"}, KICK_OFF_HEADERS, 400),
    ("/v2/fhir/Patient/$export", {"_type": "Observation"}, KICK_OFF_HEADERS, 400),
    ("/v2/fhir/Patient/$export", {"_since": "last week"}, KICK_OFF_HEADERS, 400),
])
def test_bad_kick_offs_are_operation_outcomes(live_server, system_token, path, params, headers, status):
    response = requests.get(live_server.base_url + path, params=params, headers=bearer(system_token, **headers))
    assert response.status_code == status
    assert response.json()["issue"][0]["severity"] == "error" and response.json()["issue"][0]["diagnostics"]


def _insert_job(db_path, client_id: str, status: str, heartbeat: float, progress: str = "") -> str:
    job_id = f"test{time.time_ns()}"
    conn = sqlite3.connect(db_path, timeout=30)
    with conn:
        conn.execute("INSERT INTO export_job"
                     " (id, client_id, request_url, types, status, progress, created_at, heartbeat)"
                     " VALUES (?, ?, 'http://test/v2/fhir/Patient/$export', '[\"Patient\"]', ?, ?, ?, ?)",
                     (job_id, client_id, status, progress, time.time(), heartbeat))
    conn.close()
    return job_id


def test_running_job_reports_progress_and_can_be_cancelled(live_server, backend_app, system_token):
    job_id = _insert_job(live_server.db_path, backend_app.client_id, "running", time.time() + 3600,
                         "40% (2 of 5 resources)")
    status_url = f"{live_server.base_url}/v2/fhir/bulk-status/{job_id}"
    polled = requests.get(status_url, headers=bearer(system_token))
    assert (polled.status_code == 202 and polled.headers["X-Progress"] == "40% (2 of 5 resources)"
            and polled.headers["Retry-After"] == "1")
    assert requests.delete(status_url, headers=bearer(system_token)).status_code == 202
    gone = requests.get(status_url, headers=bearer(system_token))
    assert gone.status_code == 404 and "cancelled" in gone.json()["issue"][0]["diagnostics"]


def test_a_job_whose_worker_died_is_resumed(live_server, backend_app, system_token):
    job_id = _insert_job(live_server.db_path, backend_app.client_id, "running", heartbeat=0)  # as after a crash
    manifest = wait_for_manifest(f"{live_server.base_url}/v2/fhir/bulk-status/{job_id}", system_token)
    assert [o["type"] for o in manifest["output"]] == ["Patient"]


def test_finished_exports_survive_a_restart_and_expire(live_server, system_token, dataset_ids):
    from support.live import free_port, start_server, stop_server

    manifest = wait_for_manifest(kick_off(live_server.base_url, system_token, _type="Patient"), system_token)
    job_id = manifest["output"][0]["url"].split("/")[-2]
    port = free_port()
    proc = start_server(live_server.db_path, port, workers=1)
    try:
        restarted = f"http://127.0.0.1:{port}"
        again = requests.get(f"{restarted}/v2/fhir/bulk-status/{job_id}", headers=bearer(system_token)).json()
        assert ([(o["type"], o["count"]) for o in again["output"]]
                == [(o["type"], o["count"]) for o in manifest["output"]])
        assert all(o["url"].startswith(restarted) for o in again["output"])
        assert len(download(again, system_token)["Patient"]) == len(dataset_ids["Patient"])
    finally:
        stop_server(proc)
    conn = sqlite3.connect(live_server.db_path, timeout=30)
    with conn:  # time passes: the export's time to live is over
        conn.execute("UPDATE export_job SET expires_at = 0 WHERE id = ?", (job_id,))
    conn.close()
    expired = requests.get(f"{live_server.base_url}/v2/fhir/bulk-status/{job_id}", headers=bearer(system_token))
    assert expired.status_code == 404 and "expired" in expired.json()["issue"][0]["diagnostics"]
    assert not (Path(live_server.db_path).parent / "exports" / job_id).exists()
    assert requests.get(manifest["output"][0]["url"], headers=bearer(system_token)).status_code == 404
