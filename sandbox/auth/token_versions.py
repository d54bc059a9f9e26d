"""Which API version a token belongs to: tokens from `/v3/o/token/` work only on /v3, all others only on /v2.

Only v3 tokens get a row (table token_version, keyed by the access token's digest); no row means v2,
so stores from before v3 need no migration. Tokens and grants hold the stored (v2) patient id;
`patient_id_for` is how a version names that patient to the app (sandbox.v3.ids).
"""
from __future__ import annotations

import sqlite3

from sandbox.auth.schema import digest
from sandbox.v3.ids import v3_patient_id

V2, V3 = 2, 3


def path_version(path: str) -> int:
    """The API version a request path belongs to (`/v3/…` → 3, anything else → 2)."""
    return V3 if path.startswith("/v3/") else V2


def patient_id_for(version: int, patient_id: str) -> str:
    """The stored patient id as API `version` names it (token responses, userinfo, introspection)."""
    return v3_patient_id(patient_id) if version == V3 else patient_id


def record_token_version(conn: sqlite3.Connection, access_token: str, version: int) -> None:
    if version != V2:
        conn.execute("INSERT OR REPLACE INTO token_version (access_hash, version) VALUES (?, ?)",
                     (digest(access_token), version))


def token_version(conn: sqlite3.Connection, access_hash: str) -> int:
    row = conn.execute("SELECT version FROM token_version WHERE access_hash = ?", (access_hash,)).fetchone()
    return row[0] if row else V2
