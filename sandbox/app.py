"""The sandbox's Flask app factory: `create_app(config)` wires the store, the OAuth server and the FHIR API.

Config is passed in, never global: `create_app({"DB_PATH": "output/sandbox.db"})`. One blueprint per
concern: `sandbox.auth` (OAuth 2.0, login, consent, discovery) and `sandbox.fhir` (the v2 FHIR API).
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        DB_PATH=str(Path("output/sandbox.db")),
        JSON_SORT_KEYS=False,
    )
    app.config.update(config or {})

    from sandbox.auth import init_app as init_auth
    from sandbox.fhir import init_app as init_fhir

    init_auth(app)
    init_fhir(app)

    @app.get("/health")
    def health():
        return {"message": "all's well"}

    return app
