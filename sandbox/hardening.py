"""What every response and request gets, whatever the route: security headers and a request-size limit.

Every page refuses to be framed (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`, against
clickjacking of the login and consent forms) and to be content-sniffed. Bodies over `MAX_BODY_BYTES`
are refused with 413 before they are parsed; gunicorn itself refuses over-long request lines (414)
and headers (431/400).
"""
from __future__ import annotations

from flask import Flask, Response, request

from sandbox.api_errors import ApiError

MAX_BODY_BYTES = 1024 * 1024
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _add_security_headers(response: Response) -> Response:
    present = {name.lower() for name, _ in response.headers}  # one pass over the headers, not one per name
    response.headers.extend((name, value) for name, value in SECURITY_HEADERS.items() if name.lower() not in present)
    return response


def _refuse_large_bodies() -> None:
    """Answer 413 before any view reads the body (werkzeug's own limit would silently give an empty form)."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise ApiError(413, f"Request body exceeds {MAX_BODY_BYTES} bytes.")


def init_app(app: Flask) -> None:
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_BODY_BYTES)  # bodies sent without a length (chunked)
    app.before_request(_refuse_large_bodies)
    app.after_request(_add_security_headers)
