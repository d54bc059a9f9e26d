"""Every query the API serves runs on an index (EXPLAIN QUERY PLAN of the statements the store really runs):
searches and reads never scan a dataset table or sort in a temporary B-tree, counts of a patient's coverage
and claims never touch the rows; only a bulk export reads a whole table, in storage order."""
from __future__ import annotations

import re
from contextlib import closing

import pytest

from sandbox import store
from sandbox.store import Query

DATASET_TABLES = ("patient", "coverage", "eob")
SINCE_MS = 1_700_000_000_000


def served_statements(conn, patient_id: str, mbi: str, coverage_id: str, eob_id: str) -> list[str]:
    """The SQL (with its values) of every store call behind a FHIR read, search, and the portal's lookups."""
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    queries = [
        Query("Patient", patient_id), Query("Patient", patient_id, identifiers=(("id", patient_id), ("mbi", mbi))),
        Query("Coverage", patient_id), Query("Coverage", patient_id, last_updated=((">=", SINCE_MS),)),
        Query("ExplanationOfBenefit", patient_id),
        Query("ExplanationOfBenefit", patient_id, last_updated=((">", SINCE_MS), ("<=", SINCE_MS * 2)),
              service_date=((">=", "2025-01-01"), ("<", "2025-07-01")), claim_types=frozenset({"carrier", "pde"})),
    ]
    for query in queries:
        for offset in (0, 10):
            store.search(conn, query, offset, 10)
    for resource_type, resource_id in (("Patient", patient_id), ("Coverage", coverage_id),
                                       ("ExplanationOfBenefit", eob_id)):
        store.read_resource(conn, resource_type, resource_id)
    store.patient_names(conn, patient_id)
    store.patient_exists(conn, patient_id)
    store.patient_by_ordinal(conn, 1)
    conn.set_trace_callback(None)
    return [s for s in seen if re.search(rf"\bFROM ({'|'.join(DATASET_TABLES)})\b", s)]


def plan(conn, statement: str) -> list[str]:
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement)]


@pytest.fixture(scope="module")
def conn(db_path):
    with closing(store.connect(db_path)) as connection:
        yield connection


@pytest.fixture(scope="module")
def ids(conn) -> tuple[str, str, str, str]:
    patient_id, mbi = conn.execute("SELECT id, mbi FROM patient ORDER BY ordinal LIMIT 1").fetchone()
    coverage = conn.execute("SELECT id FROM coverage WHERE patient_id = ?", (patient_id,)).fetchone()[0]
    eob = conn.execute("SELECT id FROM eob WHERE patient_id = ?", (patient_id,)).fetchone()[0]
    return patient_id, mbi, coverage, eob


def test_every_served_query_runs_on_an_index(conn, ids):
    statements = served_statements(conn, *ids)
    assert len(statements) >= 20
    for statement in statements:
        steps = plan(conn, statement)
        on_tables = [s for s in steps if re.search(rf"\b({'|'.join(DATASET_TABLES)})\b", s)]
        assert on_tables and all(s.startswith("SEARCH ") for s in on_tables), (statement, steps)
        assert not any("TEMP B-TREE" in s for s in steps), (statement, steps)
        if "count(*)" in statement and "FROM patient" not in statement:  # a patient is one row, by unique id
            assert all("COVERING INDEX" in s for s in on_tables), (statement, steps)


def test_only_a_bulk_export_reads_a_whole_table_in_storage_order(conn):
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    for resource_type in store.TABLES:
        for since in (None, SINCE_MS):
            store.export_count(conn, resource_type, since)
            list(store.export_rows(conn, resource_type, since))
    conn.set_trace_callback(None)
    assert len(seen) == 12
    for statement in seen:
        steps = plan(conn, statement)
        assert not any("TEMP B-TREE" in s for s in steps), (statement, steps)
        if "count(*)" in statement:  # a count reads an index, never the rows
            assert all("COVERING INDEX" in s for s in steps), (statement, steps)
