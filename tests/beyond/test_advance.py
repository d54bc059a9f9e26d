"""`medisynth advance --days N`: the claims a loaded population accrues over the next days, the same for the
same dataset, dated inside the window, for living enrolled beneficiaries, with new ids and a later
meta.lastUpdated that `_lastUpdated` finds through the live server; a second advance continues the first."""
from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import requests

from sandbox.auth.tokens import issue_test_token
from sandbox.store import connect, load_dataset
from tests.beyond.conftest import medisynth
from support.live import free_port, start_server, stop_server
from tests.fhir.conftest import read_ndjson

PERIOD_END = dt.date(2025, 12, 31)   # the test dataset's period (the default profile's)


def eob_rows(db: Path) -> dict[str, tuple]:
    """id → (patient, claim type, service start, service end, lastUpdated ms, json) of every EOB in the store."""
    with closing(connect(db)) as conn:  # the store's own connection: it decodes the compressed json column
        return {r[0]: r[1:] for r in conn.execute(
            "SELECT id, patient_id, claim_type, service_start, service_end, last_updated, json FROM eob")}


def advance(db: Path, days: int) -> str:
    result = medisynth("advance", "--days", str(days), "--db", str(db))
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def advanced(tmp_path_factory, dataset_dir):
    """Two stores with the test dataset, each advanced 7 days then 10 more: (db, rows before, after 7, after 17)."""
    stores = []
    for name in ("a", "b"):
        db = tmp_path_factory.mktemp(f"advance-{name}") / "sandbox.db"
        load_dataset(dataset_dir, db)
        before = eob_rows(db)
        assert "2026-01-01 to 2026-01-07" in advance(db, 7)
        first = eob_rows(db)
        assert "2026-01-08 to 2026-01-17" in advance(db, 10)
        stores.append((db, before, first, eob_rows(db)))
    return stores


def new_rows(old: dict, new: dict) -> dict:
    assert old.keys() <= new.keys()
    return {i: row for i, row in new.items() if i not in old}


def test_same_dataset_advanced_the_same_way_gives_the_same_claims(advanced):
    (_, _, first_a, after_a), (_, _, first_b, after_b) = advanced
    assert first_a == first_b and after_a == after_b


def test_new_claims_fall_in_their_window_for_living_enrolled_beneficiaries(advanced, dataset_dir):
    _, before, first, after = advanced[0]
    patients = {r["id"]: r for _, r in read_ndjson(dataset_dir, "Patient")}
    for rows, start, end in ((new_rows(before, first), "2026-01-01", "2026-01-07"),
                             (new_rows(first, after), "2026-01-08", "2026-01-17")):
        assert len(rows) > 5 and {row[1] for row in rows.values()} >= {"carrier", "pde"}
        for eob_id, (patient_id, _, service_start, service_end, _, _) in rows.items():
            assert start <= service_start <= service_end, eob_id
            assert service_start <= end, eob_id     # an inpatient stay may end after the window
            assert "deceasedDateTime" not in patients[patient_id], eob_id
    assert len({row[4] for row in new_rows(before, first).values()}) == 1


def test_new_claims_have_unique_ids_and_identifiers(advanced):
    _, before, _, after = advanced[0]
    claim_ids = [eob_id.partition("-")[2] for eob_id in after]
    assert len(set(claim_ids)) == len(claim_ids) == len(after)
    assert len(after) > len(before)


def test_last_updated_search_through_the_live_server_returns_exactly_the_new_claims(advanced, tmp_path):
    db, before, first, _ = advanced[0]
    served = tmp_path / "served.db"
    with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(served)) as copy:
        source.backup(copy)
    newest_before = max(row[4] for row in before.values())
    since = dt.datetime.fromtimestamp(newest_before / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    expected = set(new_rows(before, first))
    patients = {row[0] for i, row in first.items() if i in expected}
    queried = patients | {next(row[0] for row in before.values())}     # and one who may have no new claim
    port = free_port()
    proc = start_server(served, port, workers=1)
    try:
        found = set()
        for patient_id in sorted(queried):
            token = issue_test_token(served, patient_id)
            url = f"http://127.0.0.1:{port}/v2/fhir/ExplanationOfBenefit/"
            params = {"patient": patient_id, "_lastUpdated": f"gt{since}", "_count": "50"}
            while url:
                page = requests.get(url, params=params, headers={"Authorization": f"Bearer {token}"})
                assert page.status_code == 200, page.text
                bundle = page.json()
                found |= {e["resource"]["id"] for e in bundle.get("entry", [])}
                url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
                params = None
    finally:
        stop_server(proc)
    # the served store was advanced twice: claims after the first window are newer still
    second = {i for i, row in eob_rows(served).items() if i not in first and row[0] in queried}
    assert found == expected | second and expected


def test_advance_without_a_dataset_is_a_one_line_error(tmp_path):
    result = medisynth("advance", "--days", "7", "--db", str(tmp_path / "empty.db"))
    assert result.returncode != 0 and "load one first" in result.stderr and "Traceback" not in result.stderr
