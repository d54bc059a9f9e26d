"""Fixtures for the FHIR API tests: the dataset read straight from its NDJSON files, and an HTTP client
that talks to the live server with tokens issued through the OAuth store (never a route skipping auth)."""
from __future__ import annotations

import gzip
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from sandbox.auth.tokens import issue_test_token

RESOURCE_TYPES = ("Patient", "Coverage", "ExplanationOfBenefit")


def read_ndjson(directory: Path, resource_type: str) -> list[tuple[bytes, dict]]:
    """(line bytes, parsed resource) for each line of a dataset file, plain or gzipped."""
    plain = directory / f"{resource_type}.ndjson"
    data = plain.read_bytes() if plain.exists() else gzip.decompress((directory / f"{plain.name}.gz").read_bytes())
    return [(line, json.loads(line)) for line in data.splitlines() if line.strip()]


def owner(resource: dict) -> str:
    """The patient id a resource belongs to."""
    if resource["resourceType"] == "Patient":
        return resource["id"]
    ref = resource["beneficiary" if resource["resourceType"] == "Coverage" else "patient"]["reference"]
    return ref.removeprefix("Patient/")


@pytest.fixture(scope="session", name="read_ndjson")
def read_ndjson_fixture():
    """`read_ndjson(directory, resource_type)` for tests that read dataset files themselves."""
    return read_ndjson


@dataclass
class Dataset:
    """The generated dataset, grouped by patient, as the tests' independent source of truth."""
    patient_ids: list[str]
    by_patient: dict[str, dict[str, list[dict]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    raw_by_id: dict[tuple[str, str], bytes] = field(default_factory=dict)

    def resources(self, patient_id: str, resource_type: str) -> list[dict]:
        return self.by_patient[patient_id][resource_type]

    def eob_order(self, eobs: list[dict]) -> list[str]:
        """BB2's EOB order: claim id compared as strings, then type."""
        def key(eob):
            claim_type, _, claim_id = eob["id"].partition("-")
            return claim_id, claim_type
        return [e["id"] for e in sorted(eobs, key=key)]


@pytest.fixture(scope="session")
def dataset(dataset_dir) -> Dataset:
    patients = read_ndjson(dataset_dir, "Patient")
    ds = Dataset(patient_ids=[p["id"] for _, p in patients])
    for resource_type in RESOURCE_TYPES:
        for raw, res in read_ndjson(dataset_dir, resource_type):
            ds.by_patient[owner(res)][resource_type].append(res)
            ds.raw_by_id[(resource_type, res["id"])] = raw
    return ds


@pytest.fixture(scope="session")
def rich_patient(dataset) -> str:
    """The patient with the most EOBs (paging needs several pages)."""
    return max(dataset.patient_ids, key=lambda p: len(dataset.resources(p, "ExplanationOfBenefit")))


@pytest.fixture(scope="session")
def other_patient(dataset, rich_patient) -> str:
    """Another patient who has EOBs and coverage: the data no request of rich_patient may see."""
    return next(p for p in sorted(dataset.patient_ids, key=lambda p: -len(dataset.resources(p, "ExplanationOfBenefit")))
                if p != rich_patient)


class Api:
    """GETs against the live server as a given patient's token."""

    def __init__(self, base_url: str, db_path: Path):
        self.base_url = base_url
        self.db_path = db_path
        self._tokens: dict[tuple, str] = {}

    def token(self, patient_id: str, scopes: tuple[str, ...] | None = None) -> str:
        key = (patient_id, scopes)
        if key not in self._tokens:
            self._tokens[key] = issue_test_token(self.db_path, patient_id, scopes=list(scopes) if scopes else None)
        return self._tokens[key]

    def get(self, path_or_url: str, patient_id: str | None = None, scopes=None, headers=None, **kwargs):
        url = path_or_url if path_or_url.startswith("http") else self.base_url + path_or_url
        headers = dict(headers or {})
        if patient_id is not None:
            headers["Authorization"] = f"Bearer {self.token(patient_id, scopes)}"
        return requests.get(url, headers=headers, timeout=30, **kwargs)

    def walk(self, path: str, patient_id: str, **params) -> tuple[list[dict], list[dict]]:
        """Follow `next` links from the first page; (every page's Bundle, every entry's resource)."""
        bundles, url = [], None
        response = self.get(path, patient_id, params=params)
        while True:
            assert response.status_code == 200, response.text
            bundle = response.json()
            bundles.append(bundle)
            url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
            if url is None:
                break
            assert url.startswith(self.base_url + "/v2/fhir/")
            response = self.get(url, patient_id)
        return bundles, [e["resource"] for b in bundles for e in b.get("entry", [])]


@pytest.fixture(scope="session")
def api(live_server) -> Api:
    return Api(live_server.base_url, live_server.db_path)
