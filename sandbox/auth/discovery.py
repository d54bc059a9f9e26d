"""Discovery documents for each API version, built from the served base URL (sandbox.hosts) and the one
endpoint table (sandbox.auth.oauth_urls).

The OpenID document keeps BB2's keys in BB2's order. The SMART document is SMART App Launch 2.x metadata
that tells the truth about this server: the three grant types its token endpoint takes (the code flow,
rotating refresh tokens, and SMART Backend Services' client_credentials with a `private_key_jwt`
assertion), `offline_access` among the scopes, PKCE S256, and the introspection endpoint.
`response_types_supported` is `["code"]`: BB2 also lists `token`, which neither it nor this server grants.
`/.well-known/smart-configuration` at the root is v2's, as the root OpenID document is.
"""
from __future__ import annotations

from flask import Blueprint

from sandbox.auth.models import ASSERTION_ALGORITHMS
from sandbox.auth.oauth_urls import oauth_url
from sandbox.auth.scopes import OFFLINE_ACCESS
from sandbox.auth.web import json_response
from sandbox.hosts import base_url

bp = Blueprint("auth_discovery", __name__)

SMART_SCOPES = ["openid", "profile", "launch/patient", OFFLINE_ACCESS, "patient/Patient.read",
                "patient/ExplanationOfBenefit.read", "patient/Coverage.read", "patient/Patient.rs",
                "patient/ExplanationOfBenefit.rs", "patient/Coverage.rs", "system/*.read", "system/*.rs"]
SMART_CAPABILITIES = ["client-confidential-symmetric", "client-confidential-asymmetric", "context-standalone-patient",
                      "launch-standalone", "permission-offline", "permission-patient", "permission-v1", "permission-v2",
                      "authorize-post"]
GRANT_TYPES = ["authorization_code", "refresh_token", "client_credentials"]
TOKEN_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]


def oauth_endpoints(host: str, version: int) -> dict:
    """The three endpoints every discovery document names, in BB2's key order."""
    return {"authorization_endpoint": oauth_url(host, version, "authorize"),
            "revocation_endpoint": oauth_url(host, version, "revoke"),
            "token_endpoint": oauth_url(host, version, "token")}


def openid_configuration(host: str, version: int = 2) -> dict:
    return {"issuer": host,
            **oauth_endpoints(host, version),
            "userinfo_endpoint": oauth_url(host, version, "userinfo"),
            "ui_locales_supported": ["en-US"],
            "service_documentation": "https://bluebutton.cms.gov/developers",
            "op_tos_uri": "https://bluebutton.cms.gov/terms",
            "grant_types_supported": ["refresh_token", "authorization_code", "client_credentials"],
            "response_types_supported": ["code"],
            "fhir_metadata_uri": f"{host}/v{version}/fhir/metadata"}


def smart_configuration(host: str, version: int = 2) -> dict:
    return {**oauth_endpoints(host, version),
            "introspection_endpoint": oauth_url(host, version, "introspect"),
            "userinfo_endpoint": oauth_url(host, version, "userinfo"),
            "grant_types_supported": GRANT_TYPES,
            "token_endpoint_auth_methods_supported": TOKEN_AUTH_METHODS,
            "token_endpoint_auth_signing_alg_values_supported": list(ASSERTION_ALGORITHMS),
            "response_types_supported": ["code"],
            "scopes_supported": SMART_SCOPES,
            "code_challenge_methods_supported": ["S256"],
            "capabilities": SMART_CAPABILITIES}


@bp.get("/.well-known/openid-configuration")
@bp.get("/.well-known/openid-configuration-v2")
@bp.get("/v2/connect/.well-known/openid-configuration")
def openid():
    return json_response(openid_configuration(base_url(), 2))


@bp.get("/.well-known/openid-configuration-v3")
@bp.get("/v3/connect/.well-known/openid-configuration")
def openid_v3():
    return json_response(openid_configuration(base_url(), 3))


@bp.get("/.well-known/smart-configuration")
@bp.get("/v2/fhir/.well-known/smart-configuration")
def smart():
    return json_response(smart_configuration(base_url(), 2))


@bp.get("/v3/fhir/.well-known/smart-configuration")
def smart_v3():
    return json_response(smart_configuration(base_url(), 3))
