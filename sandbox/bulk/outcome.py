"""Bulk Data errors as FHIR OperationOutcome: raise `BulkError(status, code, diagnostics)` in a bulk route."""
from __future__ import annotations

import orjson
from flask import Response

FHIR_JSON = "application/fhir+json"


def operation_outcome(code: str, diagnostics: str, severity: str = "error") -> dict:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}]}


class BulkError(Exception):
    """An HTTP error answered with an OperationOutcome; `code` is a FHIR issue-type code."""

    def __init__(self, status: int, code: str, diagnostics: str, headers: dict[str, str] | None = None):
        super().__init__(diagnostics)
        self.status, self.code, self.diagnostics, self.headers = status, code, diagnostics, headers or {}


def bulk_error_response(error: BulkError) -> Response:
    return Response(orjson.dumps(operation_outcome(error.code, error.diagnostics)), status=error.status,
                    headers=error.headers, mimetype=FHIR_JSON)
