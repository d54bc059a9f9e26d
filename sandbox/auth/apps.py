"""Client apps, like BB2's developer dashboard: create, list, delete, plus the built-in demo and test apps.

Client ids are 40 alphanumerics and secrets 128; only the secret's sha256 digest is stored, so a
secret is shown once, at creation. The demo app is the one exception (see `DEMO_APP`). Functions that
write take a connection inside a write transaction (`with database.write() as conn`); the `*_cli`
functions open the store themselves. Backend-services apps (sandbox.bulk.clients) are listed and deleted
here too.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from authlib.common.security import generate_token

from sandbox.auth.models import App
from sandbox.auth.schema import digest, now
from sandbox.errors import SandboxError

CLIENT_ID_LENGTH = 40
CLIENT_SECRET_LENGTH = 128
DATA_ACCESS_TYPES = ("thirteen-month", "one-time", "research-study")


class AppError(SandboxError):
    """Bad app options, or an app that does not exist."""


@dataclass(frozen=True)
class BuiltinApp:
    """An app the sandbox registers itself, under a fixed client id."""
    client_id: str
    name: str
    redirect_uri: str
    data_access: str
    keep_secret: bool


# `serve` prints the demo app's credentials on every start, but only digests of secrets are stored;
# so for this one app the plain secret is also kept (column auth_app.demo_secret). It is a local
# sandbox's demo credential, never a real one.
DEMO_APP = BuiltinApp("MedisynthDemoApp".ljust(CLIENT_ID_LENGTH, "0"), "medisynth demo app",
                      "http://localhost:3000/callback", "thirteen-month", keep_secret=True)
# Swagger UI's "Authorize" on /docs/: its redirect page on a loopback name is allowed on any port (RFC 8252
# §7.3: several sandboxes on one machine share a store), on other hosts only as registered by `serve`.
SWAGGER_REDIRECT_PAGE = "/docs/oauth2-redirect.html"
SWAGGER_APP = BuiltinApp("MedisynthSwaggerUI".ljust(CLIENT_ID_LENGTH, "0"), "Swagger UI (API docs)",
                         "http://localhost:8000" + SWAGGER_REDIRECT_PAGE, "thirteen-month", keep_secret=True)
# The app behind `issue_test_token`: research-study, so its grants never time out.
TEST_APP = BuiltinApp("MedisynthTestApp".ljust(CLIENT_ID_LENGTH, "0"), "medisynth test-token app",
                      "http://127.0.0.1/unused", "research-study", keep_secret=False)


def _app_from_row(row: sqlite3.Row) -> App:
    return App(client_id=row["client_id"], secret_hash=row["secret_hash"], name=row["name"],
               redirect_uris=tuple(json.loads(row["redirect_uris"])), data_access=row["data_access"],
               demographics=bool(row["demographics"]))


def find_app(conn: sqlite3.Connection, client_id: str) -> App | None:
    row = conn.execute("SELECT * FROM auth_app WHERE client_id = ?", (client_id,)).fetchone()
    return _app_from_row(row) if row else None


def _check_redirect_uri(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise AppError(f"redirect URI {uri!r} must be an absolute http(s) URL without a #fragment")
    return uri


def register_app(conn: sqlite3.Connection, *, name: str, redirect_uris: list[str], data_access: str,
                 demographics: bool, client_id: str | None = None, keep_secret: bool = False) -> tuple[App, str]:
    """Store a new app; returns it and its plain secret (which is not stored, unless `keep_secret`)."""
    if not name.strip():
        raise AppError("the app name must not be empty")
    if not redirect_uris:
        raise AppError("give at least one redirect URI")
    if data_access not in DATA_ACCESS_TYPES:
        raise AppError(f"data access must be one of {', '.join(DATA_ACCESS_TYPES)}, not {data_access!r}")
    uris = [_check_redirect_uri(uri) for uri in redirect_uris]
    client_id = client_id or generate_token(CLIENT_ID_LENGTH)
    secret = generate_token(CLIENT_SECRET_LENGTH)
    conn.execute(
        "INSERT INTO auth_app (client_id, secret_hash, name, redirect_uris, data_access, demographics,"
        " created_at, demo_secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (client_id, digest(secret), name.strip(), json.dumps(uris), data_access, int(demographics), now(),
         secret if keep_secret else None))
    return find_app(conn, client_id), secret


def ensure_builtin_app(conn: sqlite3.Connection, spec: BuiltinApp) -> App:
    """The built-in app, registered on first use."""
    return find_app(conn, spec.client_id) or register_app(
        conn, name=spec.name, redirect_uris=[spec.redirect_uri], data_access=spec.data_access,
        demographics=True, client_id=spec.client_id, keep_secret=spec.keep_secret)[0]


def delete_app(conn: sqlite3.Connection, client_id: str) -> App:
    """Remove an app with its grants, codes and tokens."""
    app = find_app(conn, client_id)
    if app is None:
        raise AppError(f"no app with client id {client_id!r} (see `medisynth apps list`)")
    for table in ("auth_token", "auth_code", "auth_grant", "auth_client_failure", "app_fault", "app_fault_header",
                  "auth_app"):
        conn.execute(f"DELETE FROM {table} WHERE client_id = ?", (client_id,))
    return app


def app_summary(app: App) -> dict:
    return {"client_id": app.client_id, "name": app.name, "redirect_uris": list(app.redirect_uris),
            "data_access": app.data_access, "demographics": app.demographics}


def demo_app(conn: sqlite3.Connection) -> dict:
    """The demo app's summary with its client secret (registered when `serve` starts)."""
    app = find_app(conn, DEMO_APP.client_id)
    if app is None:
        raise AppError("the demo app is not registered: start the sandbox with `medisynth serve`")
    return {**app_summary(app), "client_secret": builtin_secret(conn, DEMO_APP)}


def ensure_demo_app(db: str | Path) -> dict:
    """The demo app's summary with its client secret (registered on first call)."""
    from sandbox.app import open_store

    database = open_store(db)
    with database.write() as conn:
        ensure_builtin_app(conn, DEMO_APP)
        return demo_app(conn)


def _describe(summary: dict) -> str:
    lines = [f"{summary['name']}", f"  client_id:     {summary['client_id']}"]
    if "client_secret" in summary:
        lines.append(f"  client_secret: {summary['client_secret']}")
    lines += [f"  redirect URIs: {' '.join(summary['redirect_uris'])}",
              f"  data access:   {summary['data_access']}",
              f"  demographics:  {'yes' if summary['demographics'] else 'no'}"]
    return "\n".join(lines)


def create_app_cli(db, *, name, redirect_uris, data_access="thirteen-month", demographics=True, as_json=False) -> str:
    from sandbox.app import open_store

    with open_store(db).write() as conn:
        app, secret = register_app(conn, name=name, redirect_uris=redirect_uris, data_access=data_access,
                                   demographics=demographics)
    summary = {**app_summary(app), "client_secret": secret}
    if as_json:
        return json.dumps(summary, indent=2)
    return ("Created app " + _describe(summary)
            + "\nKeep the client secret now: it is stored hashed and not shown again.")


def list_apps(conn: sqlite3.Connection) -> list[App]:
    """Every registered app but the hidden test-token app, oldest first."""
    rows = conn.execute("SELECT * FROM auth_app WHERE client_id != ? ORDER BY created_at, client_id",
                        (TEST_APP.client_id,)).fetchall()
    return [_app_from_row(row) for row in rows]


def set_redirect_uris(conn: sqlite3.Connection, client_id: str, uris: list[str]) -> App:
    """Replace an existing app's redirect URIs."""
    if find_app(conn, client_id) is None:
        raise AppError(f"no app with client id {client_id!r} (see `medisynth apps list`)")
    conn.execute("UPDATE auth_app SET redirect_uris = ? WHERE client_id = ?",
                 (json.dumps([_check_redirect_uri(uri) for uri in uris]), client_id))
    return find_app(conn, client_id)


def builtin_secret(conn: sqlite3.Connection, spec: BuiltinApp) -> str | None:
    """The plain secret of a built-in app that keeps it (None until `serve` has registered it)."""
    row = conn.execute("SELECT demo_secret FROM auth_app WHERE client_id = ?", (spec.client_id,)).fetchone()
    return row[0] if row else None


def list_apps_cli(db, *, as_json=False) -> str:
    from sandbox.app import open_store
    from sandbox.bulk.clients import backend_summary, list_backend_clients

    conn = open_store(db).read()
    summaries = [app_summary(app) for app in list_apps(conn)]
    backend = [backend_summary(client) for client in list_backend_clients(conn)]
    if as_json:
        return json.dumps(summaries + backend, indent=2)
    lines = [_describe(s) for s in summaries] + [
        f"{b['name']}\n  client_id:     {b['client_id']}\n  kind:          backend-services (private_key_jwt, "
        f"{b['keys']} key{'s' if b['keys'] != 1 else ''})" for b in backend]
    return "\n".join(lines) or "No apps registered (`medisynth apps create --help`)."


def delete_app_cli(db, client_id) -> str:
    from sandbox.app import open_store
    from sandbox.bulk.clients import delete_backend_client, find_backend_client

    database = open_store(db)
    with database.write() as conn:
        if find_backend_client(conn, client_id) is not None:
            client, cancelled = delete_backend_client(conn, database.path, client_id)
            return (f"Deleted backend-services app {client.name!r} ({client.client_id}): its tokens are revoked"
                    + (f" and {cancelled} export{'s' if cancelled != 1 else ''} cancelled." if cancelled else "."))
        app = delete_app(conn, client_id)
    return f"Deleted app {app.name!r} ({app.client_id}) and everything it was granted."
