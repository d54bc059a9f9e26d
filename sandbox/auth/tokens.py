"""Access and refresh tokens: minted as 30 alphanumerics, stored as sha256 digests, grouped in families.

A family is every token pair descended from one authorization code by refreshing. Refreshing claims the
presented refresh token atomically (one UPDATE … WHERE revoked = 0 RETURNING), so of any number of
concurrent refreshes with one token exactly one succeeds. Presenting a refresh token that was already
rotated or revoked revokes its whole family, access tokens included (RFC 9700 §4.14.2): a refresh token
used twice has been copied, and no descendant of it can be trusted. Functions that write take a
connection inside a write transaction.

`issue_test_token` gives tests a real stored token (for a built-in test app, with a grant) so they
can call the FHIR API without walking the OAuth flow.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from authlib.common.security import generate_token

from sandbox.auth.apps import TEST_APP, ensure_builtin_app
from sandbox.auth.grants import upsert_grant
from sandbox.auth.models import ACCESS_TOKEN_SECONDS, Token
from sandbox.auth.schema import digest, now
from sandbox.auth.scopes import ALL_SCOPES, scope_string

TOKEN_LENGTH = 30
_COLUMNS = "access_hash, refresh_hash, client_id, patient_id, scope, expires_at, revoked, created_at"


def new_token() -> str:
    return generate_token(TOKEN_LENGTH)


def store_token(conn: sqlite3.Connection, client_id: str, patient_id: str, scope: str,
                access_token: str, refresh_token: str, family: str | None = None) -> bool:
    """Store a new pair, in `family` (a refresh) or as the first of a new family; False (nothing stored)
    when that family has been revoked meanwhile."""
    issued, access_hash = now(), digest(access_token)
    family = family or access_hash
    if conn.execute("SELECT 1 FROM auth_token_family_revoked WHERE family = ?", (family,)).fetchone():
        return False
    conn.execute(
        "INSERT INTO auth_token (access_hash, refresh_hash, client_id, patient_id, scope, expires_at, created_at,"
        " family) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (access_hash, digest(refresh_token), client_id, patient_id, scope, issued + ACCESS_TOKEN_SECONDS, issued,
         family))
    return True


def _find_token(conn: sqlite3.Connection, column: str, token: str) -> Token | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM auth_token WHERE {column} = ?", (digest(token),)).fetchone()
    return Token(**dict(row)) if row else None


def find_by_access_token(conn: sqlite3.Connection, token: str) -> Token | None:
    return _find_token(conn, "access_hash", token)


def find_by_refresh_token(conn: sqlite3.Connection, token: str) -> Token | None:
    return _find_token(conn, "refresh_hash", token)


def family_of(conn: sqlite3.Connection, token: Token) -> str:
    row = conn.execute("SELECT coalesce(family, access_hash) FROM auth_token WHERE access_hash = ?",
                       (token.access_hash,)).fetchone()
    return row[0] if row else token.access_hash


def claim_refresh_token(conn: sqlite3.Connection, token: Token) -> str | None:
    """Rotate `token` out (atomically); its family, or None when another request already claimed it."""
    row = conn.execute("UPDATE auth_token SET revoked = 1 WHERE access_hash = ? AND revoked = 0"
                       " RETURNING coalesce(family, access_hash)", (token.access_hash,)).fetchone()
    return row[0] if row else None


def revoke_family(conn: sqlite3.Connection, token: Token) -> None:
    """A used refresh token came back: revoke every pair of its family, and any pair still being issued."""
    family = family_of(conn, token)
    conn.execute("INSERT OR IGNORE INTO auth_token_family_revoked (family, revoked_at) VALUES (?, ?)", (family, now()))
    conn.execute("UPDATE auth_token SET revoked = 1 WHERE coalesce(family, access_hash) = ?", (family,))


def revoke_token(conn: sqlite3.Connection, token: Token) -> None:
    """Kill both halves of the pair; the row stays so a reused refresh token is recognised."""
    conn.execute("UPDATE auth_token SET revoked = 1 WHERE access_hash = ?", (token.access_hash,))


def issue_test_token(db_path: str | Path, patient_id: str, scopes=None) -> str:
    """A stored access token for `patient_id` (all scopes unless given), issued to the built-in test app."""
    from sandbox.app import open_store

    access_token = new_token()
    with open_store(db_path).write() as conn:
        app = ensure_builtin_app(conn, TEST_APP)
        upsert_grant(conn, app.client_id, patient_id, app.data_access)
        store_token(conn, app.client_id, patient_id, scope_string(set(scopes or ALL_SCOPES)),
                    access_token, new_token())
    return access_token
