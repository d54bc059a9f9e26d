"""Fixtures for the OAuth tests: another server on the same store, as after a restart.

The flow helpers (`OAuthHelper`, `Browser`) live in tests/oauth_flow.py; the `oauth` and `browser`
fixtures in tests/conftest.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def fresh_server(request, live_server):
    """Another `medisynth serve` started on the same store, as after a restart; yields its base URL."""
    shared = request.config.pluginmanager.get_plugin(str(Path(__file__).resolve().parent.parent / "conftest.py"))
    port = shared.free_port()
    proc = shared.start_server(live_server.db_path, port, workers=1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        shared.stop_server(proc)
