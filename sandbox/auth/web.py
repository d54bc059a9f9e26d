"""Browser-facing plumbing: the session key shared by all workers, CSRF tokens, and HTML error pages."""
from __future__ import annotations

import hmac
import json
import secrets
from contextlib import closing

from flask import Response, abort, render_template, request, session

from sandbox.auth.schema import open_auth_db

CSRF_FIELD = "csrf_token"


def session_secret(db_path: str) -> str:
    """The Flask session key, kept in the store so every worker (and the next start) signs cookies alike."""
    with closing(open_auth_db(db_path)) as conn, conn:
        conn.execute("INSERT OR IGNORE INTO auth_setting (name, value) VALUES ('session_key', ?)",
                     (secrets.token_hex(32),))
        return conn.execute("SELECT value FROM auth_setting WHERE name = 'session_key'").fetchone()[0]


def csrf_token() -> str:
    """This browser session's CSRF token (for the hidden form field)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """Stop a form post whose CSRF token is missing or not this session's."""
    sent = request.form.get(CSRF_FIELD, "")
    if not sent or not hmac.compare_digest(sent, session.get(CSRF_FIELD, "")):
        abort(error_page(400, "This form has expired",
                         "Your session changed or the page was open too long. Go back to the app and start again."))


def json_response(body: dict, status: int = 200) -> Response:
    """A JSON response with the keys in the order given (BB2's documents and bodies are ordered)."""
    return Response(json.dumps(body), status=status, mimetype="application/json")


def error_page(status: int, title: str, message: str) -> Response:
    return Response(render_template("auth/error.html", title=title, message=message), status=status)
