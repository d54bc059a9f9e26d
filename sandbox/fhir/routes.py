"""The v2 FHIR routes: metadata, and read + search for Patient, Coverage and ExplanationOfBenefit.

`add_resource_routes` also serves the read and search routes of other versions (sandbox.v3), which
differ only by their `ApiVersion`: prefix, token version, ids and profiles in the bytes.

Every data route authenticates the Bearer token (sandbox.auth.context), checks the resource's scope,
and only ever reads the token's own patient's rows: someone else's id is 404 on read; a search naming
someone else is 403 (see params.py). Bodies are the stored bytes, never re-serialised.
"""
from __future__ import annotations

from flask import Blueprint, Response, g, request
from werkzeug.datastructures import MultiDict

from sandbox import store
from sandbox.api_errors import NO_PERMISSION, NOT_AUTHENTICATED, NOT_FOUND, ApiError
from sandbox.auth.context import authenticate
from sandbox.auth.scopes import ACCESS_SUFFIXES
from sandbox.db import database
from sandbox.faults import apply_faults, finish_body
from sandbox.fhir.api_version import V2_API, ApiVersion
from sandbox.fhir.bundle import searchset
from sandbox.fhir.capability import capability_statement
from sandbox.fhir.headers import finish_response
from sandbox.fhir.params import parse_search
from sandbox.fhir.ratelimit import throttle
from sandbox.hosts import base_url

bp = Blueprint("fhir", __name__, url_prefix="/v2/fhir")
bp.after_request(finish_response)

FHIR_JSON = "application/fhir+json"


def fhir_response(body: bytes | list[bytes]) -> Response:
    """`body` (bytes, or chunks sent as they are) as FHIR JSON (plain application/json when the client's
    Accept prefers it)."""
    mimetype = request.accept_mimetypes.best_match([FHIR_JSON, "application/json"]) or FHIR_JSON
    return Response(finish_body([body] if isinstance(body, bytes) else body), status=200, mimetype=mimetype)


def authorized_patient(resource_type: str, version: ApiVersion) -> str:
    """Authenticate, check the token's API version and the scope for `resource_type`, count the request,
    run any simulated fault; the token's patient id."""
    context = authenticate()
    if context.version != version.number:  # v2 and v3 tokens are not interchangeable
        raise ApiError(401, NOT_AUTHENTICATED, headers={"WWW-Authenticate": 'Bearer realm="api"'})
    if not context.scopes & {f"patient/{resource_type}.{suffix}" for suffix in ACCESS_SUFFIXES}:
        raise ApiError(403, NO_PERMISSION)
    g.rate_limit_headers = throttle(request.headers["Authorization"].partition(" ")[2].strip())
    apply_faults(context.client_id)
    return context.patient_id


def search(resource_type: str, version: ApiVersion = V2_API) -> Response:
    patient_id = authorized_patient(resource_type, version)
    args = MultiDict([(k, version.to_stored(v, patient_id)) for k, v in request.args.items(multi=True)])
    wanted = parse_search(resource_type, args, patient_id)
    page = store.search(database().read(), wanted.query, wanted.start, wanted.count)
    base = f"{base_url()}{version.prefix}/{resource_type}"
    body = searchset(base, wanted.forwarded, wanted.start, wanted.count, page)
    return fhir_response(version.served_chunks(body, patient_id))


def read(resource_type: str, resource_id: str, version: ApiVersion = V2_API) -> Response:
    patient_id = authorized_patient(resource_type, version)
    resource_id = version.to_stored(resource_id, patient_id)
    if resource_type == "Patient" and resource_id != patient_id:
        raise ApiError(404, NOT_FOUND)
    found = store.read_resource(database().read(), resource_type, resource_id)
    if found is None or found[0] != patient_id:
        raise ApiError(404, NOT_FOUND)
    return fhir_response(version.to_served(found[1], patient_id))


@bp.get("/metadata/", strict_slashes=False)
def metadata() -> Response:
    return fhir_response(capability_statement(base_url(), V2_API.number))


def add_resource_routes(blueprint: Blueprint, version: ApiVersion) -> None:
    """Search and read routes for each resource type, with or without the trailing slash (BB2's
    unanchored regexes allow both)."""
    for resource_type in store.TABLES:
        defaults = {"resource_type": resource_type, "version": version}
        blueprint.add_url_rule(f"/{resource_type}/", f"search_{resource_type}", search, defaults=defaults,
                               strict_slashes=False)
        blueprint.add_url_rule(f"/{resource_type}/<resource_id>/", f"read_{resource_type}", read,
                               defaults=defaults, strict_slashes=False)


add_resource_routes(bp, V2_API)
