"""The export worker: one daemon thread per serving process claims jobs and writes their NDJSON files.

Each file is `<exports dir>/<job id>/<Type>.ndjson`: the stored resource bytes, one per line, in load
order, filtered by `_since` (meta.lastUpdated after it). The thread heartbeats as it goes; a cancelled
job stops at its next heartbeat. The same thread removes expired jobs' files.
"""
from __future__ import annotations

import threading
from pathlib import Path

from sandbox.bulk.jobs import (Job, claim_next_job, end_job, expire_due_jobs, fail_job, finish_job,
                               report_progress)
from sandbox.store import TABLES, connect

POLL_SECONDS = 0.5
HEARTBEAT_ROWS = 2000
_runners: dict[str, threading.Event] = {}
_runners_lock = threading.Lock()


class _Cancelled(Exception):
    pass


def _filter(job: Job) -> tuple[str, tuple]:
    return ("WHERE last_updated > ?", (job.since_ms,)) if job.since_ms is not None else ("", ())


def _progress(done: int, total: int, current: str) -> str:
    percent = 100 if not total else done * 100 // total
    return f"{percent}% ({done:,} of {total:,} resources; writing {current})"


def run_job(conn, exports_dir: Path, job: Job, ttl_seconds: float) -> None:
    """Write the job's files; records the manifest's output list, or the failure."""
    where, args = _filter(job)
    counts = {t: conn.execute(f"SELECT count(*) FROM {TABLES[t]} {where}", args).fetchone()[0] for t in job.types}
    total, done, output = sum(counts.values()), 0, []
    directory = exports_dir / job.id
    directory.mkdir(parents=True, exist_ok=True)
    try:
        for resource_type in job.types:
            name = f"{resource_type}.ndjson"
            written = 0
            with open(directory / name, "wb") as f:
                for (raw,) in conn.execute(f"SELECT json FROM {TABLES[resource_type]} {where} ORDER BY rowid", args):
                    f.write(raw)
                    f.write(b"\n")
                    written += 1
                    if (done + written) % HEARTBEAT_ROWS == 0 and not report_progress(
                            conn, job.id, _progress(done + written, total, resource_type)):
                        raise _Cancelled
            done += written
            if written:
                output.append({"type": resource_type, "file": name, "count": written})
            else:
                (directory / name).unlink()
        if not finish_job(conn, job.id, output, ttl_seconds):
            raise _Cancelled
    except _Cancelled:
        end_job(conn, exports_dir, job.id, "cancelled")
    except Exception as e:  # noqa: BLE001 - any failure is the job's: recorded, reported on poll
        fail_job(conn, job.id, f"{type(e).__name__}: {e}")


def _loop(db_path: str, exports_dir: Path, ttl_seconds: float, wake: threading.Event) -> None:
    conn = connect(db_path)
    while True:
        wake.wait(POLL_SECONDS)
        wake.clear()
        try:
            expire_due_jobs(conn, exports_dir)
            while (job := claim_next_job(conn)) is not None:
                run_job(conn, exports_dir, job, ttl_seconds)
        except Exception:  # noqa: BLE001 - a locked or busy store: try again at the next poll
            continue


def start_runner(db_path: str, exports_dir: Path, ttl_seconds: float) -> threading.Event:
    """This process's export thread for `db_path` (started on first call); set the event to wake it."""
    with _runners_lock:
        if db_path not in _runners:
            wake = threading.Event()
            threading.Thread(target=_loop, args=(db_path, exports_dir, ttl_seconds, wake), daemon=True,
                             name="medisynth-export").start()
            _runners[db_path] = wake
        return _runners[db_path]
