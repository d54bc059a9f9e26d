"""Login records: what the login page hands the consent page, held server-side and used once.

A correct username and password create a record bound to one authorization request (a digest of its
path and OAuth parameters: client, redirect URI, state, PKCE challenge, scope) that expires after
`LOGIN_SECONDS`; the browser's session holds only the record's id. The consent page needs a live record
for exactly its request, and answering it (Connect or Cancel) deletes the record in the same statement
that reads it. So a saved cookie replayed later, or a login made for another request (a session planted
by a sibling server), gets the login page again instead of a second authorization.
"""
from __future__ import annotations

import hashlib
import secrets
import sqlite3
from urllib.parse import parse_qsl, urlsplit

from sandbox.auth.schema import digest, now

LOGIN_SECONDS = 5 * 60
BOUND_PARAMS = ("client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge",
                "code_challenge_method")


def request_key(path: str, params) -> str:
    """The digest that binds a login to one authorization request."""
    parts = [path.rstrip("/")] + [f"{name}={params.get(name, '')}" for name in BOUND_PARAMS]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def request_key_of_url(url: str) -> str:
    parts = urlsplit(url)
    return request_key(parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)))


def create_login(conn: sqlite3.Connection, patient_id: str, key: str) -> str:
    """A new login record for `patient_id` bound to the request `key`; returns its id. `conn` is inside a
    write transaction."""
    login_id = secrets.token_urlsafe(32)
    conn.execute("DELETE FROM auth_login WHERE expires_at <= ?", (now(),))
    conn.execute("INSERT INTO auth_login (id_hash, patient_id, request_key, expires_at) VALUES (?, ?, ?, ?)",
                 (digest(login_id), patient_id, key, now() + LOGIN_SECONDS))
    return login_id


def find_login(conn: sqlite3.Connection, login_id: str | None, key: str) -> str | None:
    """The patient id of a live login record for this request, or None."""
    if not login_id:
        return None
    row = conn.execute("SELECT patient_id FROM auth_login WHERE id_hash = ? AND request_key = ? AND expires_at > ?",
                       (digest(login_id), key, now())).fetchone()
    return row[0] if row else None


def consume_login(conn: sqlite3.Connection, login_id: str | None, key: str) -> str | None:
    """Take the live login record for this request (it is gone afterwards); its patient id, or None.
    `conn` is inside a write transaction."""
    if not login_id:
        return None
    row = conn.execute("DELETE FROM auth_login WHERE id_hash = ? AND request_key = ? AND expires_at > ?"
                       " RETURNING patient_id", (digest(login_id), key, now())).fetchone()
    return row[0] if row else None
