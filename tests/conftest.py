"""Shared fixtures: a freshly generated small dataset, a store with it loaded, and the real server on loopback.

`dataset_dir` → `db_path` → `live_server` (gunicorn via `medisynth serve`, on a free port). All session-scoped:
tests must not change the dataset tables; they may add their own apps and tokens. `oauth` and `browser` walk
the OAuth flow against the live server (support/oauth_flow.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from support.live import ROOT, free_port, generate_dataset, start_server, stop_server  # noqa: F401 (ROOT: tests/generator)


@pytest.fixture(scope="session")
def dataset_dir(tmp_path_factory) -> Path:
    return generate_dataset(tmp_path_factory.mktemp("dataset") / "data")


@pytest.fixture(scope="session")
def db_path(tmp_path_factory, dataset_dir) -> Path:
    from sandbox.store import load_dataset

    db = tmp_path_factory.mktemp("store") / "sandbox.db"
    load_dataset(dataset_dir, db)
    return db


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    db_path: Path


# The shared server is set up as one behind a TLS proxy would be (trusting its X-Forwarded-* headers, with a
# public hosts); tests reach it directly on loopback. Hardening tests start servers of their own.
PUBLIC_URLS = ("https://sandbox.example", "https://sandbox.example.org")


@pytest.fixture(scope="session")
def live_server(db_path):
    port = free_port()
    proc = start_server(db_path, port, options=(*(f"--public-url={url}" for url in PUBLIC_URLS), "--behind-proxy"))
    try:
        yield LiveServer(base_url=f"http://127.0.0.1:{port}", db_path=db_path)
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def oauth(live_server):
    from support.oauth_flow import OAuthHelper

    return OAuthHelper(live_server.base_url, live_server.db_path)


@pytest.fixture
def browser(oauth):
    from support.oauth_flow import Browser

    return Browser(oauth.base_url)
