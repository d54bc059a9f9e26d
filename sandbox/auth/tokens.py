"""Access and refresh tokens: minted as 30 alphanumerics, stored as sha256 digests.

`issue_test_token` gives tests a real stored token (for a built-in test app, with a grant) so they
can call the FHIR API without walking the OAuth flow.
"""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from authlib.common.security import generate_token

from sandbox.auth.apps import TEST_APP, ensure_builtin_app
from sandbox.auth.grants import upsert_grant
from sandbox.auth.models import ACCESS_TOKEN_SECONDS, Token
from sandbox.auth.schema import digest, now, open_auth_db
from sandbox.auth.scopes import ALL_SCOPES, scope_string

TOKEN_LENGTH = 30


def new_token() -> str:
    return generate_token(TOKEN_LENGTH)


def store_token(conn: sqlite3.Connection, client_id: str, patient_id: str, scope: str,
                access_token: str, refresh_token: str) -> None:
    issued = now()
    with conn:
        conn.execute(
            "INSERT INTO auth_token (access_hash, refresh_hash, client_id, patient_id, scope, expires_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (digest(access_token), digest(refresh_token), client_id, patient_id, scope,
             issued + ACCESS_TOKEN_SECONDS, issued))


def _find_token(conn: sqlite3.Connection, column: str, token: str) -> Token | None:
    row = conn.execute(f"SELECT * FROM auth_token WHERE {column} = ?", (digest(token),)).fetchone()
    return Token(**dict(row)) if row else None


def find_by_access_token(conn: sqlite3.Connection, token: str) -> Token | None:
    return _find_token(conn, "access_hash", token)


def find_by_refresh_token(conn: sqlite3.Connection, token: str) -> Token | None:
    return _find_token(conn, "refresh_hash", token)


def revoke_token(conn: sqlite3.Connection, token: Token) -> None:
    """Kill both halves of the pair; the row stays so a reused refresh token is recognised."""
    with conn:
        conn.execute("UPDATE auth_token SET revoked = 1 WHERE access_hash = ?", (token.access_hash,))


def issue_test_token(db_path: str | Path, patient_id: str, scopes=None) -> str:
    """A stored access token for `patient_id` (all scopes unless given), issued to the built-in test app."""
    access_token = new_token()
    with closing(open_auth_db(db_path)) as conn:
        app = ensure_builtin_app(conn, TEST_APP)
        with conn:
            upsert_grant(conn, app.client_id, patient_id, app.data_access)
        store_token(conn, app.client_id, patient_id, scope_string(set(scopes or ALL_SCOPES)),
                    access_token, new_token())
    return access_token
