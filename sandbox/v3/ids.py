"""v3's view of the stored v2 resources: patient ids and CARIN Blue Button profile versions.

BB2 gives v3 patients new ids (v2 `-20140000008325` is v3 `-30250000008325`). Here the mapping is fixed
and reversible: the digit after the minus moves up by 2 (mod 10), so v2 `-10000000000001` is v3
`-30000000000001`. Served bytes are rewritten, never re-serialised: the token's patient id where it
stands as an id (`"id":"…"`, `Patient/…`, `part-a-…`, `…=…` and `%2F…` in links), and each unversioned
`C4BB-*` profile gets CARIN BB 2.x's version. A request naming the patient by the v2 id reaches nothing.
"""
from __future__ import annotations

import re
from functools import lru_cache

import orjson

from sandbox.fhir.api_version import ApiVersion

CARIN_BB_VERSION = b"2.1.0"
_C4BB_PROFILE = re.compile(rb'(http://hl7\.org/fhir/us/carin-bb/StructureDefinition/C4BB-[A-Za-z-]+)"')
_SHIFT = 2
NOT_A_V3_ID = "not-a-v3-id"


def _shift(patient_id: str, by: int) -> str:
    if len(patient_id) < 2 or patient_id[0] != "-" or not patient_id[1].isdigit():
        return patient_id
    return f"-{(int(patient_id[1]) + by) % 10}{patient_id[2:]}"


def v3_patient_id(v2_id: str) -> str:
    return _shift(v2_id, _SHIFT)


def v2_patient_id(v3_id: str) -> str:
    return _shift(v3_id, -_SHIFT)


_ID_CONTEXT = re.compile(rb'(?:["/=]|part-[abcd]-|%2F)\Z')  # what stands before a patient id used as an id
_CONTEXT_BYTES = len(b"part-a-")


@lru_cache(maxsize=4096)
def _patient_id_pattern(v2_id: str) -> re.Pattern:
    """The id followed by the end of a value (`"`, `&`, `/`, end): a pattern that starts with the literal id,
    so `re` finds each occurrence by a fast literal search; the context before it is checked per occurrence
    (a lookbehind first would be tried at every byte: about 10x slower on an EOB)."""
    return re.compile(re.escape(v2_id.encode()) + rb'(?=["&/]|$)')


def _replace_patient_id(body: bytes, v2_id: str, v3_id: bytes) -> bytes:
    def replace(match: re.Match) -> bytes:
        start = match.start()
        return v3_id if _ID_CONTEXT.search(body, max(0, start - _CONTEXT_BYTES), start) else match[0]
    return _patient_id_pattern(v2_id).sub(replace, body)


def to_stored(text: str, patient_id: str) -> str:
    """A request's id or search value with the patient's v3 id in its stored (v2) form. The v2 id names
    nobody on v3, so where it stands it becomes a name no stored id holds: `Patient/<v2 id>` is 404 (not
    the patient under its v3 id) and `ExplanationOfBenefit?patient=<v2 id>` is someone else's, 403."""
    return text.replace(patient_id, NOT_A_V3_ID).replace(v3_patient_id(patient_id), patient_id)


def to_served(body: bytes, patient_id: str) -> bytes:
    """Stored bytes as v3 serves them: v3 patient id, versioned CARIN BB profiles."""
    body = _replace_patient_id(body, patient_id, v3_patient_id(patient_id).encode())
    return _C4BB_PROFILE.sub(rb'\1|' + CARIN_BB_VERSION + b'"', body)


V3_API = ApiVersion(3, "/v3/fhir", to_stored, to_served)


_OWNER = {"Patient": lambda r: r["id"],
          "Coverage": lambda r: r["beneficiary"]["reference"].removeprefix("Patient/"),
          "ExplanationOfBenefit": lambda r: r["patient"]["reference"].removeprefix("Patient/")}
_OWNER_REFERENCE = re.compile(rb'"(?:patient|beneficiary)":\{"reference":"Patient/([^"]+)"')


def _owner(resource_type: str, raw: bytes) -> str:
    """The patient a stored resource belongs to: its one `patient`/`beneficiary` reference found in the bytes
    (parsing a 14 kB EOB costs more than rewriting it), else read from the parsed resource."""
    found = set(_OWNER_REFERENCE.findall(raw)) if resource_type != "Patient" else set()
    return found.pop().decode() if len(found) == 1 else _OWNER[resource_type](orjson.loads(raw))


def export_line(resource_type: str, raw: bytes) -> bytes:
    """A stored resource as a v3 `$export` writes it: `to_served` with the patient it belongs to."""
    return to_served(raw, _owner(resource_type, raw))
