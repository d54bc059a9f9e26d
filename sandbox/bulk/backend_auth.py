"""SMART Backend Services tokens: a signed JWT client assertion in, a short-lived system token out.

`POST /v2/o/token/` with `grant_type=client_credentials`,
`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`, `client_assertion` (a JWT
signed RS384 or ES384 with a key of the client's registered JWKS; `iss` = `sub` = client id, `aud` = the
token URL of one of the bases this server is configured to serve (never one derived from the request's
headers), `exp` at most 5 minutes ahead, `nbf`/`iat` not in the future, every time a finite number, `jti`
used once) and `scope=system/*.read` (or narrower; scopes of types this server does not have are dropped).
Signatures and claims are checked with joserfc (authlib's JOSE library). System tokens are stored apart
from patient tokens, so they never open patient routes, and patient tokens never open bulk routes.
"""
from __future__ import annotations

import base64
import json
import math
import re
import sqlite3
from dataclasses import dataclass

from authlib.common.security import generate_token
from flask import current_app, request
from joserfc import jwt
from joserfc.errors import JoseError

from sandbox.auth.models import ASSERTION_ALGORITHMS
from sandbox.auth.schema import digest, now
from sandbox.auth.tokens import find_by_access_token
from sandbox.auth.web import json_response
from sandbox.bulk.clients import find_backend_client
from sandbox.bulk.outcome import BulkError
from sandbox.db import database
from sandbox.hosts import served_bases
from sandbox.store import TABLES

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = list(ASSERTION_ALGORITHMS)
MAX_ASSERTION_SECONDS = 300
CLOCK_SKEW_SECONDS = 60
SYSTEM_TOKEN_SECONDS = 300
_SYSTEM_SCOPE = re.compile(r"^system/(\*|Patient|Coverage|ExplanationOfBenefit)\.(read|rs|r|s)$")


class _TokenError(Exception):
    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _unverified_claims(assertion: str) -> dict:
    """The assertion's payload before verification (only to find whose keys verify it); NaN and Infinity,
    which JSON does not have, make it invalid."""
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)),
                            parse_constant=_refuse_constant)
    except (IndexError, ValueError, UnicodeDecodeError):
        raise _TokenError(400, "invalid_client", "client_assertion is not a JWT") from None
    if not isinstance(claims, dict):
        raise _TokenError(400, "invalid_client", "client_assertion is not a JWT")
    return claims


def token_urls() -> set[str]:
    """The token endpoint URLs an assertion may name as its audience: this path on every configured base."""
    path = request.path.rstrip("/")
    return {base + path for base in served_bases(current_app.config)}


def _number(claims: dict, name: str, required: bool) -> float | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _TokenError(400, "invalid_request", f"the assertion's {name} must be a finite number of seconds "
                                                  "since the epoch")
    return value


def _check_claims(claims: dict, client_id: str) -> None:
    audiences = claims.get("aud") if isinstance(claims.get("aud"), list) else [claims.get("aud")]
    allowed = token_urls()
    if claims.get("sub") != client_id:
        raise _TokenError(401, "invalid_client", "the assertion's sub must be the client id (its iss)")
    if not any(isinstance(a, str) and a.rstrip("/") in allowed for a in audiences):
        raise _TokenError(401, "invalid_client", "the assertion's aud must be this server's token URL, one of "
                                                 + ", ".join(sorted(u + "/" for u in allowed)))
    exp, current = _number(claims, "exp", required=True), now()
    if exp < current - CLOCK_SKEW_SECONDS:
        raise _TokenError(401, "invalid_client", "the assertion has expired")
    if exp > current + MAX_ASSERTION_SECONDS + CLOCK_SKEW_SECONDS:
        raise _TokenError(401, "invalid_client", "the assertion's exp is more than 5 minutes ahead")
    for name in ("nbf", "iat"):
        moment = _number(claims, name, required=False)
        if moment is not None and moment > current + CLOCK_SKEW_SECONDS:
            raise _TokenError(401, "invalid_client", f"the assertion's {name} is in the future")
    if not isinstance(claims.get("jti"), str) or not claims["jti"]:
        raise _TokenError(401, "invalid_client", "the assertion has no jti")


def _use_jti(conn: sqlite3.Connection, client_id: str, jti: str, exp: float) -> None:
    conn.execute("DELETE FROM backend_jti WHERE expires_at < ?", (now() - CLOCK_SKEW_SECONDS,))
    try:
        conn.execute("INSERT INTO backend_jti (client_id, jti, expires_at) VALUES (?, ?, ?)",
                     (client_id, jti, int(exp)))
    except sqlite3.IntegrityError:
        raise _TokenError(401, "invalid_client", "the assertion's jti has been used already") from None


def _granted_scope(requested: str) -> str:
    """The requested system scopes this server has; the others (a generic bulk client asks for every US Core
    type) are left out, as RFC 6749 §3.3 allows, and the response's `scope` says what was granted."""
    scopes = [s for s in requested.split() if _SYSTEM_SCOPE.match(s)]
    if not scopes:
        raise _TokenError(400, "invalid_scope", "scope must include system/*.read or system/<Patient|Coverage|"
                                                "ExplanationOfBenefit>.read (or .rs, .r, .s)")
    return " ".join(dict.fromkeys(scopes))


def _issue(form) -> dict:
    if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
        raise _TokenError(400, "invalid_request", f"client_credentials needs client_assertion_type={ASSERTION_TYPE} "
                                                  "and a client_assertion")
    assertion = form["client_assertion"]
    client_id = _unverified_claims(assertion).get("iss")
    client = find_backend_client(database().read(), client_id) if isinstance(client_id, str) else None
    if client is None:
        raise _TokenError(401, "invalid_client", "no backend-services app has the assertion's iss as client id")
    try:
        claims = jwt.decode(assertion, client.key_set(), algorithms=ALGORITHMS).claims
    except (JoseError, ValueError, TypeError) as e:
        raise _TokenError(401, "invalid_client", f"the assertion's signature does not verify ({e})") from None
    _check_claims(claims, client.client_id)
    scope = _granted_scope(form.get("scope", ""))
    token = generate_token(30)
    with database().write() as conn:
        _use_jti(conn, client.client_id, claims["jti"], claims["exp"])
        conn.execute("INSERT INTO backend_token (access_hash, client_id, scope, expires_at) VALUES (?, ?, ?, ?)",
                     (digest(token), client.client_id, scope, now() + SYSTEM_TOKEN_SECONDS))
    return {"access_token": token, "token_type": "bearer", "expires_in": SYSTEM_TOKEN_SECONDS, "scope": scope}


def backend_token_response():
    """The token endpoint's answer to a client_credentials request."""
    try:
        return json_response(_issue(request.form))
    except _TokenError as e:
        return json_response({"error": e.error, "error_description": e.description}, e.status)


@dataclass(frozen=True)
class SystemAccess:
    """What a system token allows: its client, and the resource types its scopes cover."""
    client_id: str
    resource_types: frozenset[str]


def _resource_types(scope: str) -> frozenset[str]:
    named = {_SYSTEM_SCOPE.match(s)[1] for s in scope.split() if _SYSTEM_SCOPE.match(s)}
    return frozenset(TABLES) if "*" in named else frozenset(named)


def authenticate_system() -> SystemAccess:
    """The request's system token (raises BulkError 401, or 403 for a patient token)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise BulkError(401, "login", "An Authorization: Bearer token from a backend-services app is required.")
    conn = database().read()
    row = conn.execute("SELECT client_id, scope, expires_at FROM backend_token WHERE access_hash = ?",
                       (digest(token),)).fetchone()
    if row is None:
        if find_by_access_token(conn, token) is not None:
            raise BulkError(403, "forbidden", "Patient tokens may not export: use a backend-services app's token.")
        raise BulkError(401, "login", "The access token is not valid.")
    if row["expires_at"] <= now():
        raise BulkError(401, "expired", "The access token has expired: request a new one.")
    return SystemAccess(row["client_id"], _resource_types(row["scope"]))
