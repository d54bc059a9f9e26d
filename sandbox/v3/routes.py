"""The v3 FHIR routes: metadata, read + search (the v2 handlers with `V3_API`), `$generate-insurance-card`.

Only v3 tokens (from `/v3/o/token/`) are accepted here, and only v2 tokens on /v2.
"""
from __future__ import annotations

from flask import Blueprint, Response

from sandbox import store
from sandbox.fhir.capability import capability_statement
from sandbox.fhir.headers import finish_response
from sandbox.fhir.routes import add_resource_routes, authorized_patient, fhir_response
from sandbox.db import database
from sandbox.hosts import base_url
from sandbox.store import Query
from sandbox.v3.card import insurance_card
from sandbox.v3.ids import V3_API

bp = Blueprint("fhir_v3", __name__, url_prefix=V3_API.prefix)
bp.after_request(finish_response)
MAX_COVERAGES = 10


@bp.get("/metadata/", strict_slashes=False)
def metadata() -> Response:
    return fhir_response(capability_statement(base_url(), V3_API.number))


@bp.get("/Patient/$generate-insurance-card", strict_slashes=False)
def generate_insurance_card() -> Response:
    patient_id = authorized_patient("Patient", V3_API)
    conn = database().read()
    patient = store.read_resource(conn, "Patient", patient_id)
    coverages = store.search(conn, Query("Coverage", patient_id), 0, MAX_COVERAGES).resources
    base = f"{base_url()}{V3_API.prefix}"
    return fhir_response(V3_API.to_served(insurance_card(base, patient[1], coverages), patient_id))


add_resource_routes(bp, V3_API)
