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
from dataclasses import dataclass
from pathlib import Path

from authlib.common.security import generate_token

from sandbox.auth.apps import TEST_APP, ensure_builtin_app
from sandbox.auth.grants import upsert_grant
from sandbox.auth.models import ACCESS_TOKEN_SECONDS, Token
from sandbox.auth.schema import digest, now
from sandbox.auth.scopes import ALL_SCOPES, scope_string
from sandbox.auth.token_versions import V2

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


@dataclass(frozen=True, slots=True)
class Access:
    """An access token with what a FHIR request checks next to it, read in one query: the app's grant
    to the patient (`has_grant`, `grant_expires_at`: None never) and the token's API version."""
    token: Token
    has_grant: bool
    grant_expires_at: int | None
    version: int


_FIND_ACCESS = (
    f"SELECT {', '.join('t.' + c for c in _COLUMNS.split(', '))}, g.client_id IS NOT NULL AS has_grant,"
    " g.expires_at AS grant_expires_at, coalesce(v.version, ?) AS version FROM auth_token t"
    " LEFT JOIN auth_grant g ON g.client_id = t.client_id AND g.patient_id = t.patient_id"
    " LEFT JOIN token_version v ON v.access_hash = t.access_hash WHERE t.access_hash = ?")


def find_access(conn: sqlite3.Connection, token: str) -> Access | None:
    """The access token `token` with its grant and API version (a FHIR request's whole lookup), or None."""
    row = conn.execute(_FIND_ACCESS, (V2, digest(token))).fetchone()
    if row is None:
        return None
    fields = dict(row)
    extra = {key: fields.pop(key) for key in ("has_grant", "grant_expires_at", "version")}
    return Access(Token(**fields), bool(extra["has_grant"]), extra["grant_expires_at"], extra["version"])


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
