"""Client secret brute force: after `MAX_FAILURES` wrong secrets in a row, an app is locked for `LOCK_SECONDS`.

Counted per client id in the store (table auth_client_failure), so every worker process sees the same
count and a restart does not reset it. A right secret clears the count; while locked, even the right
secret gets DRF's throttle answer (429, `{"detail": …}`, Retry-After). Unknown client ids are not counted.
"""
from __future__ import annotations

import sqlite3

from sandbox.auth.schema import now

MAX_FAILURES = 10
LOCK_SECONDS = 60


def seconds_locked(conn: sqlite3.Connection, client_id: str) -> int:
    """How long `client_id` stays locked (0: not locked)."""
    row = conn.execute("SELECT locked_until FROM auth_client_failure WHERE client_id = ?", (client_id,)).fetchone()
    return max((row[0] or 0) - now(), 0) if row else 0


def record_failure(conn: sqlite3.Connection, client_id: str) -> None:
    """Count one wrong secret for a registered app; the `MAX_FAILURES`-th locks it and restarts the count."""
    with conn:
        conn.execute(
            "INSERT INTO auth_client_failure (client_id, failures) SELECT client_id, 1 FROM auth_app WHERE client_id = ?"
            " ON CONFLICT (client_id) DO UPDATE SET failures = failures + 1", (client_id,))
        conn.execute("UPDATE auth_client_failure SET failures = 0, locked_until = ? WHERE client_id = ? AND failures >= ?",
                     (now() + LOCK_SECONDS, client_id, MAX_FAILURES))


def record_success(conn: sqlite3.Connection, client_id: str) -> None:
    """The right secret: forget earlier failures (a write only when there were some)."""
    if conn.execute("SELECT 1 FROM auth_client_failure WHERE client_id = ?", (client_id,)).fetchone():
        with conn:
            conn.execute("DELETE FROM auth_client_failure WHERE client_id = ?", (client_id,))
