"""`/docs/`: Swagger UI for the sandbox, and its OpenAPI document.

Swagger UI's "Authorize" runs the authorization code flow with PKCE as the built-in "Swagger UI" app,
whose redirect URIs are Swagger UI's own `/docs/oauth2-redirect.html` on each base URL the server serves
(set when `medisynth serve` starts, never by a request: a page view writes nothing; on a loopback name any
port is accepted, RFC 8252 §7.3, since several sandboxes on one machine may share a store). Like the demo app's,
its secret is a local sandbox credential kept in plain text so the page can hand it to Swagger UI; the
page is behind the portal token when the portal is (sandbox.portal.access).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, abort, current_app, render_template, send_from_directory

from sandbox.auth.apps import (SWAGGER_APP, SWAGGER_REDIRECT_PAGE, builtin_secret, ensure_builtin_app,
                               set_redirect_uris)
from sandbox.auth.models import is_loopback_docs_redirect
from sandbox.auth.scopes import ALL_SCOPES
from sandbox.auth.web import json_response, no_store
from sandbox.db import database
from sandbox.docs.openapi import openapi_document
from sandbox.hosts import base_url
from sandbox.portal.access import admitted

bp = Blueprint("docs", __name__, url_prefix="/docs")
SWAGGER_ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
SERVED_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "oauth2-redirect.html",
                 "favicon-32x32.png", "favicon-16x16.png"}
REDIRECT_PAGE = SWAGGER_REDIRECT_PAGE


MAX_REGISTERED_REDIRECTS = 8


def allow_swagger_redirects(conn: sqlite3.Connection, bases: list[str]) -> None:
    """Register the Swagger UI app (once) and allow its redirect page on each served base: loopback ones by
    rule (any port), public ones registered, the newest `MAX_REGISTERED_REDIRECTS` kept (servers with other
    public URLs may share the store)."""
    app = ensure_builtin_app(conn, SWAGGER_APP)
    public = [base + REDIRECT_PAGE for base in bases if not is_loopback_docs_redirect(base + REDIRECT_PAGE)]
    kept = [uri for uri in app.redirect_uris if not is_loopback_docs_redirect(uri)]
    uris = list(dict.fromkeys(public + kept))[:MAX_REGISTERED_REDIRECTS] or [SWAGGER_APP.redirect_uri]
    set_redirect_uris(conn, SWAGGER_APP.client_id, uris)


@bp.get("/")
@admitted
def swagger_ui():
    secret = builtin_secret(database().read(), SWAGGER_APP)
    if secret is None:
        abort(503)
    return no_store(render_template("docs/swagger.html", client={"client_id": SWAGGER_APP.client_id,
                                                                 "client_secret": secret},
                                    scopes=" ".join(ALL_SCOPES)))


def served_features() -> dict:
    """Which optional parts this app serves: API versions (by their token endpoint) and the bulk export."""
    served = {rule.rule for rule in current_app.url_map.iter_rules()}
    return {"versions": tuple(v for v in ("v2", "v3") if f"/{v}/o/token/" in served),
            "bulk": "/v2/fhir/Patient/$export" in served}


@bp.get("/openapi.json")
def openapi_json():
    return json_response(openapi_document(base_url(), **served_features()))


@bp.get("/<name>")
def asset(name: str):
    if name not in SERVED_ASSETS:
        abort(404)
    return send_from_directory(SWAGGER_ASSETS, name)
