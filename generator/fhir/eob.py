"""ExplanationOfBenefit JSON for all eight claim types, written straight to bytes by one machinery driven by
each type's compiled layout (fhir/layout.py); the bytes are exactly what `orjson.dumps` gives for the same
resource (key order follows BFD's v2 responses, data-model.md §4).

Per claim, one join puts the type's resource template together (its fixed chunks and the bytes of its slots,
`EOB_SLOTS`, in order): strings serialized one by one through orjson (its escaping); parts that recur between
claims, serialized once per distinct value (fhir/eob_parts.py); and the items, totals and balances, each one
%-format filled from all the numbers of the claim (quantities, adjudications, totals, benefit balances),
serialized in one orjson call (its float formatting).
"""
from __future__ import annotations

from functools import lru_cache

import orjson

from dataset_contract import eob_id
from generator.model.records import Beneficiary, Claim

from .eob_parts import (FACILITIES, ITEM_BUILDERS, MIDNIGHT, care_team, contained_org, diagnosis_member,
                        procedure_member, provider, referral)
from .layout import INFO_ENTRY, LAYOUTS, PLAN_COVERAGE, RX_IDENTIFIER
from .slots import serialized

dumps = orjson.dumps
FACILITY = {name: FACILITIES.get(layout.spec.fhir.facility) for name, layout in LAYOUTS.items()}


@lru_cache(maxsize=1 << 6)
def _references(bene_id: str, part: str) -> tuple[bytes, bytes, bytes]:
    """The patient reference, the coverage reference and the coverage, serialized once per beneficiary and part
    (a beneficiary's claims come together)."""
    coverage = f"Coverage/part-{part}-{bene_id}"
    return dumps("Patient/" + bene_id), dumps(coverage), dumps({"reference": coverage})


@lru_cache(maxsize=1 << 14)
def _supporting_info(name: str, values: tuple) -> bytes:
    """The supportingInfo array of a claim type for the values of its `info_keys`, serialized once per values."""
    result = []
    for category, positions, build in LAYOUTS[name].info:
        value = build(*[values[i] for i in positions])
        if value is not None:
            result.append(INFO_ENTRY % (len(result) + 1, category, value))
    return b"[" + b",".join(result) + b"]"


def eob_resource(claim: Claim, bene: Beneficiary) -> dict:
    """The ExplanationOfBenefit of one claim as plain dicts and lists (for callers that read it)."""
    return orjson.loads(eob_json(claim, bene))


def eob_json(claim: Claim, bene: Beneficiary) -> bytes:
    """The ExplanationOfBenefit of one claim serialized (compact JSON, no trailing newline).
    (The beneficiary supplies nothing the claim lacks today.)"""
    layout = LAYOUTS[claim["type"]]
    spec = layout.spec
    shape = spec.fhir
    form = spec.form
    claim_id, provider_of = claim["claim_id"], claim["provider"]
    patient, reference, coverage = _references(claim["bene_id"], shape.coverage_part)
    info_values = tuple(map(claim.get, layout.info_keys, layout.info_zeros))
    try:
        info = _supporting_info(spec.name, info_values)
    except TypeError:  # an unhashable value (a list where the records hold a tuple): cached as the tuple
        info = _supporting_info(spec.name, tuple(tuple(v) if v.__class__ is list else v for v in info_values))
    if form == "pharmacy":
        prescription = RX_IDENTIFIER % (dumps(claim_id.lstrip("-")[-12:]),)
        coverage = PLAN_COVERAGE % (dumps(claim["contract"]), dumps(claim["pbp"]), reference)
    else:
        prescription = b""
    referring = claim.get("referring") if form == "professional" else None

    lines, amounts, totals, balances = claim["lines"], layout.line_amounts, layout.totals, layout.balances
    team, links = care_team(spec, claim)
    values: list = []  # every number of the claim, serialized in one call
    for line in lines:
        values += amounts.values(line)
    values += totals.values(claim)
    if balances is not None:
        values += balances.values(claim)
    numbers = serialized(values)
    size, build, item = amounts.count, ITEM_BUILDERS[form], layout.item
    at = len(lines) * size
    diagnoses = claim.get("diagnoses")
    procedures = claim.get("procedures") if shape.procedures else None
    items = [b"["]
    reasons = layout.reasons
    for seq, line in enumerate(lines, 1):  # one %-format per item: its pieces, then its numbers (and reasons)
        if seq > 1:
            items.append(b",")
        values = build(layout, claim, line, seq, links[seq - 1]) + numbers[(seq - 1) * size:seq * size]
        items.append(item % ((*values, reasons(line)) if reasons is not None else values))
    items.append(b"]")
    c = layout.eob  # its chunks joined with the slots' bytes, the slots in EOB_SLOTS order
    return b"".join((
        c[0], dumps(eob_id(claim["type"], claim_id)), c[1], dumps(claim["last_updated"]),
        c[2], contained_org(provider_of["ccn"], provider_of["npi"], provider_of["name"])
        if shape.provider == "contained" else b"",
        c[3], layout.header % tuple([f(claim) for f in layout.header_functions]) if layout.header else b"",
        c[4], dumps(claim_id), c[5], dumps(claim["group_id"]), c[6], prescription, c[7], patient,
        c[8], dumps(claim["from_date"]), c[9], dumps(claim["thru_date"]),
        c[10], dumps(claim["processed"] + MIDNIGHT),  # BB2 sends the request time; ours is fixed
        c[11], provider(shape.provider, provider_of["npi"], provider_of["name"]),
        c[12], referral(referring["npi"], referring["name"]) if referring else b"",
        c[13], facility(claim) if (facility := FACILITY[spec.name]) else b"", c[14], team, c[15], info,
        c[16], diagnosis_member(spec, diagnoses, lines) if diagnoses else b"",
        c[17], procedure_member(claim) if procedures else b"",
        c[18], coverage, c[19], *items, c[20], totals.render(numbers[at:at + totals.count]),
        c[21], dumps(claim[layout.payment_key]),
        c[22], balances.render(numbers[at + totals.count:]) if balances is not None else b"",
        c[23]))
