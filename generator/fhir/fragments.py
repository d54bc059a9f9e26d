"""Shared FHIR fragments: system URLs, profile lists and small builders used by all three writers.

Constant fragments are built once at import and shared between resources (orjson serializes shared
objects fine); builders create only the parts that vary per call. Nothing here is ever mutated.
`serialized_once` turns a builder of beneficiary-level JSON into one that serializes each distinct
input once (an `orjson.Fragment`, written as is wherever the resource is dumped).
"""
from __future__ import annotations

from functools import lru_cache, cache
from collections.abc import Callable

import orjson

from dataset_contract.systems import BB_CODESYSTEM, BB_VARIABLES, C4BB_CODESYSTEM, C4BB_PROFILE, HL7_CODESYSTEM

from .codebook import ccw_coding, label



def serialized_once(keys: tuple[str, ...], build: Callable[[dict], object]) -> Callable[[dict], orjson.Fragment]:
    """record → `build` of its values at `keys` as an orjson.Fragment, built and serialized once per distinct
    values (lists are compared as tuples); `build` gets a dict of just those keys, so it may read no others."""
    @lru_cache(maxsize=1 << 12)
    def fragment(values: tuple) -> orjson.Fragment:
        return orjson.Fragment(orjson.dumps(build(dict(zip(keys, values)))))

    def serialize(record: dict) -> orjson.Fragment:
        return fragment(tuple([tuple(v) if v.__class__ is list else v for v in map(record.__getitem__, keys)]))
    return serialize


def profile(name: str) -> list[str]:
    """`meta.profile` list for a C4BB StructureDefinition (unversioned, as BB2 emits it)."""
    return [C4BB_PROFILE + name]


def concept(system: str, code: str, display: str | None = None) -> dict:
    """A CodeableConcept with one coding."""
    coding = {"system": system, "code": code}
    if display is not None:
        coding["display"] = display
    return {"coding": [coding]}


def money(value: float) -> dict:
    return {"value": value, "currency": "USD"}


NPI_TYPE = concept(C4BB_CODESYSTEM + "C4BBIdentifierType", "npi", "National Provider Identifier")


def npi_identifier(npi: str) -> dict:
    """careTeam/referral identifier: typed `npi`, no system (as BB2 shows it)."""
    return {"type": NPI_TYPE, "value": npi}


@cache
def ccw_concept(variable: str, code: str | None) -> dict:
    """`{"coding": [ccw_coding(variable, code)]}`, memoised like the coding itself (never mutate it)."""
    return {"coding": [ccw_coding(variable, code)]}


def bb_slot(codesystem: str, variable: str) -> dict:
    """The BB coding naming a slot: `{system …/codesystem/<x>, code <variable URL>, display <label>}`."""
    return {"system": BB_CODESYSTEM + codesystem, "code": BB_VARIABLES + variable, "display": label(variable)}


ADJUDICATION_CATEGORIES = {  # category code → (its code system, its display)
    category: (system, display)
    for system, categories in (
        (HL7_CODESYSTEM + "adjudication", (("submitted", "Submitted Amount"), ("eligible", "Eligible Amount"),
                                           ("deductible", "Deductible"), ("benefit", "Benefit Amount"))),
        (C4BB_CODESYSTEM + "C4BBAdjudication", (
            ("coinsurance", "Co-insurance"), ("noncovered", "Noncovered"), ("priorpayerpaid", "Prior payer paid"),
            ("paidbypatient", "Paid by patient"), ("paidtoprovider", "Paid to provider"),
            ("paidtopatient", "Paid to patient"), ("discount", "Discount"), ("drugcost", "Drug Cost"))),
        (C4BB_CODESYSTEM + "C4BBPayerAdjudicationStatus", (("other", "Other"),)))
    for category, display in categories
}


def adjudication_category(category: str, variable: str | None) -> dict:
    """CARIN/HL7 category coding, followed by the BB adjudication coding of the CCW variable when given."""
    system, display = ADJUDICATION_CATEGORIES[category]
    codings = [{"system": system, "code": category, "display": display}]
    if variable is not None:
        codings.append(bb_slot("adjudication", variable))
    return {"coding": codings}
