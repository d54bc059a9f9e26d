"""FHIR Bulk Data Access ($export) on v2 and v3, with SMART Backend Services authorization.

Config: `EXPORTS_DIR` (default: `exports/` next to the store) and `EXPORT_TTL_SECONDS` (how long a finished
export's files are kept; default `$MEDISYNTH_EXPORT_TTL` or one hour). Building the app only registers the
routes and the tables; `medisynth serve` starts the export runner (sandbox.bulk.runner) in each worker.
"""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_TTL_SECONDS = 3600


def default_exports_dir(db_path: str | Path) -> Path:
    return Path(db_path).resolve().parent / "exports"


def init_app(app):
    """Add the bulk tables to the store's schema and register the routes on `app`."""
    from sandbox.bulk import clients, jobs
    from sandbox.bulk.outcome import BulkError, bulk_error_response
    from sandbox.bulk.routes import PREFIXES, bp

    app.config.setdefault("EXPORTS_DIR", str(default_exports_dir(app.config["DB_PATH"])))
    app.config.setdefault("EXPORT_TTL_SECONDS", float(os.environ.get("MEDISYNTH_EXPORT_TTL", DEFAULT_TTL_SECONDS)))
    app.extensions["medisynth_db"].schema.add(clients.MIGRATION, jobs.MIGRATION)
    app.register_error_handler(BulkError, bulk_error_response)
    for name, prefix in PREFIXES.items():
        app.register_blueprint(bp, name=name, url_prefix=prefix)
