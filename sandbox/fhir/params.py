"""Search parameters as Blue Button v2 reads them: validation with BB2's 400 messages, then a store `Query`.

Unknown parameters are dropped (voluptuous REMOVE_EXTRA). The patient always comes from the token:
`patient`/`beneficiary` naming someone else is 403, a Patient `_id` of someone else is 404. The
parameters that BB2 forwards to BFD are kept, in request order, to build the Bundle's page links.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC

from werkzeug.datastructures import MultiDict

from dataset_contract import CLAIM_TYPES
from dataset_contract.systems import BENE_ID_SYSTEM, EOB_TYPE_SYSTEM, MBI_SYSTEM
from sandbox.api_errors import NO_PERMISSION, NOT_FOUND, ApiError
from sandbox.store import Query

DEFAULT_COUNT = 10
MAX_COUNT = 50
FORMAT_PARAM = ("_format", "application/fhir+json")
UPSTREAM_ERROR = "An error occurred contacting the upstream server:"

# What each resource's search forwards (besides _count/startIndex), in BB2's schema.
_FORWARDED = {
    "Patient": ("_id", "identifier", "_lastUpdated"),
    "Coverage": ("beneficiary", "_lastUpdated"),
    "ExplanationOfBenefit": ("patient", "type", "service-date", "_lastUpdated"),
}
_DATE_PARAMS = {"_lastUpdated": "the _lastUpdated operator is not valid",
                "service-date": "the service-date operator is not valid"}
_PREFIXED = re.compile(r"^(lt|le|gt|ge)(.*)$", re.S)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_TYPE_PREFIX = EOB_TYPE_SYSTEM.lower() + "|"
# Bounds a day away from datetime's ends, so every bound converts to UTC and to a whole day string.
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Search:
    """A validated search: the store query, the page wanted, and the parameters its links repeat."""
    query: Query
    start: int
    count: int
    forwarded: tuple[tuple[str, str], ...]


def _bounded_int(args: MultiDict, names: tuple[str, ...], default: int, maximum: int | None = None) -> int:
    raw = next((args[n] for n in names if n in args), None)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ApiError(400, "expected int") from None
    if value < 0:
        raise ApiError(400, "value must be at least 0")
    if maximum is not None and value > maximum:
        raise ApiError(400, f"value must be at most {maximum}")
    return value


def _interval(text: str) -> tuple[datetime, datetime]:
    """The [start, end) UTC interval a FHIR date/dateTime of any precision stands for."""
    m = _DATE.match(text)
    if m:
        year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
        start = datetime(year, month, day, tzinfo=UTC)
        if m[3]:
            return start, start + timedelta(days=1)
        if m[2]:
            return start, datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        return start, datetime(year + 1, 1, 1, tzinfo=UTC)
    start = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return start, start + (timedelta(milliseconds=1) if start.microsecond else timedelta(seconds=1))


def _date_bounds(name: str, values: list[str]) -> list[tuple[str, datetime]]:
    """`gt2020-01-01`-style values as (SQL operator, UTC bound) pairs meaning "column OP bound"."""
    bounds = []
    for value in values:
        m = _PREFIXED.match(value)
        if not m:
            raise ApiError(400, _DATE_PARAMS[name])
        prefix, text = m.groups()
        try:
            lo, hi = _interval(text)
        except (ValueError, OverflowError):
            lo = hi = None
        if lo is None or not (lo >= _EARLIEST and hi <= _LATEST):
            raise ApiError(400, f'{UPSTREAM_ERROR}Invalid date/time format: "{text}"')
        bounds.append({"gt": (">=", hi), "ge": (">=", lo), "lt": ("<", lo), "le": ("<", hi)}[prefix])
    return bounds


def _first_day_from(bound: datetime) -> str:
    """The first whole UTC day starting at or after `bound`: a service date (a day, taken as its midnight)
    compares with `bound` exactly as this day string compares with the date."""
    bound = bound.astimezone(UTC)
    day = bound.date() + timedelta(days=1 if bound.time() != datetime.min.time() else 0)
    return day.isoformat()


def _claim_types(values: list[str]) -> frozenset[str] | None:
    if not values:
        return None
    types = set()
    for item in (v for value in values for v in value.split(",")):
        item = item.strip().lower()
        if item.startswith(_TYPE_PREFIX):
            item = item[len(_TYPE_PREFIX):]
        if item not in CLAIM_TYPES:
            raise ApiError(400, "the type parameter value is not valid")
        types.add(item)
    return frozenset(types)


_IDENTIFIER_COLUMNS = {BENE_ID_SYSTEM: ("id",), MBI_SYSTEM: ("mbi",), "": ("id", "mbi")}


def _identifier_values(values: list[str]) -> tuple[tuple[str, str], ...] | None:
    """Patient `identifier` tokens (`[system|]value`) → (column, value) pairs; other systems match nothing."""
    if not values:
        return None
    return tuple((column, code) for value in values
                 for system, _, code in [value.rpartition("|")]
                 for column in _IDENTIFIER_COLUMNS.get(system, ()))


def _own_patient_param(resource_type: str, args: MultiDict, patient_id: str) -> tuple[str, str] | None:
    """Check the patient-naming parameter against the token's patient; returns the one BB2 forwards."""
    if resource_type == "ExplanationOfBenefit":
        if any(v not in (patient_id, f"Patient/{patient_id}") for v in args.getlist("patient")):
            raise ApiError(403, NO_PERMISSION)
        return ("patient", patient_id)
    if resource_type == "Coverage":
        if any(patient_id not in v for v in args.getlist("beneficiary")):
            raise ApiError(403, NO_PERMISSION)
        return ("beneficiary", f"Patient/{patient_id}")
    if any(v != patient_id for v in args.getlist("_id")):
        raise ApiError(404, NOT_FOUND)
    return None if "identifier" in args else ("_id", patient_id)


def parse_search(resource_type: str, args: MultiDict, patient_id: str) -> Search:
    """Validate `args` for a search of `resource_type` by `patient_id`'s token (raises ApiError 400/403/404).

    The patient check comes first: in BB2 it is a permission class, run before the view validates."""
    own = _own_patient_param(resource_type, args, patient_id)
    count = _bounded_int(args, ("_count", "count"), DEFAULT_COUNT, MAX_COUNT)
    start = _bounded_int(args, ("startIndex",), 0)
    last_updated = _date_bounds("_lastUpdated", args.getlist("_lastUpdated"))
    service_date = _date_bounds("service-date", args.getlist("service-date")) \
        if resource_type == "ExplanationOfBenefit" else []
    claim_types = _claim_types(args.getlist("type")) if resource_type == "ExplanationOfBenefit" else None
    identifiers = _identifier_values(args.getlist("identifier")) if resource_type == "Patient" else None

    forced = {own[0]} if own else set()
    forwarded = [FORMAT_PARAM] + [(k, v) for k, v in args.items(multi=True)
                                  if k in _FORWARDED[resource_type] and k not in forced]
    if own:
        forwarded.append(own)
    query = Query(
        resource_type=resource_type, patient_id=patient_id,
        last_updated=tuple((op, int(bound.timestamp() * 1000)) for op, bound in last_updated),
        service_date=tuple((op, _first_day_from(bound)) for op, bound in service_date),
        claim_types=claim_types, identifiers=identifiers,
    )
    return Search(query=query, start=start, count=count, forwarded=tuple(forwarded))
