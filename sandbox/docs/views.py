"""`/docs/`: Swagger UI for the sandbox, and its OpenAPI document.

Swagger UI's "Authorize" runs the authorization code flow with PKCE as the built-in "Swagger UI" app,
whose redirect URI is Swagger UI's own `/docs/oauth2-redirect.html` on the host the browser used (added to
the app when that host first opens the docs, for loopback hosts only: a forged Host header must not add a
redirect URI elsewhere to an app whose secret is on this page). Like the demo app's, its secret is a local sandbox
credential kept in plain text so the page can hand it to Swagger UI.
"""
from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import swagger_ui_bundle
from flask import Blueprint, abort, current_app, render_template, send_from_directory

from sandbox.auth.apps import CLIENT_ID_LENGTH, BuiltinApp, add_redirect_uri, builtin_secret
from sandbox.auth.discovery import host_url
from sandbox.auth.schema import request_db
from sandbox.auth.scopes import ALL_SCOPES
from sandbox.auth.web import json_response
from sandbox.docs.openapi import openapi_document

bp = Blueprint("docs", __name__, url_prefix="/docs")
SWAGGER_ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
SERVED_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "oauth2-redirect.html",
                 "favicon-32x32.png", "favicon-16x16.png"}
REDIRECT_PAGE = "/docs/oauth2-redirect.html"
SWAGGER_APP = BuiltinApp("MedisynthSwaggerUI".ljust(CLIENT_ID_LENGTH, "0"), "Swagger UI (API docs)",
                         "http://localhost:8000" + REDIRECT_PAGE, "thirteen-month", keep_secret=True)


def is_loopback(hostname: str | None) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname or "").is_loopback
    except ValueError:
        return False


def swagger_client() -> dict:
    """The Swagger UI app's credentials, its redirect URI allowed for this request's host if that is loopback."""
    conn = request_db()
    secret = builtin_secret(conn, SWAGGER_APP)
    if is_loopback(urlsplit(host_url()).hostname):
        add_redirect_uri(conn, SWAGGER_APP.client_id, host_url() + REDIRECT_PAGE)
    return {"client_id": SWAGGER_APP.client_id, "client_secret": secret}


@bp.get("/")
def swagger_ui():
    return render_template("docs/swagger.html", client=swagger_client(), scopes=" ".join(ALL_SCOPES))


def served_features() -> dict:
    """Which optional parts this app serves: API versions (by their token endpoint) and the bulk export."""
    served = {rule.rule for rule in current_app.url_map.iter_rules()}
    return {"versions": tuple(v for v in ("v2", "v3") if f"/{v}/o/token/" in served),
            "bulk": "/v2/fhir/Patient/$export" in served}


@bp.get("/openapi.json")
def openapi_json():
    return json_response(openapi_document(host_url(), **served_features()))


@bp.get("/<name>")
def asset(name: str):
    if name not in SERVED_ASSETS:
        abort(404)
    return send_from_directory(SWAGGER_ASSETS, name)
