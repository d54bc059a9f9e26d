"""The export worker: one thread per serving process claims jobs and writes their NDJSON files.

Each file is `<exports dir>/<job id>/<Type>.ndjson` (directory 0700, files 0600): the stored resource
bytes, one per line, in load order, filtered by `_since` (meta.lastUpdated after it); a v3 job's lines
carry v3 patient ids and profiles (sandbox.v3.ids.export_line). The rows come from
one read snapshot on the read-only connection; progress and the heartbeat are written every
`HEARTBEAT_ROWS` rows in short transactions of their own on the write path, so a busy server (token
refreshes, loads, other exports) only makes a job wait a little, never fail. A cancelled job stops at its
next heartbeat. A job that fails for its own reasons (say, a full disk) is marked failed with the reason
and its files are deleted. The same thread removes expired jobs' files. Every error is logged and the
thread carries on. `medisynth serve` starts it (`start_runner`) in each worker; building the app does not.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from sandbox import store
from sandbox.auth.token_versions import V3
from sandbox.bulk.jobs import (DIR_MODE, Job, claim_next_job, end_job, expire_due_jobs, fail_job, finish_job,
                               report_progress)
from sandbox.db import Database
from sandbox.v3.ids import export_line

log = logging.getLogger("medisynth.export")
POLL_SECONDS = 0.5
HEARTBEAT_ROWS = 2000
FILE_MODE = 0o600
WAKE = "medisynth_export_wake"


class _Cancelled(Exception):
    pass


def _progress(done: int, total: int, current: str) -> str:
    percent = 100 if not total else done * 100 // total
    return f"{percent}% ({done:,} of {total:,} resources; writing {current})"


def _heartbeat(db: Database, job: Job, progress: str) -> None:
    with db.write() as conn:
        if not report_progress(conn, job.id, progress):
            raise _Cancelled


def _write_files(db: Database, directory: Path, job: Job) -> list[dict]:
    output = []
    with db.snapshot() as conn:
        counts = {t: store.export_count(conn, t, job.since_ms) for t in job.types}
        total, done = sum(counts.values()), 0
        for resource_type in job.types:
            name, written = f"{resource_type}.ndjson", 0
            fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            with os.fdopen(fd, "wb") as f:
                for raw in store.export_rows(conn, resource_type, job.since_ms):
                    f.write(export_line(resource_type, raw) if job.version == V3 else raw)
                    f.write(b"\n")
                    written += 1
                    if (done + written) % HEARTBEAT_ROWS == 0:
                        _heartbeat(db, job, _progress(done + written, total, resource_type))
            done += written
            if written:
                output.append({"type": resource_type, "file": name, "count": written})
            else:
                (directory / name).unlink()
    return output


def run_job(db: Database, exports_dir: Path, job: Job, ttl_seconds: float) -> None:
    """Write the job's files; records the manifest's output list, or the failure (and deletes the files)."""
    directory = exports_dir / job.id
    try:
        exports_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        directory.mkdir(mode=DIR_MODE, exist_ok=True)
        output = _write_files(db, directory, job)
        with db.write() as conn:
            if not finish_job(conn, job.id, output, ttl_seconds):
                raise _Cancelled
    except _Cancelled:
        with db.write() as conn:
            end_job(conn, exports_dir, job.id, "cancelled")
    except Exception as e:  # the job's own failure: recorded, reported on poll, files deleted
        log.exception("export %s failed", job.id)
        with db.write() as conn:
            fail_job(conn, exports_dir, job.id, f"{type(e).__name__}: {e}")


def run_pending(db: Database, exports_dir: Path, ttl_seconds: float) -> None:
    """Expire what is due, then run every queued (or abandoned) job, one after another."""
    with db.write() as conn:
        expire_due_jobs(conn, exports_dir)
    while True:
        with db.write() as conn:
            job = claim_next_job(conn)
        if job is None:
            return
        run_job(db, exports_dir, job, ttl_seconds)


def _loop(db: Database, exports_dir: Path, ttl_seconds: float, wake: threading.Event) -> None:
    while True:
        wake.wait(POLL_SECONDS)
        wake.clear()
        try:
            run_pending(db, exports_dir, ttl_seconds)
        except Exception:  # a locked, busy or vanished store: logged, tried again at the next poll
            log.exception("export runner: will retry")


def start_runner(app) -> threading.Event:
    """Start this process's export thread for `app` (once); kick-offs set the returned event to wake it."""
    if WAKE not in app.extensions:
        wake = threading.Event()
        threading.Thread(target=_loop, args=(app.extensions["medisynth_db"], Path(app.config["EXPORTS_DIR"]),
                                             app.config["EXPORT_TTL_SECONDS"], wake),
                         daemon=True, name="medisynth-export").start()
        app.extensions[WAKE] = wake
    return app.extensions[WAKE]
