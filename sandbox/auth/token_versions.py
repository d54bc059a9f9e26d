"""Which API version a token belongs to: tokens from `/v3/o/token/` work only on /v3, all others only on /v2.

Only v3 tokens get a row (table token_version, keyed by the access token's digest); no row means v2,
so stores from before v3 need no migration.
"""
from __future__ import annotations

import sqlite3

from sandbox.auth.schema import digest

V2, V3 = 2, 3


def path_version(path: str) -> int:
    """The API version a request path belongs to (`/v3/…` → 3, anything else → 2)."""
    return V3 if path.startswith("/v3/") else V2


def record_token_version(conn: sqlite3.Connection, access_token: str, version: int) -> None:
    if version != V2:
        conn.execute("INSERT OR REPLACE INTO token_version (access_hash, version) VALUES (?, ?)",
                     (digest(access_token), version))


def token_version(conn: sqlite3.Connection, access_hash: str) -> int:
    row = conn.execute("SELECT version FROM token_version WHERE access_hash = ?", (access_hash,)).fetchone()
    return row[0] if row else V2
