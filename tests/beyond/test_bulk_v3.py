"""Bulk $export on v2 and v3 through real clients: SMART's own bulk client `smart-fetch` (PyPI; SMART's
`bulk-data-client` is not on npm) runs unchanged against the live server, finding the token endpoint in
the SMART configuration and authenticating with a private_key_jwt; it knows only US Core resource types,
so it exports Patient. Coverage and ExplanationOfBenefit on v3 go through plain HTTP (requests), and every
line must carry v3 ids and CARIN BB 2.x profiles, never the v2 patient id."""
from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sandbox.v3.ids import v3_patient_id
from tests.beyond.test_bulk_export import bearer, download, kick_off, wait_for_manifest
from tests.fhir.conftest import read_ndjson

SMART_FETCH = Path(sys.executable).with_name("smart-fetch")
FETCH_SECONDS = 180


@pytest.fixture(scope="module")
def signing_jwks(backend_app, tmp_path_factory) -> Path:
    """The backend app's private key as the JWKS file smart-fetch reads (a key with `alg` and sign rights)."""
    key = {**backend_app.key.as_dict(private=True), "alg": backend_app.alg, "key_ops": ["sign"]}
    path = tmp_path_factory.mktemp("smart-fetch") / "private.jwks"
    path.write_text(json.dumps({"keys": [key]}))
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def dataset_patients(dataset_dir) -> list[str]:
    return [r["id"] for _, r in read_ndjson(dataset_dir, "Patient")]


def smart_fetch_patients(base_url: str, version: int, client_id: str, jwks: Path, out: Path) -> list[dict]:
    """`smart-fetch bulk` of Group/all on /v{version}/fhir into `out`; the Patients it wrote."""
    if not SMART_FETCH.exists():
        pytest.fail(f"{SMART_FETCH} is missing: install the test extras (pip install -e '.[test]')", pytrace=False)
    result = subprocess.run(
        [str(SMART_FETCH), "bulk", str(out), "--fhir-url", f"{base_url}/v{version}/fhir", "--group", "all",
         "--type", "Patient", "--smart-client-id", client_id, "--smart-key", str(jwks)],
        capture_output=True, text=True, timeout=FETCH_SECONDS)
    assert result.returncode == 0, f"smart-fetch exited {result.returncode}: {result.stderr[-2000:]}"
    files = sorted(out.glob("Patient.*.ndjson.gz"))
    assert files, f"smart-fetch wrote no Patient file: {sorted(p.name for p in out.iterdir())}"
    return [json.loads(line) for f in files for line in gzip.decompress(f.read_bytes()).splitlines() if line.strip()]


@pytest.mark.parametrize("version", [2, 3])
def test_smart_fetch_exports_each_versions_patients(live_server, backend_app, signing_jwks, dataset_patients,
                                                    tmp_path, version):
    patients = smart_fetch_patients(live_server.base_url, version, backend_app.client_id, signing_jwks,
                                    tmp_path / f"v{version}")
    expected = dataset_patients if version == 2 else [v3_patient_id(p) for p in dataset_patients]
    assert sorted(p["id"] for p in patients) == sorted(expected)
    kickoffs = [json.loads(line) for line in (tmp_path / f"v{version}" / "log.ndjson").read_text().splitlines()]
    urls = [e["eventDetail"]["exportUrl"] for e in kickoffs if e["eventId"] == "kickoff"]
    assert urls and all(f"/v{version}/fhir/Group/all/$export" in u for u in urls), urls


def test_v3_export_carries_v3_ids_everywhere(live_server, backend_app, dataset_dir, dataset_patients):
    token = backend_app.token()
    status_url = kick_off(live_server.base_url, token, "/v3/fhir/Group/all/$export")
    assert "/v3/fhir/bulk-status/" in status_url
    manifest = wait_for_manifest(status_url, token)
    assert manifest["request"].endswith("/v3/fhir/Group/all/$export")
    assert all("/v3/fhir/bulk-files/" in o["url"] for o in manifest["output"])
    exported = download(manifest, token, gzipped=True)
    v3_ids = {v3_patient_id(p) for p in dataset_patients}
    assert {r["id"] for r in exported["Patient"]} == v3_ids
    coverages, eobs = exported["Coverage"], exported["ExplanationOfBenefit"]
    assert len(coverages) == sum(1 for _ in read_ndjson(dataset_dir, "Coverage"))
    assert len(eobs) == sum(1 for _ in read_ndjson(dataset_dir, "ExplanationOfBenefit"))
    assert {c["beneficiary"]["reference"].removeprefix("Patient/") for c in coverages} <= v3_ids
    assert all(re.fullmatch(r"part-[abcd]-" + re.escape(c["beneficiary"]["reference"].removeprefix("Patient/")),
                            c["id"]) for c in coverages)
    assert {e["patient"]["reference"].removeprefix("Patient/") for e in eobs} <= v3_ids
    assert all(p.endswith("|2.1.0") for e in eobs for p in e["meta"]["profile"] if "/C4BB-" in p)
    everything = json.dumps(exported)
    assert not [p for p in dataset_patients if f'"{p}"' in everything or f"/{p}\"" in everything]


def test_an_export_is_seen_only_under_its_own_version(live_server, backend_app):
    token = backend_app.token()
    status_url = kick_off(live_server.base_url, token, "/v3/fhir/Patient/$export", _type="Patient")
    wait_for_manifest(status_url, token)
    on_v2 = requests.get(status_url.replace("/v3/fhir/", "/v2/fhir/"), headers=bearer(token))
    assert on_v2.status_code == 404 and on_v2.json()["resourceType"] == "OperationOutcome"
