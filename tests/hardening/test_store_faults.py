"""Store faults while serving: the store deleted, replaced by another file, or on a file system turned
read-only; a failed export's files; and who may read the store and the exports (owner only). The server
refuses with JSON (503) instead of serving from a different file, never answers with an HTML 500, and
stays up."""
from __future__ import annotations

import os
import stat
import subprocess

import pytest
import requests

from tests.beyond.conftest import register_backend_app
from tests.beyond.test_bulk_export import bearer, kick_off, wait_for_manifest
from support.live import small_tmpfs
from tests.hardening.conftest import copy_store, private_server


def _json_503(response: requests.Response, words: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"].startswith("application/json") and words in response.json()["detail"]


def _token_request(srv, app, tokens) -> requests.Response:
    return requests.post(f"{srv.base_url}/v2/o/token/", auth=(app.client_id, app.client_secret),
                         data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})


def test_a_deleted_store_is_noticed_and_refused_cleanly(server):
    oauth = server.oauth
    app = oauth.register()
    tokens = oauth.tokens_for(app, oauth.login(0))
    for path in server.db_path.parent.glob(server.db_path.name + "*"):
        path.unlink()
    _json_503(requests.get(f"{server.base_url}/health"), "deleted")
    _json_503(oauth.get("/v2/fhir/ExplanationOfBenefit", tokens["access_token"]), "deleted")
    _json_503(_token_request(server, app, tokens), "deleted")
    assert not server.db_path.exists()  # no worker made itself a new, empty store (with a new demo secret)
    assert server.proc.poll() is None


def test_a_replaced_store_is_noticed(server, db_path):
    other = copy_store(db_path, server.db_path.parent / "other.db")
    os.replace(other, server.db_path)
    _json_503(requests.get(f"{server.base_url}/health"), "replaced")
    _json_503(requests.get(f"{server.base_url}/"), "replaced")


def test_store_and_exports_are_owner_only(live_server, tmp_path):
    for path in live_server.db_path.parent.glob(live_server.db_path.name + "*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    app = register_backend_app(live_server, tmp_path)
    token = app.token()
    manifest = wait_for_manifest(kick_off(live_server.base_url, token, _type="Patient"), token)
    job_dir = live_server.db_path.parent / "exports" / manifest["output"][0]["url"].split("/")[-2]
    assert stat.S_IMODE(job_dir.parent.stat().st_mode) == 0o700 and stat.S_IMODE(job_dir.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in job_dir.iterdir())


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs (needs root and mount; skipped otherwise)."""
    with small_tmpfs(tmp_path / "mnt", "64k") as mount_point:
        if mount_point is None:
            pytest.skip("cannot mount a small tmpfs here (needs root)")
        yield mount_point


def _chattr(flag: str, path) -> None:
    result = subprocess.run(["chattr", flag, str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot change the store's attributes here: {result.stderr.strip() or 'chattr failed'}")


def test_a_read_only_store_refuses_writes_as_json_and_keeps_serving_reads(server):
    oauth = server.oauth
    app = oauth.register()
    tokens = oauth.tokens_for(app, oauth.login(0))
    _chattr("+i", server.db_path)  # immutable: not writable even for root
    try:
        _json_503(requests.get(f"{server.base_url}/health"), "read-only")
        _json_503(_token_request(server, app, tokens), "read-only")
        _json_503(requests.get(f"{server.base_url}/v2/o/login/", params={"next": "/v2/o/authorize/"}), "read-only")
        assert oauth.get("/v2/fhir/ExplanationOfBenefit", tokens["access_token"]).status_code == 200
        assert server.proc.poll() is None
    finally:
        _chattr("-i", server.db_path)
    assert requests.get(f"{server.base_url}/health").status_code == 200
    assert _token_request(server, app, tokens).status_code == 200


def test_a_failed_export_deletes_its_files(live_server, tmp_path, small_disk):
    point = small_disk
    with private_server(live_server.db_path, tmp_path / "srv") as srv:
        exports = srv.db_path.parent / "exports"
        exports.mkdir(mode=0o700, exist_ok=True)
        subprocess.run(["mount", "--bind", str(point), str(exports)], check=True)
        try:
            app = register_backend_app(srv, tmp_path)
            token = app.token()
            status_url = kick_off(srv.base_url, token)
            for _ in range(200):
                polled = requests.get(status_url, headers=bearer(token))
                if polled.status_code != 202:
                    break
            assert polled.status_code == 500 and "No space left" in polled.json()["issue"][0]["diagnostics"]
            assert list(exports.iterdir()) == []  # the half-written files are gone
            assert requests.get(f"{srv.base_url}/health").status_code == 200
        finally:
            subprocess.run(["umount", "-l", str(exports)], check=False)
