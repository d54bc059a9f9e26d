"""The OAuth objects as authlib sees them: an app (client), an authorization code, a token.

Each is a frozen row from the store plus the few mixin methods authlib's grants call.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin

from sandbox.auth.schema import digest, now
from sandbox.auth.scopes import allowed_scopes, app_scopes, scope_string

ACCESS_TOKEN_SECONDS = 3600
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
GRANT_TYPES = ("authorization_code", "refresh_token")


@dataclass(frozen=True)
class App(ClientMixin):
    """A registered client app (BB2's developer-dashboard application)."""
    client_id: str
    secret_hash: str
    name: str
    redirect_uris: tuple[str, ...]
    data_access: str
    demographics: bool

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return scope_string(allowed_scopes(scope, app_scopes(self.demographics)))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return hmac.compare_digest(digest(client_secret), self.secret_hash)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in CLIENT_AUTH_METHODS

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in GRANT_TYPES


@dataclass(frozen=True)
class AuthCode(AuthorizationCodeMixin):
    """A stored authorization code (single use, 60 s), bound to app, beneficiary, redirect URI and PKCE challenge."""
    code_hash: str
    client_id: str
    patient_id: str
    redirect_uri: str
    scope: str
    code_challenge: str
    expires_at: int
    code_challenge_method = "S256"

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope


@dataclass(frozen=True)
class Token(TokenMixin):
    """A stored access + refresh token pair."""
    access_hash: str
    refresh_hash: str
    client_id: str
    patient_id: str
    scope: str
    expires_at: int
    revoked: int
    created_at: int

    def check_client(self, client):
        return client.client_id == self.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return ACCESS_TOKEN_SECONDS

    def is_expired(self):
        return self.expires_at <= now()

    def is_revoked(self):
        return bool(self.revoked)
