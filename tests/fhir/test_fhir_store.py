"""The store: load, reload keeping other tables, failed loads that change nothing, gzipped datasets."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.auth.tokens import issue_test_token
from sandbox.errors import DatasetLoadError
from sandbox.store import connect, load_dataset, patient_by_ordinal, patient_ids, store_is_empty

DATASET_TABLES = ("patient", "coverage", "eob")
ROOT = Path(__file__).resolve().parents[2]


def fingerprint(db) -> str:
    """A digest of every dataset row, to prove a failed load changed nothing."""
    conn = connect(db)
    digest = hashlib.sha256()
    for table in DATASET_TABLES:
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY id"):
            digest.update(repr(tuple(row)).encode())
    conn.close()
    return digest.hexdigest()


@pytest.fixture
def loaded_db(tmp_path, dataset_dir):
    db = tmp_path / "store.db"
    load_dataset(dataset_dir, db)
    return db


@pytest.fixture
def copy_of_dataset(tmp_path, dataset_dir):
    return shutil.copytree(dataset_dir, tmp_path / "copy")


def test_load_keeps_bytes_order_and_counts(loaded_db, dataset_dir, read_ndjson):
    conn = connect(loaded_db)
    patients = read_ndjson(dataset_dir, "Patient")
    assert patient_ids(conn, limit=len(patients) + 5) == [p["id"] for _, p in patients]
    assert patient_ids(conn, limit=2, offset=1) == [p["id"] for _, p in patients[1:3]]
    first = patient_by_ordinal(conn, 0)
    assert first["json"] == patients[0][0] and first["id"] == patients[0][1]["id"]
    assert first["mbi"] and first["birth_date"] == patients[0][1]["birthDate"]
    assert patient_by_ordinal(conn, len(patients)) is None
    for resource_type, table in (("Coverage", "coverage"), ("ExplanationOfBenefit", "eob")):
        lines = read_ndjson(dataset_dir, resource_type)
        stored = dict(conn.execute(f"SELECT id, json FROM {table}").fetchall())
        assert stored == {res["id"]: raw for raw, res in lines}
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not store_is_empty(loaded_db)


def test_reload_replaces_the_dataset_and_keeps_other_tables(loaded_db, copy_of_dataset, dataset_dir):
    conn = connect(loaded_db)
    conn.execute("CREATE TABLE IF NOT EXISTS someone_elses (name TEXT)")
    conn.execute("INSERT INTO someone_elses VALUES ('kept')")
    conn.commit()
    issue_test_token(loaded_db, patient_ids(conn, limit=1)[0])
    tokens = conn.execute("SELECT count(*) FROM auth_token").fetchone()[0]
    before, eobs = fingerprint(loaded_db), conn.execute("SELECT count(*) FROM eob").fetchone()[0]

    path = copy_of_dataset / "ExplanationOfBenefit.ndjson"
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:-1]))
    manifest = json.loads((copy_of_dataset / "manifest.json").read_text())
    next(o for o in manifest["output"] if o["type"] == "ExplanationOfBenefit")["count"] -= 1
    (copy_of_dataset / "manifest.json").write_text(json.dumps(manifest))
    load_dataset(copy_of_dataset, loaded_db)
    assert conn.execute("SELECT count(*) FROM eob").fetchone()[0] == eobs - 1

    load_dataset(dataset_dir, loaded_db)
    assert fingerprint(loaded_db) == before
    assert [tuple(r) for r in conn.execute("SELECT name FROM someone_elses")] == [("kept",)]
    assert conn.execute("SELECT count(*) FROM auth_token").fetchone()[0] == tokens


def _assert_load_fails(dataset, db, *fragments):
    before = fingerprint(db)
    with pytest.raises(DatasetLoadError) as failure:
        load_dataset(dataset, db)
    for fragment in fragments:
        assert fragment in str(failure.value)
    assert fingerprint(db) == before


def test_truncated_line_names_file_and_line_and_changes_nothing(loaded_db, copy_of_dataset):
    path = copy_of_dataset / "ExplanationOfBenefit.ndjson"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2][: len(lines[2]) // 2] + b"\n"
    path.write_bytes(b"".join(lines))
    _assert_load_fails(copy_of_dataset, loaded_db, "ExplanationOfBenefit.ndjson", "line 3")


def test_unknown_resource_type_names_file_and_line(loaded_db, copy_of_dataset):
    path = copy_of_dataset / "Coverage.ndjson"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[4] = b'{"resourceType":"Condition","id":"x"}\n'
    path.write_bytes(b"".join(lines))
    _assert_load_fails(copy_of_dataset, loaded_db, "Coverage.ndjson", "line 5", "Condition")


def test_a_file_cut_short_at_a_line_end_is_caught_by_the_manifest(loaded_db, copy_of_dataset):
    path = copy_of_dataset / "ExplanationOfBenefit.ndjson"
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:-1]))
    _assert_load_fails(copy_of_dataset, loaded_db, "ExplanationOfBenefit.ndjson", "manifest")


def test_a_load_killed_midway_leaves_the_previous_dataset(loaded_db, copy_of_dataset, dataset_dir):
    eobs = copy_of_dataset / "ExplanationOfBenefit.ndjson"
    lines = eobs.read_bytes().splitlines(keepends=True)
    eobs.unlink()
    os.mkfifo(eobs)
    before = fingerprint(loaded_db)
    loader = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "load", str(copy_of_dataset),
                               "--db", str(loaded_db)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fifo = os.open(eobs, os.O_WRONLY)  # returns once the loader reads EOBs: its transaction is under way
    try:
        os.write(fifo, b"".join(lines[: len(lines) // 2]))
    finally:
        loader.kill()
        loader.wait()
        os.close(fifo)
    assert fingerprint(loaded_db) == before
    load_dataset(dataset_dir, loaded_db)  # the store is neither locked nor damaged
    assert fingerprint(loaded_db) == before


def test_not_a_dataset(loaded_db, tmp_path, copy_of_dataset):
    (tmp_path / "empty").mkdir()
    _assert_load_fails(tmp_path / "empty", loaded_db, "not a dataset")
    _assert_load_fails(tmp_path / "missing", loaded_db, "not a dataset")
    (copy_of_dataset / "Patient.ndjson").unlink()
    _assert_load_fails(copy_of_dataset, loaded_db, "Patient.ndjson")


def test_gzipped_dataset_loads_the_same(tmp_path, loaded_db, copy_of_dataset):
    for path in list(copy_of_dataset.glob("*.ndjson")):
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
    db = tmp_path / "gz.db"
    load_dataset(copy_of_dataset, db)
    assert fingerprint(db) == fingerprint(loaded_db)


def test_load_cli_prints_one_line_errors(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "load", str(tmp_path),
                             "--db", str(tmp_path / "x.db")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and "not a dataset" in result.stderr
    assert "Traceback" not in result.stderr


def test_store_is_empty(tmp_path):
    assert store_is_empty(tmp_path / "nothing.db")
    connect(tmp_path / "fresh.db").close()
    assert store_is_empty(tmp_path / "fresh.db")
    assert isinstance(connect(tmp_path / "fresh.db"), sqlite3.Connection)
