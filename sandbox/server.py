"""Run the sandbox under gunicorn (a production WSGI server): `serve(db, host, port, workers, …)`.

One worker process per core, each with `THREADS_PER_WORKER` threads (gunicorn's gthread worker), so slow
or stalled clients, a long page and simulated latency (itself bounded, sandbox.faults) never hold up the
others. A client gets `REQUEST_READ_SECONDS` to send a request's head and body: a connection that trickles
bytes (slowloris) is closed when that runs out instead of keeping a thread. gunicorn's own trust in
`X-Forwarded-*` from loopback is switched off: forwarded headers count only with `--behind-proxy`
(sandbox.hosts). Before the workers start, `serve` creates and migrates the store and registers the
built-in apps (sandbox.app.prepare_store); each worker then starts its export runner.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import ipaddress
import os
import secrets
import socket
import sys
import time
from pathlib import Path
from collections.abc import Callable

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

THREADS_PER_WORKER = 16
REQUEST_READ_SECONDS = 10.0

# glibc malloc: keep multi-megabyte response buffers in the heap instead of mmap/trim cycles, which
# otherwise page-fault every large Bundle afresh in the worker threads.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_BIG_BUFFER = 32 * 1024 * 1024


# A worker thread woken by its socket or SQLite waits for the GIL behind threads running Python, for up to
# the switch interval (5 ms by default) at each wake-up; 1 ms bounds that wait. Measured with bench/serve.py
# (32 connections, alternating rounds on a loaded 2-core machine): p99 −25–45% and +15% requests/s.
GIL_SWITCH_SECONDS = 0.001


def _tune_worker(_server=None, _worker=None) -> None:
    """gunicorn post_fork hook: a shorter GIL switch interval, and glibc malloc tuned for large responses."""
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_M_MMAP_THRESHOLD, _BIG_BUFFER)
        libc.mallopt(_M_TRIM_THRESHOLD, 4 * _BIG_BUFFER)


class _DeadlineSocket:
    """A client socket whose reads give up (as at end of stream) once the request's read deadline has passed;
    everything else goes to the real socket."""

    def __init__(self, sock: socket.socket):
        self._sock = sock
        self.deadline: float | None = None

    def recv(self, size: int, *flags) -> bytes:
        if self.deadline is None:
            return self._sock.recv(size, *flags)
        left = self.deadline - time.monotonic()
        if left <= 0:
            return b""
        previous = self._sock.gettimeout()
        self._sock.settimeout(left)
        try:
            return self._sock.recv(size, *flags)
        except TimeoutError:
            return b""
        finally:
            self._sock.settimeout(previous)

    def __getattr__(self, name):
        return getattr(self._sock, name)


class SandboxWorker(ThreadWorker):
    """gthread, with a deadline for reading each request: its head and body must arrive within
    REQUEST_READ_SECONDS of the connection becoming readable."""

    def accept(self, listener):
        real_accept = listener.accept

        class _Listener:
            def accept(self):
                sock, addr = real_accept()
                return _DeadlineSocket(sock), addr

            def __getattr__(self, name):
                return getattr(listener, name)

        return super().accept(_Listener())

    def handle(self, conn):
        if isinstance(conn.sock, _DeadlineSocket):
            conn.sock.deadline = time.monotonic() + REQUEST_READ_SECONDS
        return super().handle(conn)

    def handle_request(self, req, conn):
        if isinstance(conn.sock, _DeadlineSocket):
            conn.sock.deadline = time.monotonic() + REQUEST_READ_SECONDS  # the body gets its own time
        return super().handle_request(req, conn)


class _Gunicorn(BaseApplication):
    """A gunicorn application serving one WSGI callable with options given in code (no config file)."""

    def __init__(self, load: Callable, options: dict):
        self._load = load
        self._options = options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._load()


def run_wsgi(load_app: Callable, host: str, port: int, workers: int | None = None,
             post_worker_init: Callable | None = None) -> None:
    """Serve the WSGI app returned by `load_app()` (called in each worker) until interrupted."""
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or os.cpu_count() or 1,
        "worker_class": "sandbox.server.SandboxWorker",
        "threads": THREADS_PER_WORKER,
        "keepalive": 5,
        "accesslog": None,
        "loglevel": "warning",
        "post_fork": _tune_worker,
        "forwarded_allow_ips": "",      # no X-Forwarded-Proto trust of gunicorn's own (sandbox.hosts decides)
        "secure_scheme_headers": {},
    }
    if post_worker_init is not None:
        options["post_worker_init"] = post_worker_init
    _Gunicorn(load_app, options).run()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _banner(db: Path, base_url: str, workers: int, portal_token: str | None) -> str:
    """What `serve` prints on start (sandbox.auth.banner): URLs, the demo app's credentials, logins, a next step."""
    from sandbox.auth.banner import serve_banner

    return serve_banner(db, base_url, f"{workers} workers × {THREADS_PER_WORKER} threads · store {db} · Ctrl-C stops",
                        portal_token)


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8000, workers: int | None = None,
          public_urls: tuple[str, ...] = (), behind_proxy: bool = False) -> None:
    """Serve the sandbox app on http://host:port from the store `db` until interrupted."""
    from sandbox.app import prepare_store
    from sandbox.auth.banner import display_url
    from sandbox.hosts import normalized_public_url

    workers = workers or os.cpu_count() or 1
    public_urls = tuple(normalized_public_url(url) for url in public_urls)
    exposed = bool(public_urls) or not is_loopback(host)
    config = {"DB_PATH": str(db), "PORT": port, "PUBLIC_URLS": public_urls, "BEHIND_PROXY": behind_proxy,
              "PORTAL_TOKEN": secrets.token_urlsafe(24) if exposed else None}
    database = prepare_store(config)
    config["STORE_IDENTITY"] = database.identity
    base = public_urls[0] if public_urls else display_url(host, port)
    print(_banner(Path(db), base, workers, config["PORTAL_TOKEN"]), flush=True)

    def load_app():
        from sandbox.app import create_app
        return create_app(config)

    def start_export_runner(worker):
        from sandbox.bulk.runner import start_runner
        start_runner(worker.wsgi)

    run_wsgi(load_app, host, port, workers, start_export_runner)
