"""The checks `medisynth validate` runs on one resource line at a time (in worker processes).

`check_chunk` takes raw NDJSON lines of one file and returns, per line, the problems found in that
resource alone (JSON, FHIR R4 validity, strict R4 JSON, profile, identifiers, dates, money) and the few facts the
parent needs for checks across resources (ids, references, last service date, death date).
"""
from __future__ import annotations

import datetime as dt
import importlib
import re
from typing import NamedTuple

import orjson
from pydantic import ValidationError

from dataset_contract.systems import C4BB_PROFILE, MBI_SYSTEM
from generator.fhir.read import (
    adjudication_amounts, all_amounts, eob_type, npi_values, parse_date,
    ref_id, service_dates,
)
from generator.claim_types import TYPES
from generator.quality.strict import violations
from generator.model.identifiers import is_synthetic_mbi, is_valid_npi

FHIR_MODELS = {
    "Patient": "fhir.resources.R4B.patient.Patient",
    "Coverage": "fhir.resources.R4B.coverage.Coverage",
    "ExplanationOfBenefit": "fhir.resources.R4B.explanationofbenefit.ExplanationOfBenefit",
}

EXPECTED_PROFILE = {"Patient": "Patient", "Coverage": "Coverage",
                    **{name: spec.fhir.profile for name, spec in TYPES.items()}}
"""The C4BB profile (after `C4BB-`) each resource must name, as BB2 emits them (data-model.md §5): an EOB's
is its claim type's."""

LINE_BALANCE = ("line_alowd_chrg_amt", ("line_nch_pmt_amt", "line_bene_ptb_ddctbl_amt", "line_coinsrnc_amt",
                                        "line_bene_prmry_pyr_pd_amt"))
"""Line slices that must add up: allowed = paid + deductible + coinsurance + prior payer (the parts present)."""

SUBMITTED_LINE_SLICES = ("line_sbmtd_chrg_amt",)
"""Where the claim's total submitted charge is the sum of its lines (carrier, DME: no submitted total)."""

PLAN_PAID_LIMIT = ("cvrd_d_plan_pd_amt", "tot_rx_cst_amt")
"""PDE: the plan's payment cannot exceed the drug's total cost."""

CENT = 0.005 + 1e-9
CONTAINED_REFERENCE = re.compile(rb'"reference":"#([^"]*)"')


class Problem(NamedTuple):
    kind: str
    line: int
    rid: str
    message: str


class Facts(NamedTuple):
    rid: str
    patient: str | None = None          # Coverage.beneficiary / EOB.patient id
    coverages: tuple = ()               # EOB.insurance coverage ids
    span: tuple = (None, None)          # EOB: first and last service date; Coverage: period (ISO dates)
    claim_type: str | None = None       # EOB: lower-case type
    death: str | None = None            # Patient: deceasedDateTime date (ISO)


class _Line:
    """Problems of one resource line, collected as the checks run."""

    def __init__(self, number: int):
        self.number, self.rid, self.problems = number, "", []

    def add(self, kind: str, message: str) -> None:
        self.problems.append(Problem(kind, self.number, self.rid, message))


def check_chunk(args) -> list[tuple[list[Problem], Facts | None]]:
    """Check (line number, raw line) pairs of one resource file; see the module docstring."""
    resource_type, period_start, period_end, lines = args
    period = (dt.date.fromisoformat(period_start), dt.date.fromisoformat(period_end))
    return [_check_line(resource_type, period, number, raw) for number, raw in lines]


def _check_line(resource_type, period, number, raw) -> tuple[list[Problem], Facts | None]:
    line = _Line(number)
    try:
        res = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        line.add("json", f"not JSON ({e})")
        return line.problems, None
    if not isinstance(res, dict):
        line.add("json", "not a JSON object")
        return line.problems, None
    line.rid = str(res.get("id", ""))
    if res.get("resourceType") != resource_type:
        line.add("resource-type", f"resourceType {res.get('resourceType')!r} in the {resource_type} file")
        return line.problems, None
    if not line.rid:
        line.add("fhir", "no id")
    fhir_ok = _check_fhir(resource_type, res, line)
    for where in violations(res):
        line.add("strict-r4", where)
    try:
        facts = CHECKS[resource_type](res, line, period)
    except (AttributeError, TypeError, KeyError, ValueError):
        if fhir_ok:
            raise
        facts = None    # a shape FHIR already rejected: its other checks cannot run
    return line.problems, facts


def _check_fhir(resource_type: str, res: dict, line: _Line) -> bool:
    try:
        _model(resource_type).model_validate(res)
    except ValidationError as e:
        errors = e.errors()
        first = errors[0]
        where = ".".join(str(part) for part in first["loc"]) or resource_type
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        line.add("fhir", f"{where}: {first['msg']}{more}")
        return False
    return True


_models: dict = {}


def _model(resource_type: str):
    if resource_type not in _models:
        module, _, name = FHIR_MODELS[resource_type].rpartition(".")
        _models[resource_type] = getattr(importlib.import_module(module), name)
    return _models[resource_type]


def _check_profile(res: dict, key: str, line: _Line) -> None:
    expected = C4BB_PROFILE + EXPECTED_PROFILE[key]
    profiles = (res.get("meta") or {}).get("profile") or []
    if expected not in profiles:
        line.add("profile", f"meta.profile {profiles} does not name {expected}")


def _check_mbi(value, where: str, line: _Line) -> None:
    if not is_synthetic_mbi(value):
        line.add("mbi", f"{where} {value!r} is not a synthetic MBI (CMS format, S in position 2)")


def _check_patient(res: dict, line: _Line, _period) -> Facts:
    _check_profile(res, "Patient", line)
    mbis = [i.get("value") for i in res.get("identifier") or () if i.get("system") == MBI_SYSTEM]
    if not mbis:
        line.add("mbi", "no MBI identifier (system http://hl7.org/fhir/sid/us-mbi)")
    for value in mbis:
        _check_mbi(value, "MBI", line)
    death = parse_date(res.get("deceasedDateTime"))
    return Facts(rid=line.rid, death=death.isoformat() if death else None)


def _check_coverage(res: dict, line: _Line, _period) -> Facts:
    _check_profile(res, "Coverage", line)
    _check_period_order(res, "period", line)
    if "subscriberId" in res:
        _check_mbi(res["subscriberId"], "subscriberId", line)
    patient = ref_id(res.get("beneficiary"), "Patient/")
    if patient is None:
        line.add("dangling-reference", f"beneficiary {res.get('beneficiary')} is not a Patient reference")
    elif line.rid not in {f"part-{part}-{patient}" for part in "abcd"}:
        line.add("id-format", f"id {line.rid!r} is not part-a|b|c|d-<patient id> for Patient/{patient}")
    return Facts(rid=line.rid, patient=patient, span=_iso_span(res.get("period") or {}))


def _iso_span(period: dict) -> tuple[str | None, str | None]:
    start, end = parse_date(period.get("start")), parse_date(period.get("end"))
    return start.isoformat() if start else None, end.isoformat() if end else None


def _check_eob(res: dict, line: _Line, period) -> Facts:
    claim_type = eob_type(res)
    if claim_type not in EXPECTED_PROFILE:
        line.add("claim-type", f"unknown claim type {claim_type!r}")
    else:
        _check_profile(res, claim_type, line)
        if not line.rid.startswith(claim_type + "-"):
            line.add("id-format", f"id {line.rid!r} does not start with {claim_type}-")
    _check_npis(res, line)
    _check_contained_references(res, line)
    last = _check_dates(res, line, period)
    first = _iso_span(res.get("billablePeriod") or {})[0]
    _check_money(res, line)
    patient = ref_id(res.get("patient"), "Patient/")
    if patient is None:
        line.add("dangling-reference", f"patient {res.get('patient')} is not a Patient reference")
    coverages = tuple(ref_id(ins.get("coverage"), "Coverage/") for ins in res.get("insurance") or ())
    if not coverages or None in coverages:
        line.add("dangling-reference", "insurance[].coverage must each be a Coverage reference")
    return Facts(rid=line.rid, patient=patient, coverages=tuple(c for c in coverages if c),
                 span=(first, last.isoformat() if last else None), claim_type=claim_type)


def _check_npis(res: dict, line: _Line) -> None:
    for where, value in npi_values(res):
        if not is_valid_npi(value):
            line.add("npi", f"{where} NPI {value!r} fails the check digit")


def _check_contained_references(res: dict, line: _Line) -> None:
    contained = {c.get("id") for c in res.get("contained") or ()}
    for match in CONTAINED_REFERENCE.finditer(orjson.dumps(res)):
        ref = match.group(1).decode()
        if ref not in contained:
            line.add("dangling-reference", f"#{ref} names no contained resource")


def _check_dates(res: dict, line: _Line, period) -> dt.date | None:
    """Billable period in order, every service date inside the manifest period; returns the latest."""
    _check_period_order(res, "billablePeriod", line)
    latest = None
    for where, day in service_dates(res):
        if day is None:
            continue
        if not period[0] <= day <= period[1]:
            line.add("outside-period", f"{where} {day} outside the period {period[0]}..{period[1]}")
        latest = day if latest is None or day > latest else latest
    return latest


def _check_period_order(res: dict, key: str, line: _Line) -> None:
    period = res.get(key) or {}
    start, end = parse_date(period.get("start")), parse_date(period.get("end"))
    if start and end and start > end:
        line.add("period-order", f"{key} start {start} is after end {end}")


def _check_money(res: dict, line: _Line) -> None:
    for where, value in all_amounts(res):
        if isinstance(value, (int, float)) and value < 0:
            line.add("negative-amount", f"{where} amount {value} is negative")
    line_amounts = [adjudication_amounts(item.get("adjudication")) for item in res.get("item") or ()]
    for i, amounts in enumerate(line_amounts):
        whole, parts = LINE_BALANCE
        if whole in amounts:
            parts_sum = sum(amounts.get(p, 0) for p in parts)
            if abs(amounts[whole] - parts_sum) > CENT:
                line.add("line-balance", f"item[{i}] allowed {amounts[whole]:.2f} ≠ {parts_sum:.2f} "
                                         "(paid + deductible + coinsurance + prior payer)")
        paid, limit = PLAN_PAID_LIMIT
        if paid in amounts and limit in amounts and amounts[paid] > amounts[limit] + CENT:
            line.add("payment", f"item[{i}] {paid} {amounts[paid]} exceeds {limit} {amounts[limit]}")
    payment = ((res.get("payment") or {}).get("amount") or {}).get("value")
    if payment is None:
        return
    submitted = _submitted_total(res, line_amounts)
    if payment < 0 or (submitted is not None and payment > submitted + CENT):
        line.add("payment", f"payment {payment} outside 0..{submitted} (total submitted)")


def _submitted_total(res: dict, line_amounts: list[dict]) -> float | None:
    """The claim's total submitted charge: the `submitted` total, else the sum of submitted line charges."""
    for total in res.get("total") or ():
        if any(c.get("code") == "submitted" for c in (total.get("category") or {}).get("coding") or ()):
            return (total.get("amount") or {}).get("value")
    sums = [a[k] for a in line_amounts for k in SUBMITTED_LINE_SLICES if k in a]
    return sum(sums) if sums else None


CHECKS = {"Patient": _check_patient, "Coverage": _check_coverage, "ExplanationOfBenefit": _check_eob}
