"""Hypothesis fuzzing of the two parsers that read untrusted input: the FHIR search parameters (any names,
any values → a `Search` or an `ApiError` 400/403/404, nothing else) and the NDJSON dataset loader (a real
dataset truncated, corrupted or garbled → `DatasetLoadError` naming the file, and the previously loaded
dataset still intact). Bounded: a few hundred parser examples, a few dozen loads."""
from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from sandbox.api_errors import ApiError
from sandbox.errors import DatasetLoadError
from sandbox.fhir.params import Search, parse_search
from sandbox.store import load_dataset

PATIENT = "-10000000000001"
NAMES = ["_id", "identifier", "patient", "beneficiary", "type", "service-date", "_lastUpdated", "_count", "count",
         "startIndex", "_format", "access_token"]
VALUE_PIECES = st.sampled_from(["lt", "le", "gt", "ge", "eq", "2024", "-01", "-31", "T00:00:00", ".5", "Z", "+14:00",
                                "-12:00", "9999", "0000", "Patient/", PATIENT, "|", ",", "carrier", "pde", "https://",
                                "bluebutton.cms.gov/resources/codesystem/eob-type", "-", "1", "0", "e9", " "])
VALUES = st.one_of(st.text(max_size=40), st.lists(VALUE_PIECES, max_size=6).map("".join))


@settings(max_examples=400, deadline=None)
@given(resource_type=st.sampled_from(["Patient", "Coverage", "ExplanationOfBenefit"]),
       params=st.lists(st.tuples(st.one_of(st.sampled_from(NAMES), st.text(max_size=8)), VALUES), max_size=5))
def test_search_parser_answers_a_search_or_a_client_error(resource_type, params):
    try:
        search = parse_search(resource_type, MultiDict(params), PATIENT)
    except ApiError as error:
        assert error.status in (400, 403, 404) and error.body["detail"]
        return
    assert isinstance(search, Search) and search.query.patient_id == PATIENT
    assert 0 <= search.count <= 50 and search.start >= 0


FILES = ("Patient.ndjson", "Coverage.ndjson", "ExplanationOfBenefit.ndjson")


@pytest.fixture(scope="module")
def loaded_store(dataset_dir, tmp_path_factory) -> tuple[Path, Path]:
    """(a store with the real dataset loaded, a scratch directory for corrupted copies)."""
    db = tmp_path_factory.mktemp("fuzz-store") / "sandbox.db"
    load_dataset(dataset_dir, db)
    return db, tmp_path_factory.mktemp("fuzz-data")


def _fingerprint(db: Path) -> tuple:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT (SELECT count(*) FROM patient), (SELECT count(*) FROM coverage),"
                            " (SELECT count(*) FROM eob), (SELECT value FROM dataset_info WHERE key = 'loaded_at')"
                            ).fetchone()
    finally:
        conn.close()


def _corrupt(data: bytes, how: str, at: float, garbage: bytes) -> bytes:
    cut = int(len(data) * at)
    if how == "truncate":
        return data[:cut]
    if how == "flip":
        return data[:cut] + bytes([data[cut] ^ 0xFF]) + data[cut + 1:]
    if how == "insert":
        return data[:cut] + garbage + data[cut:]
    lines = data.splitlines(keepends=True)  # drop a line
    del lines[int(len(lines) * at)]
    return b"".join(lines)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(FILES), how=st.sampled_from(["truncate", "flip", "insert", "drop line"]),
       at=st.floats(0, 0.999), garbage=st.binary(min_size=1, max_size=20), gz=st.booleans())
def test_loader_refuses_corrupt_files_and_keeps_the_previous_dataset(loaded_store, dataset_dir, name, how, at,
                                                                     garbage, gz):
    db, scratch = loaded_store
    before = _fingerprint(db)
    target = scratch / "data"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(dataset_dir, target)
    path = target / name
    data = path.read_bytes()
    if gz:  # corrupt the compressed stream itself
        path.unlink()
        path = path.with_name(name + ".gz")
        path.write_bytes(_corrupt(gzip.compress(data), how, at, garbage))
    else:
        path.write_bytes(_corrupt(data, how, at, garbage))
    try:
        load_dataset(target, db)
    except DatasetLoadError as error:
        assert str(path) in str(error)
        assert _fingerprint(db) == before
    else:  # a harmless change (inside a string, say): the load succeeded; put the real dataset back
        load_dataset(dataset_dir, db)
