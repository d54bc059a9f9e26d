"""Faults against a real server and store: the server killed with SIGKILL under load, a `medisynth load`
killed halfway while a second load waits, and the disk filling up during load and generate. Nothing may
be lost or corrupted, and every failure is one clear line."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest
import requests

from support.live import ROOT, free_port, small_tmpfs, start_server, stop_server
from support.oauth_flow import OAuthHelper


def _copy_store(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def _eob_total(base_url: str, token: str) -> int:
    return requests.get(f"{base_url}/v2/fhir/ExplanationOfBenefit", headers={"Authorization": f"Bearer {token}"},
                        timeout=30).json()["total"]


def _kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL the server and its workers, one pid at a time."""
    for child in psutil.Process(proc.pid).children(recursive=True):
        child.send_signal(signal.SIGKILL)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_server_killed_under_load_keeps_apps_grants_and_tokens(db_path, tmp_path):
    db = _copy_store(db_path, tmp_path / "sandbox.db")
    port = free_port()
    proc = start_server(db, port)
    oauth = OAuthHelper(f"http://127.0.0.1:{port}", db)
    app, busy_app = oauth.register(), oauth.register()
    kept = oauth.tokens_for(app, oauth.login(0))
    busy = [oauth.tokens_for(busy_app, oauth.login(n)) for n in range(1, 5)]
    stop = threading.Event()

    def hammer(tokens: dict) -> None:  # refresh and read until the server dies under it
        while not stop.is_set():
            try:
                fresh = oauth.refresh(busy_app, tokens["refresh_token"]).json()
                tokens.update(fresh)
                oauth.get("/v2/fhir/ExplanationOfBenefit?_count=50", tokens["access_token"])
            except (requests.RequestException, ValueError, KeyError):
                return

    threads = [threading.Thread(target=hammer, args=(t,)) for t in busy]
    for t in threads:
        t.start()
    try:
        threading.Event().wait(1.5)
    finally:
        _kill_tree(proc)
        stop.set()
        for t in threads:
            t.join()
    assert _integrity(db) == "ok"

    proc = start_server(db, port)
    try:
        assert _eob_total(oauth.base_url, kept["access_token"]) > 0
        assert oauth.refresh(app, kept["refresh_token"]).status_code == 200  # app, grant and token pair intact
    finally:
        stop_server(proc)


def _load(dataset: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "load", str(dataset), "--db", str(db)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_load_killed_halfway_while_another_waits_leaves_the_served_dataset(db_path, dataset_dir, tmp_path):
    db = _copy_store(db_path, tmp_path / "sandbox.db")
    halfway = tmp_path / "halfway"
    halfway.mkdir()
    for path in dataset_dir.iterdir():
        (halfway / path.name).symlink_to(path)
    eobs = halfway / "ExplanationOfBenefit.ndjson"
    lines = eobs.read_bytes().splitlines(keepends=True)
    eobs.unlink()
    os.mkfifo(eobs)
    port = free_port()
    proc = start_server(db, port, workers=1)
    oauth = OAuthHelper(f"http://127.0.0.1:{port}", db)
    base_url, token = oauth.base_url, oauth.tokens_for(oauth.register(), oauth.login(0))["access_token"]
    try:
        before = _eob_total(base_url, token)
        first = _load(halfway, db)
        fifo = os.open(eobs, os.O_WRONLY)  # returns once the first load reads EOBs: its transaction holds the lock
        try:
            os.write(fifo, b"".join(lines[: len(lines) // 2]))
            second = _load(dataset_dir, db)
            with pytest.raises(subprocess.TimeoutExpired):
                second.wait(timeout=2)  # waits for the first load's lock
            assert _eob_total(base_url, token) == before  # still served meanwhile
        finally:
            first.kill()
            first.wait()
            os.close(fifo)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0 and out.startswith("Loaded "), err
        assert _eob_total(base_url, token) == before and _integrity(db) == "ok"
    finally:
        stop_server(proc)


@pytest.fixture
def small_disk(tmp_path):
    """A 6 MiB tmpfs (needs root and mount; skipped otherwise)."""
    with small_tmpfs(tmp_path / "disk", "6m") as mount_point:
        if mount_point is None:
            pytest.skip("cannot mount a small tmpfs here (needs root)")
        yield mount_point


def _cli(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *map(str, argv)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def _assert_one_error_line(result: subprocess.CompletedProcess, *expected: str) -> None:
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


def test_disk_full_during_load_and_generate(small_disk, dataset_dir):
    db = small_disk / "sandbox.db"
    _assert_one_error_line(_cli("load", dataset_dir, "--db", db), "disk is full", "previous dataset is unchanged")
    assert _integrity(db) == "ok"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM eob").fetchone()[0] == 0

    out = small_disk / "generated"
    _assert_one_error_line(_cli("generate", "-n", "40", "--seed", "7", "--out", out, "--workers", "1", "--quiet"),
                           "No space left on device")
    finished = {"manifest.json", "Patient.ndjson", "Coverage.ndjson", "ExplanationOfBenefit.ndjson"}
    assert not finished & {p.name for p in out.iterdir()}  # nothing half-written under a final name
