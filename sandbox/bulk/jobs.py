"""Export jobs in the store (table export_job): created by a kick-off, claimed and run by a worker thread.

States: queued → running → complete | failed; cancelled (DELETE) and expired (its files removed after the
time to live) are terminal too. A running job whose worker stopped heartbeating (a server restart) is
claimed again by any serving process, so jobs survive restarts. Files live in `<exports dir>/<job id>/`
(directories 0700, files 0600); a failed, cancelled or expired job's files are deleted. A client may have
at most `MAX_ACTIVE_PER_CLIENT` jobs queued or running. Functions that write take a connection inside a
write transaction (sandbox.db), so each one is a short transaction of its own.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sandbox.auth.token_versions import path_version
from sandbox.db import Migration

MIGRATION = Migration(7, "bulk-jobs", """
CREATE TABLE IF NOT EXISTS export_job (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL,
    request_url TEXT NOT NULL,
    types       TEXT NOT NULL,              -- JSON list of resource types
    since_ms    INTEGER,                    -- _since as epoch ms (NULL: everything)
    status      TEXT NOT NULL,              -- queued | running | complete | failed | cancelled | expired
    progress    TEXT NOT NULL DEFAULT '',
    output      TEXT,                       -- JSON list of {"type", "file", "count"} once complete
    error       TEXT,
    created_at  REAL NOT NULL,
    heartbeat   REAL,
    expires_at  REAL
);
CREATE INDEX IF NOT EXISTS export_job_status ON export_job (status, created_at);
""")
STALE_SECONDS = 10
ACTIVE = ("queued", "running")
MAX_ACTIVE_PER_CLIENT = 3
DIR_MODE = 0o700


@dataclass(frozen=True)
class Job:
    id: str
    client_id: str
    request_url: str
    types: tuple[str, ...]
    since_ms: int | None
    status: str
    progress: str
    output: tuple[dict, ...]
    error: str | None
    created_at: float
    expires_at: float | None

    @property
    def version(self) -> int:
        """The API version the job was kicked off on (its kick-off URL's path: /v2/fhir/… or /v3/fhir/…)."""
        return path_version(urlsplit(self.request_url).path)


def _job(row: sqlite3.Row) -> Job:
    return Job(id=row["id"], client_id=row["client_id"], request_url=row["request_url"],
               types=tuple(json.loads(row["types"])), since_ms=row["since_ms"], status=row["status"],
               progress=row["progress"], output=tuple(json.loads(row["output"] or "[]")), error=row["error"],
               created_at=row["created_at"], expires_at=row["expires_at"])


def active_jobs(conn: sqlite3.Connection, client_id: str) -> int:
    return conn.execute("SELECT count(*) FROM export_job WHERE client_id = ? AND status IN ('queued', 'running')",
                        (client_id,)).fetchone()[0]


def create_job(conn: sqlite3.Connection, client_id: str, request_url: str, types: list[str],
               since_ms: int | None) -> Job | None:
    """A new queued job, or None when the client already has MAX_ACTIVE_PER_CLIENT active ones (counted in the
    same write transaction, so concurrent kick-offs cannot overshoot)."""
    if active_jobs(conn, client_id) >= MAX_ACTIVE_PER_CLIENT:
        return None
    job_id = uuid.uuid4().hex
    conn.execute("INSERT INTO export_job (id, client_id, request_url, types, since_ms, status, created_at)"
                 " VALUES (?, ?, ?, ?, ?, 'queued', ?)",
                 (job_id, client_id, request_url, json.dumps(types), since_ms, time.time()))
    return find_job(conn, job_id)


def find_job(conn: sqlite3.Connection, job_id: str) -> Job | None:
    row = conn.execute("SELECT * FROM export_job WHERE id = ?", (job_id,)).fetchone()
    return _job(row) if row else None


def claim_next_job(conn: sqlite3.Connection) -> Job | None:
    """Take the oldest queued job, or a running one whose worker has stopped (one statement: atomic)."""
    current = time.time()
    row = conn.execute(
        "UPDATE export_job SET status = 'running', heartbeat = ?, progress = '' WHERE id = ("
        " SELECT id FROM export_job WHERE status = 'queued' OR (status = 'running' AND heartbeat < ?)"
        " ORDER BY created_at LIMIT 1) RETURNING *", (current, current - STALE_SECONDS)).fetchone()
    return _job(row) if row else None


def report_progress(conn: sqlite3.Connection, job_id: str, progress: str) -> bool:
    """Record progress and heartbeat; False once the job is no longer running (cancelled)."""
    return conn.execute("UPDATE export_job SET progress = ?, heartbeat = ? WHERE id = ? AND status = 'running'",
                        (progress, time.time(), job_id)).rowcount == 1


def finish_job(conn: sqlite3.Connection, job_id: str, output: list[dict], ttl_seconds: float) -> bool:
    current = time.time()
    return conn.execute("UPDATE export_job SET status = 'complete', output = ?, heartbeat = ?, expires_at = ?"
                        " WHERE id = ? AND status = 'running'",
                        (json.dumps(output), current, current + ttl_seconds, job_id)).rowcount == 1


def delete_files(exports_dir: Path, job_id: str) -> None:
    shutil.rmtree(exports_dir / job_id, ignore_errors=True)


def fail_job(conn: sqlite3.Connection, exports_dir: Path, job_id: str, error: str) -> None:
    """Mark the job failed (with a reason the status poll reports) and delete its files."""
    conn.execute("UPDATE export_job SET status = 'failed', error = ? WHERE id = ? AND status = 'running'",
                 (error, job_id))
    delete_files(exports_dir, job_id)


def end_job(conn: sqlite3.Connection, exports_dir: Path, job_id: str, status: str) -> None:
    """Mark the job cancelled or expired and delete its files."""
    conn.execute("UPDATE export_job SET status = ? WHERE id = ?", (status, job_id))
    delete_files(exports_dir, job_id)


def cancel_client_jobs(conn: sqlite3.Connection, exports_dir: Path, client_id: str) -> int:
    """Cancel every job of a client (its app is being deleted) and delete their files; how many were active."""
    rows = conn.execute("SELECT id, status FROM export_job WHERE client_id = ? AND status NOT IN ('cancelled', "
                        "'expired')", (client_id,)).fetchall()
    for job_id, _ in rows:
        end_job(conn, exports_dir, job_id, "cancelled")
    return sum(1 for _, status in rows if status in ACTIVE)


def expire_due_jobs(conn: sqlite3.Connection, exports_dir: Path) -> bool:
    """Remove the files of completed jobs past their time to live."""
    due = [r[0] for r in conn.execute("SELECT id FROM export_job WHERE status = 'complete' AND expires_at <= ?",
                                      (time.time(),))]
    for job_id in due:
        end_job(conn, exports_dir, job_id, "expired")
    return bool(due)
