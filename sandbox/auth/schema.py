"""The OAuth tables (apps, grants, codes, tokens, lockouts, browser sessions, logins) in the store's SQLite file.

They live beside the dataset tables but are never touched by a dataset load, so registered apps and
connected beneficiaries survive reloads and restarts. Migration 2 made them; migration 5 added token
families (reuse of a rotated refresh token revokes its family), lockout per client and source, server-side
browser sessions, login records and the portal's one-time secrets. Secrets, codes and tokens are stored only as
sha256 digests. Times are Unix seconds; tests make things expire by editing these columns directly.
"""
from __future__ import annotations

import hashlib
import time

from sandbox.db import Migration

MIGRATIONS = (Migration(2, "auth", """
CREATE TABLE IF NOT EXISTS auth_app (
    client_id     TEXT PRIMARY KEY,
    secret_hash   TEXT NOT NULL,
    name          TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,            -- JSON list, matched exactly
    data_access   TEXT NOT NULL,            -- thirteen-month | one-time | research-study
    demographics  INTEGER NOT NULL,         -- 1: the app asks for demographic scopes
    created_at    INTEGER NOT NULL,
    demo_secret   TEXT                      -- plain secret, kept for the built-in demo app only
);
CREATE TABLE IF NOT EXISTS auth_grant (
    client_id  TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    expires_at INTEGER,                     -- NULL: never (research-study)
    created_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, patient_id)
);
CREATE TABLE IF NOT EXISTS auth_code (
    code_hash      TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    patient_id     TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    expires_at     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_code_used (   -- redeemed codes, remembered a day so a replay is recognised
    code_hash  TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    used_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_client_failure ( -- wrong client secrets in a row, and the lock they earned
    client_id    TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER
);
CREATE TABLE IF NOT EXISTS auth_token (
    access_hash  TEXT PRIMARY KEY,
    refresh_hash TEXT UNIQUE NOT NULL,
    client_id    TEXT NOT NULL,
    patient_id   TEXT NOT NULL,
    scope        TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked      INTEGER NOT NULL DEFAULT 0, -- 1: revoked or rotated (a reused refresh token is invalid_grant)
    created_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_token_owner ON auth_token (client_id, patient_id);
CREATE TABLE IF NOT EXISTS token_version (  -- v3 tokens only (sandbox/auth/token_versions.py)
    access_hash TEXT PRIMARY KEY,
    version     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_setting (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""), Migration(5, "auth", """
ALTER TABLE auth_token ADD COLUMN family TEXT;
CREATE INDEX auth_token_family ON auth_token (family);
CREATE TABLE auth_token_family_revoked (
    family     TEXT PRIMARY KEY,
    revoked_at INTEGER NOT NULL
);
DROP TABLE auth_client_failure;
CREATE TABLE auth_client_failure (
    client_id    TEXT NOT NULL,
    source       TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    PRIMARY KEY (client_id, source)
);
CREATE TABLE web_session (
    id_hash    TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX web_session_expiry ON web_session (expires_at);
CREATE TABLE auth_login (
    id_hash     TEXT PRIMARY KEY,
    patient_id  TEXT NOT NULL,
    request_key TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE TABLE portal_secret (
    session_hash TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    secret       TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (session_hash, client_id)
);
"""))


def now() -> int:
    return int(time.time())


def digest(secret: str) -> str:
    """The sha256 hex digest under which a secret, code or token is stored and looked up."""
    return hashlib.sha256(secret.encode()).hexdigest()
