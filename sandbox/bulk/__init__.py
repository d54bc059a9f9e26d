"""FHIR Bulk Data Access ($export) with SMART Backend Services authorization.

Config: `EXPORTS_DIR` (default: `exports/` next to the store) and `EXPORT_TTL_SECONDS` (how long a finished
export's files are kept; default `$MEDISYNTH_EXPORT_TTL` or one hour).
"""
from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path

DEFAULT_TTL_SECONDS = 3600


def init_app(app):
    """Create the bulk tables, start this process's export thread and register the routes on `app`."""
    from sandbox.auth.schema import open_auth_db
    from sandbox.bulk import clients, jobs
    from sandbox.bulk.outcome import BulkError, bulk_error_response
    from sandbox.bulk.routes import bp
    from sandbox.bulk.runner import start_runner

    db = app.config["DB_PATH"]
    app.config.setdefault("EXPORTS_DIR", str(Path(db).resolve().parent / "exports"))
    app.config.setdefault("EXPORT_TTL_SECONDS", float(os.environ.get("MEDISYNTH_EXPORT_TTL", DEFAULT_TTL_SECONDS)))
    with closing(open_auth_db(db)) as conn:
        conn.executescript(clients.SCHEMA + jobs.SCHEMA)
    app.extensions["medisynth_export_wake"] = start_runner(
        db, Path(app.config["EXPORTS_DIR"]), app.config["EXPORT_TTL_SECONDS"])
    app.register_error_handler(BulkError, bulk_error_response)
    app.register_blueprint(bp)
