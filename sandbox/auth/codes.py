"""Authorization codes: stored as digests, single use, and a replayed code revokes what it was exchanged for.

Redeeming a code claims it atomically (one DELETE … RETURNING), so two concurrent exchanges cannot
both succeed, and records it in auth_code_used. Presenting a used code again revokes every token of
that app and beneficiary issued since the code was redeemed (RFC 6749 §4.1.2, RFC 9700 §4.2.4):
whoever replays it may hold a stolen code, so the tokens it yielded are no longer trusted.
"""
from __future__ import annotations

import sqlite3

from sandbox.auth.models import AuthCode
from sandbox.auth.schema import digest, now

CODE_SECONDS = 60
USED_CODE_MEMORY_SECONDS = 24 * 3600


def save_code(conn: sqlite3.Connection, code: str, client_id: str, patient_id: str, redirect_uri: str,
              scope: str, code_challenge: str) -> None:
    conn.execute(
        "INSERT INTO auth_code (code_hash, client_id, patient_id, redirect_uri, scope, code_challenge, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (digest(code), client_id, patient_id, redirect_uri, scope, code_challenge, now() + CODE_SECONDS))


def redeem_code(conn: sqlite3.Connection, code: str, client_id: str) -> AuthCode | None:
    """The live code, claimed for this one exchange; None if unknown, expired or already used (a replay
    of a used code revokes the tokens issued since). `conn` is inside a write transaction."""
    code_hash, issued = digest(code), now()
    row = conn.execute("DELETE FROM auth_code WHERE code_hash = ? AND client_id = ? AND expires_at > ?"
                       " RETURNING *", (code_hash, client_id, issued)).fetchall()
    if row:
        row = row[0]
        conn.execute("DELETE FROM auth_code_used WHERE used_at < ?", (issued - USED_CODE_MEMORY_SECONDS,))
        conn.execute("INSERT OR IGNORE INTO auth_code_used (code_hash, client_id, patient_id, used_at)"
                     " VALUES (?, ?, ?, ?)", (code_hash, client_id, row["patient_id"], issued))
        return AuthCode(**dict(row))
    used = conn.execute("SELECT patient_id, used_at FROM auth_code_used WHERE code_hash = ? AND client_id = ?",
                        (code_hash, client_id)).fetchone()
    if used is not None:
        conn.execute("UPDATE auth_token SET revoked = 1 WHERE client_id = ? AND patient_id = ? AND created_at >= ?",
                     (client_id, used["patient_id"], used["used_at"]))
    return None
