"""Backend-services clients (SMART Backend Services): registered by their public keys, no secret, no user.

`medisynth apps create --name NAME --jwks FILE_OR_URL` stores the client's JWKS (read from a file, or
fetched once from an http(s) URL). Only public RSA or EC keys are accepted. They are listed and deleted
with the other apps (`medisynth apps list`, `apps delete`); deleting one revokes its tokens and cancels
its exports.
"""
from __future__ import annotations

import json
import sqlite3
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from authlib.common.security import generate_token
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from sandbox.auth.apps import CLIENT_ID_LENGTH, AppError
from sandbox.auth.schema import now
from sandbox.bulk.jobs import cancel_client_jobs
from sandbox.db import Migration

MIGRATION = Migration(3, "bulk-clients", """
CREATE TABLE IF NOT EXISTS backend_client (
    client_id  TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    jwks       TEXT NOT NULL,               -- the client's public keys (JSON Web Key Set)
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS backend_jti (  -- assertion ids already used (single use), kept until they expire
    client_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE TABLE IF NOT EXISTS backend_token (
    access_hash TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL,
    scope       TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);
""")
FETCH_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class BackendClient:
    client_id: str
    name: str
    jwks: dict

    def key_set(self) -> KeySet:
        return KeySet.import_key_set(self.jwks)


def _read_jwks(source: str) -> dict:
    """The JWKS at `source`: an http(s) URL or a file path."""
    if "://" in source:
        if not source.startswith(("http://", "https://")):
            raise AppError(f"JWKS URL {source!r} must be http(s)")
        try:
            with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT_SECONDS) as response:
                text = response.read()
        except OSError as e:
            raise AppError(f"cannot fetch the JWKS from {source}: {e}") from None
    else:
        try:
            text = Path(source).read_bytes()
        except OSError as e:
            raise AppError(f"cannot read the JWKS file {source}: {e.strerror}") from None
    try:
        jwks = json.loads(text)
    except ValueError:
        raise AppError(f"{source} is not JSON (expected a JWK Set: {{\"keys\": [...]}})") from None
    return _checked_jwks(jwks, source)


def _checked_jwks(jwks, source: str) -> dict:
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or not keys:
        raise AppError(f"{source} is not a JWK Set with keys (expected {{\"keys\": [...]}})")
    for key in keys:
        if not isinstance(key, dict) or key.get("kty") not in ("RSA", "EC"):
            raise AppError(f"{source}: every key must be an RSA or EC key (kty RSA or EC)")
        if "d" in key:
            raise AppError(f"{source} holds a private key: register only the public keys")
    try:
        KeySet.import_key_set(jwks)
    except (JoseError, ValueError, TypeError) as e:
        raise AppError(f"{source}: not a valid JWK Set ({e})") from None
    return {"keys": keys}


def register_backend_client(conn: sqlite3.Connection, *, name: str, jwks: dict) -> BackendClient:
    """Store a backend-services app with its (checked) public keys. `conn` is inside a write transaction."""
    client_id = generate_token(CLIENT_ID_LENGTH)
    conn.execute("INSERT INTO backend_client (client_id, name, jwks, created_at) VALUES (?, ?, ?, ?)",
                 (client_id, name.strip(), json.dumps(jwks), now()))
    return BackendClient(client_id, name.strip(), jwks)


def find_backend_client(conn: sqlite3.Connection, client_id: str) -> BackendClient | None:
    row = conn.execute("SELECT client_id, name, jwks FROM backend_client WHERE client_id = ?",
                       (client_id,)).fetchone()
    return BackendClient(row[0], row[1], json.loads(row[2])) if row else None


def list_backend_clients(conn: sqlite3.Connection) -> list[BackendClient]:
    rows = conn.execute("SELECT client_id, name, jwks FROM backend_client ORDER BY created_at, client_id").fetchall()
    return [BackendClient(r[0], r[1], json.loads(r[2])) for r in rows]


def backend_summary(client: BackendClient) -> dict:
    return {"client_id": client.client_id, "name": client.name, "kind": "backend-services",
            "token_endpoint_auth_method": "private_key_jwt", "keys": len(client.jwks["keys"])}


def delete_backend_client(conn: sqlite3.Connection, db_path: Path, client_id: str) -> tuple[BackendClient, int]:
    """Remove a backend-services app: its tokens stop working at once and its exports are cancelled (files
    deleted); returns it and how many exports were still active. `conn` is inside a write transaction."""
    from sandbox.bulk import default_exports_dir

    client = find_backend_client(conn, client_id)
    if client is None:
        raise AppError(f"no app with client id {client_id!r} (see `medisynth apps list`)")
    for table in ("backend_token", "backend_jti", "backend_client"):
        conn.execute(f"DELETE FROM {table} WHERE client_id = ?", (client_id,))
    return client, cancel_client_jobs(conn, default_exports_dir(db_path), client_id)


def create_backend_client_cli(db, *, name: str, jwks_source: str, as_json: bool = False) -> str:
    from sandbox.app import open_store

    if not name.strip():
        raise AppError("the app name must not be empty")
    jwks = _read_jwks(jwks_source)  # before the write transaction: a URL may take seconds
    with open_store(db).write() as conn:
        client = register_backend_client(conn, name=name, jwks=jwks)
    summary = backend_summary(client)
    if as_json:
        return json.dumps(summary, indent=2)
    return (f"Created backend-services app {client.name}\n  client_id: {client.client_id}\n"
            f"  keys:      {summary['keys']} public key(s)\n"
            "Get tokens at /v2/o/token/ with grant_type=client_credentials and a JWT client assertion "
            "signed with your private key (RS384 or ES384).")
