"""Browser-facing plumbing: CSRF tokens (kept in the server-side session), no-store pages, HTML error pages."""
from __future__ import annotations

import hmac
import json
import secrets

from flask import Response, abort, make_response, render_template, request, session

CSRF_FIELD = "csrf_token"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def no_store(page) -> Response:
    """A page that shows a secret, a login or a consent: never kept by a browser or proxy cache."""
    response = make_response(page)
    response.headers.update(NO_STORE)
    return response


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
