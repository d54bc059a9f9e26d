"""The whole OAuth policy: authlib's Flask authorization server with BB2's grants, rules and error bodies.

authlib does the protocol (client authentication, code and refresh flows, RFC 7009 revocation,
RFC 7662 introspection); the subclasses here store things in SQLite and add what BB2 does
differently: PKCE compared with `=` padding ignored, the response's key order and extra fields,
one-time apps that may not refresh, grants that time out or disappear, and bare `{"error"}` bodies.
Codes are single use and a replay revokes their tokens (codes.py); refresh tokens are claimed atomically
and a reused one revokes its family (tokens.py); repeated wrong client secrets lock the app out for their
source for a while (lockout.py). Every token response says `Cache-Control: no-store`.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import ClassVar

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidClientError, InvalidGrantError, InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import Response, request as flask_request

from sandbox.auth import lockout
from sandbox.auth.apps import find_app
from sandbox.auth.codes import redeem_code, save_code
from sandbox.auth.context import ACCESS_TIMED_OUT
from sandbox.auth.grants import delete_grant, find_grant, format_expiration, grant_expired
from sandbox.auth.models import ACCESS_TOKEN_SECONDS, CLIENT_AUTH_METHODS
from sandbox.auth.web import NO_STORE
from sandbox.db import database
from sandbox.auth.token_versions import patient_id_for, path_version, record_token_version, token_version
from sandbox.auth.tokens import (claim_refresh_token, find_by_access_token, find_by_refresh_token, new_token,
                                 revoke_family, revoke_token, store_token)

VERIFIER_LENGTHS = range(43, 129)
ONE_TIME_REFRESH = ("Your application is not allowed to refresh tokens. To refresh Medicare data, end user must "
                    "re-authenticate and consent to share their data. If your application needs to refresh tokens, "
                    "contact us at BlueButtonAPI@cms.hhs.gov.")
GRANT_NOT_FOUND = ("User access cannot be found. To refresh Medicare data, end user must re-authenticate and "
                   "consent to share their data.")


class BB2Error(OAuth2Error):
    """An error BB2 answers with its own body: `{"status_code", "error", "error_description"}`."""

    def __init__(self, status_code: int, error: str, description: str):
        super().__init__(description=description, status_code=status_code, error=error)

    def get_body(self):
        return [("status_code", self.status_code), ("error", self.error), ("error_description", self.description)]


class ClientLockedError(BB2Error):
    """Too many wrong client secrets: DRF's throttle answer, `{"detail": …}` with Retry-After."""

    def __init__(self, seconds: int):
        super().__init__(429, "throttled", f"Request was throttled. Expected available in {seconds} seconds.")
        self.retry_after = seconds

    def get_body(self):
        return [("detail", self.description)]

    def get_headers(self):
        return [*super().get_headers(), ("Retry-After", str(self.retry_after))]


def claimed_client_id(request) -> str | None:
    """The client id a token-endpoint request claims (HTTP Basic or form), before its secret is checked."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return request.form.get("client_id")
    try:
        return base64.b64decode(credentials.strip(), validate=True).decode().partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClientError() from None


@dataclass(frozen=True)
class Beneficiary:
    """The resource owner: a patient id, (when consenting) the scope they agreed to, and (when refreshing)
    the token family the new pair joins."""
    patient_id: str
    scope: str = ""
    family: str | None = None


class BlueButtonAuthorizationServer(AuthorizationServer):
    """authlib's server answering with BB2's bodies: key order kept, DOT's bare `{"error"}` for protocol errors."""

    def authenticate_client(self, request, methods, endpoint="token"):
        """authlib's client authentication, behind a per-client-and-source lock after repeated wrong secrets."""
        client_id, origin, db = claimed_client_id(request), lockout.source(), database()
        if client_id and (wait := lockout.seconds_locked(db.read(), client_id, origin)):
            raise ClientLockedError(wait)
        try:
            client = super().authenticate_client(request, methods, endpoint)
        except InvalidClientError:
            if client_id:
                with db.write() as conn:
                    lockout.record_failure(conn, client_id, origin)
            raise
        if lockout.has_failures(db.read(), client.client_id, origin):
            with db.write() as conn:
                lockout.record_success(conn, client.client_id, origin)
        return client

    def handle_response(self, status_code, payload, headers):
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        response = Response(payload, status=status_code, headers=headers)
        response.headers.update(NO_STORE)
        return response

    def handle_error_response(self, request, error):
        status, body, headers = error()
        if not isinstance(error, BB2Error) and not error.redirect_uri:
            body = {"error": error.error}
            status = 401 if error.error == "invalid_client" else status
        return self.handle_response(status, body, headers)


def query_client(client_id):
    return find_app(database().read(), client_id) if client_id else None


def save_token(token, request):
    with database().write() as conn:
        if not store_token(conn, request.client.client_id, request.user.patient_id, token["scope"],
                           token["access_token"], token["refresh_token"], request.user.family):
            raise InvalidGrantError()  # the family was revoked while this refresh ran
        record_token_version(conn, token["access_token"], path_version(flask_request.path))


def generate_bb2_token(grant_type, client, user, scope, expires_in=None, include_refresh_token=True):
    """The token response, keys in BB2's order; `patient` is the id on the token URL's API version and
    `access_grant_expiration` the grant's end ("" if none)."""
    grant = find_grant(database().read(), client.client_id, user.patient_id)
    return {"access_token": new_token(), "expires_in": ACCESS_TOKEN_SECONDS, "token_type": "Bearer",
            "scope": scope, "refresh_token": new_token(),
            "patient": patient_id_for(path_version(flask_request.path), user.patient_id),
            "access_grant_expiration": format_expiration(grant["expires_at"] if grant else None)}


class BlueButtonCodeChallenge(CodeChallenge):
    """PKCE as BB2 checks it: S256 only, the verifier's length (not its characters), `=` padding ignored.

    The authorize view has already enforced BB2's challenge rules, so only the verifier is checked here.
    """

    def validate_code_challenge(self, grant, redirect_uri):
        return None

    def validate_code_verifier(self, grant, result):
        verifier = grant.request.form.get("code_verifier")
        if not verifier or len(verifier) not in VERIFIER_LENGTHS:
            raise InvalidRequestError()
        computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        if computed != grant.request.authorization_code.code_challenge.rstrip("="):
            raise InvalidGrantError()


class BlueButtonAuthorizationCodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(CLIENT_AUTH_METHODS)
    AUTHORIZATION_CODE_LENGTH = 30

    def save_authorization_code(self, code, request):
        with database().write() as conn:
            save_code(conn, code, request.client.client_id, request.user.patient_id,
                      request.payload.redirect_uri, request.user.scope, request.payload.data["code_challenge"])

    def query_authorization_code(self, code, client):
        with database().write() as conn:
            return redeem_code(conn, code, client.client_id)

    def delete_authorization_code(self, authorization_code):
        """Nothing left to do: `redeem_code` claimed the code when the exchange began."""

    def authenticate_user(self, authorization_code):
        return Beneficiary(authorization_code.patient_id)


class BlueButtonRefreshTokenGrant(RefreshTokenGrant):
    """Rotating single-use refresh tokens, bounded by the app's data access type and the grant."""
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(CLIENT_AUTH_METHODS)
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        client = self.request.client
        if client.data_access == "one-time":
            raise BB2Error(403, "invalid_client", ONE_TIME_REFRESH)
        conn = database().read()
        token = find_by_refresh_token(conn, refresh_token)
        if token is None:
            raise BB2Error(400, "invalid_request", "Refresh token not found.")
        if not token.check_client(client) or token_version(conn, token.access_hash) != path_version(flask_request.path):
            return None
        if token.is_revoked():  # used before: whoever holds its descendants may hold a copy
            with database().write() as write:
                revoke_family(write, token)
            return None
        grant = find_grant(conn, client.client_id, token.patient_id)
        if grant is None:
            raise BB2Error(403, "invalid_grant", GRANT_NOT_FOUND)
        if grant_expired(grant):
            raise BB2Error(401, "invalid_grant", ACCESS_TIMED_OUT)
        return token

    def authenticate_user(self, refresh_token):
        """Claim the refresh token for this request alone (its scope is checked by now): a concurrent refresh
        with the same token that lost the claim is a reuse, and revokes the family."""
        with database().write() as conn:
            family = claim_refresh_token(conn, refresh_token)
            if family is None:
                revoke_family(conn, refresh_token)
        if family is None:
            raise InvalidGrantError()
        return Beneficiary(refresh_token.patient_id, family=family)

    def revoke_old_credential(self, refresh_token):
        """Nothing left to do: `authenticate_user` rotated the token out when it claimed it."""


class _StoredTokenLookup:
    """`query_token` for the revocation and introspection endpoints: by access or refresh token, and only
    the endpoint's own API version's tokens (`/v3/o/introspect/` knows no v2 token, and the other way round)."""
    CLIENT_AUTH_METHODS: ClassVar[list[str]] = list(CLIENT_AUTH_METHODS)

    def query_token(self, token_string, token_type_hint):
        conn = database().read()
        finders = (find_by_refresh_token, find_by_access_token)
        if token_type_hint != "refresh_token":
            finders = finders[::-1]
        token = next((t for t in (find(conn, token_string) for find in finders) if t), None)
        if token is None or token_version(conn, token.access_hash) != path_version(flask_request.path):
            return None
        return token


class TokenRevocation(_StoredTokenLookup, RevocationEndpoint):
    """RFC 7009 `/v{2,3}/o/revoke_token/`: the token pair dies; the grant stays."""

    def revoke_token(self, token, request):
        with database().write() as conn:
            revoke_token(conn, token)


class GrantRevocation(TokenRevocation):
    """BB2's `/v{2,3}/o/revoke/`: also deletes the grant, killing every token of that beneficiary and app."""
    ENDPOINT_NAME = "grant_revocation"

    def revoke_token(self, token, request):
        with database().write() as conn:
            delete_grant(conn, token.client_id, token.patient_id, with_tokens=True)


class TokenIntrospection(_StoredTokenLookup, IntrospectionEndpoint):
    """RFC 7662 `/v{2,3}/o/introspect/` for the app that owns the token."""

    def check_permission(self, token, client, request):
        return token.check_client(client)

    def introspect_token(self, token):
        return {"active": True, "scope": token.scope, "exp": token.expires_at, "client_id": token.client_id,
                "username": patient_id_for(path_version(flask_request.path), token.patient_id)}


def create_server(app) -> BlueButtonAuthorizationServer:
    server = BlueButtonAuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_token_generator("default", generate_bb2_token)
    server.register_grant(BlueButtonAuthorizationCodeGrant, [BlueButtonCodeChallenge(required=True)])
    server.register_grant(BlueButtonRefreshTokenGrant)
    for endpoint in (TokenRevocation, GrantRevocation, TokenIntrospection):
        server.register_endpoint(endpoint)
    return server
