"""Discovery documents with BB2's exact keys and order, built from the served base URL (sandbox.hosts).

`response_types_supported` is `["code"]`: BB2 also lists `token`, which neither it nor this server grants."""
from __future__ import annotations

from flask import Blueprint

from sandbox.auth.web import json_response
from sandbox.hosts import base_url

bp = Blueprint("auth_discovery", __name__)

SMART_SCOPES = ["openid", "profile", "launch/patient", "patient/Patient.read", "patient/ExplanationOfBenefit.read",
                "patient/Coverage.read", "patient/Patient.rs", "patient/ExplanationOfBenefit.rs", "patient/Coverage.rs"]
SMART_CAPABILITIES = ["client-confidential-symmetric", "context-standalone-patient", "launch-standalone",
                      "permission-offline", "permission-patient", "permission-v1", "permission-v2", "authorize-post"]


def oauth_endpoints(host: str) -> dict:
    """The three endpoints every discovery document names (advertised without trailing slashes)."""
    return {"authorization_endpoint": f"{host}/v2/o/authorize", "revocation_endpoint": f"{host}/v2/o/revoke_token",
            "token_endpoint": f"{host}/v2/o/token"}


def openid_configuration(host: str) -> dict:
    return {"issuer": host,
            **oauth_endpoints(host),
            "userinfo_endpoint": f"{host}/v2/connect/userinfo",
            "ui_locales_supported": ["en-US"],
            "service_documentation": "https://bluebutton.cms.gov/developers",
            "op_tos_uri": "https://bluebutton.cms.gov/terms",
            "grant_types_supported": ["refresh_token", "authorization_code"],
            "response_types_supported": ["code"],
            "fhir_metadata_uri": f"{host}/v2/fhir/metadata"}


def smart_configuration(host: str) -> dict:
    return {**oauth_endpoints(host),
            "grant_types_supported": ["authorization_code"],
            "response_types_supported": ["code"],
            "scopes_supported": SMART_SCOPES,
            "code_challenge_methods_supported": ["S256"],
            "capabilities": SMART_CAPABILITIES}


@bp.get("/.well-known/openid-configuration")
@bp.get("/.well-known/openid-configuration-v2")
@bp.get("/v2/connect/.well-known/openid-configuration")
def openid():
    return json_response(openid_configuration(base_url()))


@bp.get("/v2/fhir/.well-known/smart-configuration")
def smart():
    return json_response(smart_configuration(base_url()))
