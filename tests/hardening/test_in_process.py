"""Fast in-process checks (Flask test client on a temporary store, no server): the app factory's lack of
side effects, migrations of an old store, JSON errors, the Host check, and an export whose progress writes
meet a store locked by another process's writer."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from sandbox import store
from sandbox.app import create_app, open_store, prepare_store
from sandbox.bulk import jobs, runner
from sandbox.db import Migration, Schema
from sandbox.errors import StoreError


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, dataset_dir) -> Path:
    db = tmp_path_factory.mktemp("inproc") / "sandbox.db"
    store.load_dataset(dataset_dir, db)
    prepare_store({"DB_PATH": str(db)})
    return db


def test_building_the_app_creates_nothing_and_starts_nothing(tmp_path):
    before = {t.name for t in threading.enumerate()}
    app = create_app({"DB_PATH": str(tmp_path / "absent.db")})
    response = app.test_client().get("/health")
    assert not (tmp_path / "absent.db").exists() and not (tmp_path / "exports").exists()
    assert {t.name for t in threading.enumerate()} - before == set()
    assert response.status_code == 503 and "does not exist" in response.json["detail"]


def test_an_old_store_is_migrated_and_keeps_its_rows(tmp_path):
    db = tmp_path / "old.db"
    schema = create_app({"DB_PATH": str(db)}).extensions["medisynth_db"].schema
    conn = sqlite3.connect(db)
    for migration in schema.pending(0)[:4]:  # the tables as releases before schema versions made them
        conn.executescript(migration.sql)
    conn.execute("INSERT INTO auth_token (access_hash, refresh_hash, client_id, patient_id, scope, expires_at,"
                 " created_at) VALUES ('a', 'r', 'c', 'p', 's', 1, 1)")
    conn.commit()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()
    database = open_store(db)
    conn = database.connection()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.version
    assert "family" in {row[1] for row in conn.execute("PRAGMA table_info(auth_token)")}
    assert [tuple(r) for r in conn.execute("SELECT client_id FROM auth_token")] == [("c",)]
    assert database.problem() is None
    conn.execute(f"PRAGMA user_version = {schema.version + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer medisynth"):
        open_store(db)


def test_schema_versions_are_one_registry():
    schema = Schema()
    schema.add(Migration(1, "a", "CREATE TABLE a (x);"), Migration(3, "b", "CREATE TABLE b (x);"))
    with pytest.raises(ValueError, match="not registered"):
        schema.pending(0)
    with pytest.raises(ValueError, match="claimed by"):
        schema.add(Migration(1, "c", "CREATE TABLE c (x);"))


def test_unexpected_errors_are_json(loaded):
    app = create_app({"DB_PATH": str(loaded)})

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    response = app.test_client().get("/boom")
    assert response.status_code == 500 and response.is_json and "a bug" not in response.get_data(as_text=True)


def test_hosts_other_than_the_served_ones_are_refused(loaded):
    client = create_app({"DB_PATH": str(loaded), "PORT": 8000}).test_client()
    assert client.get("/health", headers={"Host": "localhost:8000"}).status_code == 200
    assert client.get("/health", headers={"Host": "[::1]:8000"}).status_code == 200
    for host in ("localhost:8001", "attacker.example:8000", "127.0.0.1.attacker.example", "localhost:80x"):
        assert client.get("/health", headers={"Host": host}).status_code == 400, host


def test_an_export_waits_out_another_writer_instead_of_failing(loaded, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "HEARTBEAT_ROWS", 50)  # many progress writes, each a transaction of its own
    database = open_store(loaded)
    with database.write() as conn:
        job = jobs.create_job(conn, "client", "http://localhost/v2/fhir/Patient/$export",
                              ["Patient", "Coverage", "ExplanationOfBenefit"], None)
    other = sqlite3.connect(loaded, timeout=30, isolation_level=None, check_same_thread=False)
    held = threading.Event()

    def hold_the_lock():  # another process's write transaction, long enough to meet a heartbeat
        other.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(1.5)
        other.execute("COMMIT")

    locker = threading.Thread(target=hold_the_lock)
    locker.start()
    assert held.wait(timeout=30)
    runner.run_pending(database, tmp_path / "exports", 60)
    locker.join()
    done = jobs.find_job(database.read(), job.id)
    assert done.status == "complete", done.error
    assert sum(o["count"] for o in done.output) == sum(
        store.export_count(database.read(), t, None) for t in ("Patient", "Coverage", "ExplanationOfBenefit"))
