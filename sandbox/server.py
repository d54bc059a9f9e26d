"""Run the sandbox under gunicorn (a production WSGI server): `serve(db, host, port, workers)`.

One worker process per core by default. The gthread worker keeps HTTP connections alive; one thread per
worker measured fastest (more threads only contend for the GIL). The SDKs and load tests see a real
server, never Flask's development one.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path
from typing import Callable

from gunicorn.app.base import BaseApplication

THREADS_PER_WORKER = 1


# glibc malloc: keep multi-megabyte response buffers in the heap instead of mmap/trim cycles, which
# otherwise page-fault every large Bundle afresh in the worker threads.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_BIG_BUFFER = 32 * 1024 * 1024


def _keep_big_buffers(_server=None, _worker=None) -> None:
    """gunicorn post_fork hook: tune glibc malloc for large responses (no-op elsewhere)."""
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_M_MMAP_THRESHOLD, _BIG_BUFFER)
        libc.mallopt(_M_TRIM_THRESHOLD, 4 * _BIG_BUFFER)


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


def run_wsgi(load_app: Callable, host: str, port: int, workers: int | None = None) -> None:
    """Serve the WSGI app returned by `load_app()` (called in each worker) until interrupted."""
    _Gunicorn(load_app, {
        "bind": f"{host}:{port}",
        "workers": workers or os.cpu_count() or 1,
        "worker_class": "gthread",
        "threads": THREADS_PER_WORKER,
        "keepalive": 5,
        "accesslog": None,
        "loglevel": "warning",
        "post_fork": _keep_big_buffers,
    }).run()


def _banner(db: Path, host: str, port: int, workers: int) -> str:
    """What `serve` prints on start (sandbox.auth.banner): URLs, the demo app's credentials, logins, a next step."""
    from sandbox.auth.banner import display_url, serve_banner

    return serve_banner(db, display_url(host, port), f"{workers} workers · store {db} · Ctrl-C stops")


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8000, workers: int | None = None) -> None:
    """Serve the sandbox app on http://host:port from the store `db` until interrupted."""
    workers = workers or os.cpu_count() or 1
    print(_banner(Path(db), host, port, workers), flush=True)

    def load_app():
        from sandbox.app import create_app
        return create_app({"DB_PATH": str(db)})

    run_wsgi(load_app, host, port, workers)
