"""The OAuth objects as authlib sees them: an app (client), an authorization code, a token.

Each is a frozen row from the store plus the few mixin methods authlib's grants call.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin

from sandbox.auth.schema import digest, now
from sandbox.auth.scopes import allowed_scopes, app_scopes, scope_string

ACCESS_TOKEN_SECONDS = 3600
LOOPBACK_REDIRECT_CLIENT = "MedisynthSwaggerUI".ljust(40, "0")  # sandbox.auth.apps.SWAGGER_APP
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
GRANT_TYPES = ("authorization_code", "refresh_token")
ASSERTION_ALGORITHMS = ("RS384", "ES384")  # private_key_jwt client assertions (sandbox.bulk.backend_auth)


def is_loopback_docs_redirect(uri: str) -> bool:
    """Swagger UI's redirect page on a loopback name, any port (RFC 8252 §7.3)."""
    parts = urlsplit(uri)
    try:
        port = parts.port
    except ValueError:
        return False
    return (parts.scheme == "http" and parts.hostname in LOOPBACK_NAMES and port is not None
            and parts.path == "/docs/oauth2-redirect.html" and not parts.query and not parts.fragment
            and "@" not in parts.netloc)


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
        return redirect_uri in self.redirect_uris or (self.client_id == LOOPBACK_REDIRECT_CLIENT
                                                      and is_loopback_docs_redirect(redirect_uri))

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
