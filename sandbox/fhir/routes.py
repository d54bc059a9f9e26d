"""The v2 FHIR routes: metadata, and read + search for Patient, Coverage and ExplanationOfBenefit.

Every data route authenticates the Bearer token (sandbox.auth.context), checks the resource's scope,
and only ever reads the token's own patient's rows: someone else's id is 404 on read; a search naming
someone else is 403 (see params.py). Bodies are the stored bytes, never re-serialised.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request

from sandbox import store
from sandbox.api_errors import NO_PERMISSION, NOT_FOUND, ApiError
from sandbox.auth.context import authenticate
from sandbox.auth.scopes import ACCESS_SUFFIXES
from sandbox.fhir.bundle import searchset
from sandbox.fhir.capability import capability_statement
from sandbox.fhir.headers import finish_response
from sandbox.fhir.params import parse_search
from sandbox.fhir.ratelimit import throttle

bp = Blueprint("fhir", __name__, url_prefix="/v2/fhir")
bp.after_request(finish_response)

FHIR_JSON = "application/fhir+json"


def _fhir_response(body: bytes) -> Response:
    """`body` as FHIR JSON (plain application/json when the client's Accept prefers it)."""
    mimetype = request.accept_mimetypes.best_match([FHIR_JSON, "application/json"]) or FHIR_JSON
    return Response(body, status=200, mimetype=mimetype)


def _authorized_patient(resource_type: str) -> str:
    """Authenticate, check the scope for `resource_type`, count the request; the token's patient id."""
    context = authenticate()
    if not context.scopes & {f"patient/{resource_type}.{suffix}" for suffix in ACCESS_SUFFIXES}:
        raise ApiError(403, NO_PERMISSION)
    g.rate_limit_headers = throttle(request.headers["Authorization"].partition(" ")[2].strip())
    return context.patient_id


def _db():
    return store.thread_connection(current_app.config["DB_PATH"])


def search(resource_type: str) -> Response:
    patient_id = _authorized_patient(resource_type)
    wanted = parse_search(resource_type, request.args, patient_id)
    page = store.search(_db(), wanted.query, wanted.start, wanted.count)
    base = f"{request.host_url.rstrip('/')}{bp.url_prefix}/{resource_type}"
    return _fhir_response(searchset(base, wanted.forwarded, wanted.start, wanted.count, page))


def read(resource_type: str, resource_id: str) -> Response:
    patient_id = _authorized_patient(resource_type)
    if resource_type == "Patient" and resource_id != patient_id:
        raise ApiError(404, NOT_FOUND)
    found = store.read_resource(_db(), resource_type, resource_id)
    if found is None or found[0] != patient_id:
        raise ApiError(404, NOT_FOUND)
    return _fhir_response(found[1])


@bp.get("/metadata/", strict_slashes=False)
def metadata() -> Response:
    return _fhir_response(capability_statement(request.host_url.rstrip("/")))


for _type in store.TABLES:  # with or without the trailing slash, as BB2's unanchored regexes allow
    bp.add_url_rule(f"/{_type}/", f"search_{_type}", search, defaults={"resource_type": _type},
                    strict_slashes=False)
    bp.add_url_rule(f"/{_type}/<resource_id>/", f"read_{_type}", read, defaults={"resource_type": _type},
                    strict_slashes=False)
