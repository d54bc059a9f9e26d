"""Who is calling: `authenticate()` checks the request's Bearer token against the store, as BB2 does.

FHIR routes call `authenticate()` (or just `current_patient()` / `granted_scopes()`, which
authenticate on first use); failures raise `ApiError` with BB2's bodies.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, request

from sandbox.api_errors import NO_PERMISSION, NOT_AUTHENTICATED, ApiError
from sandbox.auth.schema import now
from sandbox.auth.token_versions import V2
from sandbox.auth.tokens import find_access
from sandbox.db import database

ACCESS_TIMED_OUT = ("User access has timed out. To refresh Medicare data, end user must re-authenticate "
                    "and consent to share their data.")
TOKEN_IN_QUERY = ("Using the access token in the query parameters is not supported. "
                  "Use the Authorization header instead")


@dataclass(frozen=True)
class AccessContext:
    """What a valid token grants: whose data, which scopes, to which app."""
    patient_id: str
    scopes: frozenset[str]
    client_id: str
    version: int = V2


def _not_authenticated() -> ApiError:
    return ApiError(401, NOT_AUTHENTICATED, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def authenticate() -> AccessContext:
    """Validate `Authorization: Bearer …`, store the result on `flask.g.auth_context` and return it."""
    if "access_token" in request.args:
        raise ApiError(400, TOKEN_IN_QUERY)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _not_authenticated()
    access = find_access(database().read(), token.strip())
    if access is None or access.token.is_revoked() or access.token.is_expired():
        raise _not_authenticated()
    if not access.has_grant:
        raise ApiError(403, NO_PERMISSION)
    if access.grant_expires_at is not None and access.grant_expires_at <= now():
        raise ApiError(401, ACCESS_TIMED_OUT)
    stored = access.token
    g.auth_context = AccessContext(stored.patient_id, frozenset(stored.scope.split()), stored.client_id,
                                   access.version)
    return g.auth_context


def _context() -> AccessContext:
    return g.auth_context if "auth_context" in g else authenticate()


def current_patient() -> str:
    """The patient id the request's token was granted for."""
    return _context().patient_id


def granted_scopes() -> frozenset[str]:
    """The scopes the request's token carries."""
    return _context().scopes
