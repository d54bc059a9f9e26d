"""Fixtures for the hardening tests: a private `medisynth serve` on a copy of the shared store (so a test may
break its store or its options), requests sent from another loopback address, and backend-services apps."""
from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from support.live import free_port, start_server, stop_server
from support.oauth_flow import OAuthHelper


@dataclass
class PrivateServer:
    base_url: str
    db_path: Path
    port: int
    proc: subprocess.Popen
    log_path: Path

    @property
    def oauth(self) -> OAuthHelper:
        return OAuthHelper(self.base_url, self.db_path)

    def banner(self) -> str:
        return self.log_path.read_text(errors="replace")

    def portal_token(self) -> str | None:
        found = re.search(r"portal_token=([\w-]+)", self.banner())
        return found.group(1) if found else None


def copy_store(source: Path, target: Path) -> Path:
    with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


@contextlib.contextmanager
def private_server(db_path: Path, workdir: Path, *options: str, workers: int = 2, host: str = "127.0.0.1"):
    """`medisynth serve` with `options` on a copy of the store at `db_path` (in `workdir`, or on the store
    itself when it is already there)."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = db_path if db_path.parent == workdir else copy_store(db_path, workdir / "sandbox.db")
    port, log_path = free_port(), workdir / "serve.log"
    with open(log_path, "wb") as log:
        proc = start_server(db, port, workers=workers, log=log, options=options, host=host)
        try:
            yield PrivateServer(f"http://127.0.0.1:{port}", db, port, proc, log_path)
        finally:
            if proc.poll() is None:
                stop_server(proc)


@pytest.fixture
def server(db_path, tmp_path):
    """A private server with default options (loopback, no proxy) on a copy of the shared store."""
    with private_server(db_path, tmp_path / "server") as running:
        yield running


class SourceAddress(HTTPAdapter):
    """Send requests from a given local address (e.g. 127.0.0.2: another client on this machine)."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", SourceAddress(address))
    return session


def network_address() -> str | None:
    """A non-loopback IPv4 address of this machine, or None."""
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout
    except OSError:
        return None
    return next((a for a in out.split() if "." in a and not a.startswith("127.")), None)


def remove_store(db: Path) -> None:
    for path in db.parent.glob(db.name + "*"):
        path.unlink()
    shutil.rmtree(db.parent / "exports", ignore_errors=True)
