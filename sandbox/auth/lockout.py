"""Client secret brute force: after `MAX_FAILURES` wrong secrets in a row from one source, that source is
locked out of that app for `LOCK_SECONDS`.

Counted per (client id, source address) in the store (table auth_client_failure), so every worker process
sees the same count and a restart does not reset it, and a stranger guessing at a publicly listed client
id locks only themselves out, never the app's own servers. The source is the peer address (the proxy's
`X-Forwarded-For` hop only with `--behind-proxy`). A right secret clears that source's count; while
locked, even the right secret from that source gets DRF's throttle answer (429, `{"detail": …}`,
Retry-After). Unknown client ids are not counted. The token, revocation, introspection and expire
endpoints all authenticate through `check`.
"""
from __future__ import annotations

import sqlite3

from flask import request

from sandbox.auth.schema import now

MAX_FAILURES = 10
LOCK_SECONDS = 60


def source() -> str:
    """Where the current request comes from (the address the lockout is counted for)."""
    return request.remote_addr or "unknown"


def seconds_locked(conn: sqlite3.Connection, client_id: str, origin: str) -> int:
    """How long `client_id` stays locked for `origin` (0: not locked)."""
    row = conn.execute("SELECT locked_until FROM auth_client_failure WHERE client_id = ? AND source = ?",
                       (client_id, origin)).fetchone()
    return max((row[0] or 0) - now(), 0) if row else 0


def record_failure(conn: sqlite3.Connection, client_id: str, origin: str) -> None:
    """Count one wrong secret for a registered app from `origin`; the `MAX_FAILURES`-th locks it and restarts
    the count. `conn` is inside a write transaction."""
    conn.execute(
        "INSERT INTO auth_client_failure (client_id, source, failures) SELECT client_id, ?, 1 FROM auth_app"
        " WHERE client_id = ? ON CONFLICT (client_id, source) DO UPDATE SET failures = failures + 1",
        (origin, client_id))
    conn.execute("UPDATE auth_client_failure SET failures = 0, locked_until = ? WHERE client_id = ? AND source = ?"
                 " AND failures >= ?", (now() + LOCK_SECONDS, client_id, origin, MAX_FAILURES))


def has_failures(conn: sqlite3.Connection, client_id: str, origin: str) -> bool:
    return conn.execute("SELECT 1 FROM auth_client_failure WHERE client_id = ? AND source = ?",
                        (client_id, origin)).fetchone() is not None


def record_success(conn: sqlite3.Connection, client_id: str, origin: str) -> None:
    """The right secret: forget that source's earlier failures. `conn` is inside a write transaction."""
    conn.execute("DELETE FROM auth_client_failure WHERE client_id = ? AND source = ?", (client_id, origin))
