"""`medisynth apps …` and `medisynth users` on a real store file, through the real CLI."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(dataset_dir, tmp_path) -> Path:
    """A private store with the test dataset loaded, so these tests may add and delete apps freely."""
    from sandbox.store import load_dataset

    load_dataset(dataset_dir, tmp_path / "sandbox.db")
    return tmp_path / "sandbox.db"


def medisynth(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, cwd=ROOT)


def test_apps_create_list_delete(store):
    created = medisynth("apps", "create", "--name", "My app", "--redirect-uri", "http://localhost:3000/cb",
                        "--redirect-uri", "https://app.example/cb", "--data-access", "one-time", "--json",
                        "--db", str(store))
    assert created.returncode == 0, created.stderr
    app = json.loads(created.stdout)
    assert len(app["client_id"]) == 40 and app["client_id"].isalnum()
    assert len(app["client_secret"]) == 128 and app["client_secret"].isalnum()
    assert (app["data_access"], app["redirect_uris"]) == ("one-time", ["http://localhost:3000/cb", "https://app.example/cb"])
    assert app["client_secret"].encode() not in store.read_bytes()  # stored hashed only

    listed = json.loads(medisynth("apps", "list", "--json", "--db", str(store)).stdout)
    assert [a["client_id"] for a in listed] == [app["client_id"]]
    assert all("client_secret" not in a for a in listed)
    assert "My app" in medisynth("apps", "list", "--db", str(store)).stdout

    deleted = medisynth("apps", "delete", app["client_id"], "--db", str(store))
    assert deleted.returncode == 0 and app["client_id"] in deleted.stdout
    assert json.loads(medisynth("apps", "list", "--json", "--db", str(store)).stdout) == []


def test_bad_app_options_are_one_line_errors(store):
    for args in (["apps", "delete", "nope"], ["apps", "create", "--name", "x", "--redirect-uri", "not a url"]):
        result = medisynth(*args, "--db", str(store))
        assert result.returncode == 1 and result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


def test_users_lists_logins_in_patient_order(store):
    from sandbox.store import connect, patient_ids

    users = json.loads(medisynth("users", "--limit", "3", "--json", "--db", str(store)).stdout)
    conn = connect(store)
    try:
        expected_ids = patient_ids(conn, limit=3)
    finally:
        conn.close()
    assert [u["patient_id"] for u in users] == expected_ids
    assert [(u["username"], u["password"]) for u in users] == [
        ("BBUser00000", "PW00000!"), ("BBUser00001", "PW00001!"), ("BBUser00002", "PW00002!")]
    assert all(u["name"] for u in users)


def test_serve_banner_shows_the_demo_app_and_logins(store):
    from sandbox.auth.apps import ensure_demo_app
    from sandbox.auth.banner import serve_banner

    banner = serve_banner(store, "http://localhost:8000")
    demo = ensure_demo_app(store)
    assert demo["client_secret"] in banner and demo["client_id"] in banner
    assert "http://localhost:3000/callback" in banner and "BBUser00002 / PW00002!" in banner
    assert ensure_demo_app(store) == demo  # the same credentials on every start
