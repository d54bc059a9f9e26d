"""Backend-services clients (SMART Backend Services): registered by their public keys, no secret, no user.

`medisynth apps create --name NAME --jwks FILE_OR_URL` stores the client's JWKS (read from a file, or
fetched once from an http(s) URL). Only public RSA or EC keys are accepted.
"""
from __future__ import annotations

import json
import sqlite3
import urllib.request
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from authlib.common.security import generate_token
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from sandbox.auth.apps import CLIENT_ID_LENGTH, AppError
from sandbox.auth.schema import now, open_auth_db

SCHEMA = """
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
"""
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


def register_backend_client(conn: sqlite3.Connection, *, name: str, jwks_source: str) -> BackendClient:
    if not name.strip():
        raise AppError("the app name must not be empty")
    jwks = _read_jwks(jwks_source)
    client_id = generate_token(CLIENT_ID_LENGTH)
    conn.executescript(SCHEMA)
    with conn:
        conn.execute("INSERT INTO backend_client (client_id, name, jwks, created_at) VALUES (?, ?, ?, ?)",
                     (client_id, name.strip(), json.dumps(jwks), now()))
    return BackendClient(client_id, name.strip(), jwks)


def find_backend_client(conn: sqlite3.Connection, client_id: str) -> BackendClient | None:
    row = conn.execute("SELECT client_id, name, jwks FROM backend_client WHERE client_id = ?",
                       (client_id,)).fetchone()
    return BackendClient(row[0], row[1], json.loads(row[2])) if row else None


def create_backend_client_cli(db, *, name: str, jwks_source: str, as_json: bool = False) -> str:
    with closing(open_auth_db(db)) as conn:
        client = register_backend_client(conn, name=name, jwks_source=jwks_source)
    summary = {"client_id": client.client_id, "name": client.name, "kind": "backend-services",
               "token_endpoint_auth_method": "private_key_jwt", "keys": len(client.jwks["keys"])}
    if as_json:
        return json.dumps(summary, indent=2)
    return (f"Created backend-services app {client.name}\n  client_id: {client.client_id}\n"
            f"  keys:      {summary['keys']} public key(s)\n"
            "Get tokens at /v2/o/token/ with grant_type=client_credentials and a JWT client assertion "
            "signed with your private key (RS384 or ES384).")
