"""Data access grants: one per beneficiary and app, with an expiry set by the app's data access type.

thirteen-month: now + 13 months, renewed on each consent; one-time: now + one access token's life;
research-study: never. A new consent also wipes that beneficiary+app's older tokens. Functions that write
take a connection inside a write transaction.
"""
from __future__ import annotations

import calendar
import sqlite3
from datetime import datetime, UTC

from sandbox.auth.models import ACCESS_TOKEN_SECONDS
from sandbox.auth.schema import now


def add_months(timestamp: int, months: int) -> int:
    """`timestamp` moved `months` calendar months ahead (the day clamped to the month's length)."""
    t = datetime.fromtimestamp(timestamp, UTC)
    month_index = t.month - 1 + months
    year, month = t.year + month_index // 12, month_index % 12 + 1
    day = min(t.day, calendar.monthrange(year, month)[1])
    return int(t.replace(year=year, month=month, day=day).timestamp())


def grant_expiry(data_access: str, start: int) -> int | None:
    """When a grant given at `start` ends (None: never)."""
    return {
        "thirteen-month": add_months(start, 13),
        "one-time": start + ACCESS_TOKEN_SECONDS,
        "research-study": None,
    }[data_access]


def format_expiration(expires_at: int | None) -> str:
    """`access_grant_expiration` as in the token response: ISO-8601 UTC, or "" for a grant that never ends."""
    if expires_at is None:
        return ""
    return datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def upsert_grant(conn: sqlite3.Connection, client_id: str, patient_id: str, data_access: str) -> None:
    """Create or renew the beneficiary's grant to the app."""
    start = now()
    conn.execute(
        "INSERT INTO auth_grant (client_id, patient_id, expires_at, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (client_id, patient_id) DO UPDATE SET expires_at = excluded.expires_at,"
        " created_at = excluded.created_at",
        (client_id, patient_id, grant_expiry(data_access, start), start))


def record_consent(conn: sqlite3.Connection, client_id: str, patient_id: str, data_access: str) -> None:
    """A beneficiary clicked Connect: renew the grant and wipe the tokens issued before."""
    conn.execute("DELETE FROM auth_token WHERE client_id = ? AND patient_id = ?", (client_id, patient_id))
    upsert_grant(conn, client_id, patient_id, data_access)


def find_grant(conn: sqlite3.Connection, client_id: str, patient_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM auth_grant WHERE client_id = ? AND patient_id = ?",
                        (client_id, patient_id)).fetchone()


def grant_expired(grant: sqlite3.Row) -> bool:
    return grant["expires_at"] is not None and grant["expires_at"] <= now()


def delete_grant(conn: sqlite3.Connection, client_id: str, patient_id: str, *, with_tokens: bool) -> bool:
    """Remove the grant (and, if asked, every token of that beneficiary+app); False if there was none."""
    if with_tokens:
        conn.execute("DELETE FROM auth_token WHERE client_id = ? AND patient_id = ?", (client_id, patient_id))
    deleted = conn.execute("DELETE FROM auth_grant WHERE client_id = ? AND patient_id = ?",
                           (client_id, patient_id)).rowcount
    return deleted > 0


def connected_apps(conn: sqlite3.Connection, patient_id: str) -> list[sqlite3.Row]:
    """The apps the beneficiary has granted access to: client_id, name, data_access, created_at, expires_at."""
    return conn.execute(
        "SELECT g.client_id, a.name, a.data_access, g.created_at, g.expires_at FROM auth_grant g"
        " JOIN auth_app a ON a.client_id = g.client_id WHERE g.patient_id = ? ORDER BY g.created_at, a.name",
        (patient_id,)).fetchall()
