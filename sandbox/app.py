"""The sandbox's Flask app factory: `create_app(config)` wires the blueprints and does nothing else.

Config is passed in, never global: `create_app({"DB_PATH": "output/sandbox.db"})`. One blueprint per
concern: `sandbox.auth` (OAuth 2.0, login, consent, discovery), `sandbox.fhir` (the v2 FHIR API),
`sandbox.portal` (the developer portal at /), `sandbox.docs` (OpenAPI + Swagger UI at /docs/),
`sandbox.bulk` ($export for backend-services apps) and `sandbox.v3` (/v3/fhir, the insurance card);
`sandbox.faults` simulates failures on the FHIR routes when asked. Each adds its tables to the store's
schema registry (sandbox.db); building the app opens no file, writes nothing and starts no thread.
`open_store(path)` creates and migrates a store (the CLI and `serve` call it), `prepare_store` also
registers the built-in apps; `medisynth serve` then starts the export runner in each worker.

`ApiError` raised anywhere becomes its JSON body, status and headers; a store that cannot serve becomes a
JSON 503 and any other failure a JSON 500, never an HTML page; an unrouted path under /v2/ or /v3/ is a
JSON 404 or 405 (sandbox.unrouted). `sandbox.hosts` refuses Hosts the server
does not serve and makes the base URL of every link; `sandbox.hardening` adds the security headers and
the request-size limit.
"""
from __future__ import annotations

import logging
from pathlib import Path

import orjson
from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from sandbox.api_errors import ApiError
from sandbox.db import Database, StoreUnavailable

log = logging.getLogger("medisynth")


def api_error_response(error: ApiError) -> Response:
    """The HTTP response for an ApiError: its JSON body (BB2 sends these as application/json)."""
    return Response(orjson.dumps(error.body), status=error.status, headers=error.headers, mimetype="application/json")


def _store_unavailable(error: StoreUnavailable) -> Response:
    log.error("store unavailable: %s", error)
    return api_error_response(ApiError(503, f"The sandbox store is unavailable: {error}", headers={"Retry-After": "5"}))


def _unexpected(error: Exception):
    """Any other failure, including one raised while finishing a response (Flask then wraps it in a 500)."""
    original = getattr(error, "original_exception", None) or error
    if isinstance(original, StoreUnavailable):
        return _store_unavailable(original)
    if isinstance(error, HTTPException) and (error.code or 500) < 500:
        return error
    log.error("unexpected error", exc_info=original)
    return api_error_response(ApiError(500, "A server error occurred; it has been logged by the sandbox."))


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(DB_PATH=str(Path("output/sandbox.db")), JSON_SORT_KEYS=False, PORT=None, PUBLIC_URLS=(),
                      BEHIND_PROXY=False, PORTAL_TOKEN=None)
    app.config.update(config or {})
    database = Database(app.config["DB_PATH"], app.config.get("STORE_IDENTITY"))
    app.extensions["medisynth_db"] = database
    app.register_error_handler(ApiError, api_error_response)
    app.register_error_handler(StoreUnavailable, _store_unavailable)
    app.register_error_handler(Exception, _unexpected)

    from sandbox import hosts, store, unrouted
    from sandbox.auth import init_app as init_auth
    from sandbox.bulk import init_app as init_bulk
    from sandbox.docs import init_app as init_docs
    from sandbox.faults import init_app as init_faults
    from sandbox.fhir import init_app as init_fhir
    from sandbox.hardening import init_app as init_hardening
    from sandbox.portal import init_app as init_portal
    from sandbox.v3 import init_app as init_v3

    database.schema.add(*store.MIGRATIONS)
    hosts.init_app(app)
    unrouted.init_app(app)
    app.before_request(database.guard)
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
        problem = database.problem()
        if problem:
            return api_error_response(ApiError(503, f"{database.path}: {problem}"))
        return {"message": "all's well"}

    return app


def open_store(db_path: str | Path) -> Database:
    """The store at `db_path`, created (owner-only) and migrated to this version's schema."""
    return create_app({"DB_PATH": str(db_path)}).extensions["medisynth_db"].create()


def prepare_store(config: dict) -> Database:
    """What `serve` does once before its workers start: the store created and migrated, the built-in apps
    registered (the Swagger UI app allowed exactly the redirect URIs of the served hosts)."""
    from sandbox.auth.apps import DEMO_APP, TEST_APP, ensure_builtin_app
    from sandbox.docs.views import allow_swagger_redirects
    from sandbox.hosts import served_bases

    app = create_app(config)
    database = app.extensions["medisynth_db"].create()
    with database.write() as conn:
        for spec in (DEMO_APP, TEST_APP):
            ensure_builtin_app(conn, spec)
        allow_swagger_redirects(conn, served_bases(app.config))
    database.close()
    return database
