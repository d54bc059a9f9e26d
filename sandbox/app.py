"""The sandbox's Flask app factory: `create_app(config)` wires the store, the OAuth server and the FHIR API.

Config is passed in, never global: `create_app({"DB_PATH": "output/sandbox.db"})`. One blueprint per
concern: `sandbox.auth` (OAuth 2.0, login, consent, discovery), `sandbox.fhir` (the v2 FHIR API),
`sandbox.portal` (the developer portal at /), `sandbox.docs` (OpenAPI + Swagger UI at /docs/),
`sandbox.bulk` ($export for backend-services apps) and `sandbox.v3` (/v3/fhir, the insurance card);
`sandbox.faults` simulates failures on the FHIR routes when asked.
`ApiError` raised anywhere becomes its JSON body, status and headers; `sandbox.hardening` adds the security
headers and the request-size limit. Links and advertised URLs follow
the client's host, including `X-Forwarded-Host`/`-Proto` from a proxy.
"""
from __future__ import annotations

from pathlib import Path

import orjson
from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from sandbox.api_errors import ApiError


def api_error_response(error: ApiError) -> Response:
    """The HTTP response for an ApiError: its JSON body (BB2 sends these as application/json)."""
    return Response(orjson.dumps(error.body), status=error.status, headers=error.headers, mimetype="application/json")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        DB_PATH=str(Path("output/sandbox.db")),
        JSON_SORT_KEYS=False,
    )
    app.config.update(config or {})
    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1, x_port=1)
    app.register_error_handler(ApiError, api_error_response)

    from sandbox.auth import init_app as init_auth
    from sandbox.bulk import init_app as init_bulk
    from sandbox.docs import init_app as init_docs
    from sandbox.faults import init_app as init_faults
    from sandbox.fhir import init_app as init_fhir
    from sandbox.hardening import init_app as init_hardening
    from sandbox.portal import init_app as init_portal
    from sandbox.v3 import init_app as init_v3

    init_hardening(app)
    init_auth(app)
    init_fhir(app)
    init_faults(app)
    init_bulk(app)
    init_v3(app)
    init_portal(app)
    init_docs(app)

    @app.get("/health")
    def health():
        return {"message": "all's well"}

    return app
