"""Fixtures for the OAuth tests: another server on the same store, as after a restart.

The flow helpers (`OAuthHelper`, `Browser`) live in support/oauth_flow.py; the `oauth` and `browser`
fixtures in tests/conftest.py.
"""
from __future__ import annotations

import pytest

from support.live import free_port, start_server, stop_server


@pytest.fixture
def fresh_server(live_server):
    """Another `medisynth serve` started on the same store, as after a restart; yields its base URL."""
    port = free_port()
    proc = start_server(live_server.db_path, port, workers=1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)
