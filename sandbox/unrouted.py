"""JSON answers for every path under the API prefixes that no route serves (404) or serves with other methods
(405), instead of Flask's HTML pages; other paths (the portal, /docs/) keep the HTML ones.

Each answer takes the error shape of the part of the API it is in: an OperationOutcome on `/v3/fhir/`
(v3 passes BFD's through), BB2's `{"detail"}` on `/v2/fhir/`, and an OAuth `{"error", "error_description"}`
elsewhere (`/v{2,3}/o/`, `/v{2,3}/connect/`).
"""
from __future__ import annotations

import orjson
from flask import Flask, Response, request
from werkzeug.exceptions import MethodNotAllowed, NotFound

from sandbox.api_errors import NOT_FOUND

API_PREFIXES = ("/v2/", "/v3/")
FHIR_JSON = "application/fhir+json"


def _message(error) -> str:
    if isinstance(error, MethodNotAllowed):
        allowed = ", ".join(sorted(error.valid_methods or ()))
        return f"{request.method} is not allowed on {request.path} (allowed: {allowed})."
    return f"Nothing is served at {request.path}; the endpoints are listed in the discovery documents."


def _body(error) -> tuple[dict, str]:
    if request.path.startswith("/v3/fhir/"):
        code = "not-supported" if isinstance(error, MethodNotAllowed) else "not-found"
        return ({"resourceType": "OperationOutcome",
                 "issue": [{"severity": "error", "code": code, "diagnostics": _message(error)}]}, FHIR_JSON)
    if request.path.startswith("/v2/fhir/"):
        detail = NOT_FOUND if isinstance(error, NotFound) else f'Method "{request.method}" not allowed.'
        return {"detail": detail}, "application/json"
    error_code = "invalid_request" if isinstance(error, MethodNotAllowed) else "not_found"
    return {"error": error_code, "error_description": _message(error)}, "application/json"


def _unrouted(error):
    if not request.path.startswith(API_PREFIXES):
        return error
    body, mimetype = _body(error)
    headers = {"Allow": ", ".join(sorted(error.valid_methods or ()))} if isinstance(error, MethodNotAllowed) else {}
    return Response(orjson.dumps(body), status=error.code, mimetype=mimetype, headers=headers)


def init_app(app: Flask) -> None:
    app.register_error_handler(NotFound, _unrouted)
    app.register_error_handler(MethodNotAllowed, _unrouted)
