"""The code tables the care model draws from, indexed once: chronic and acute diagnosis codes with their weights,
the visit kinds of each claim type, the visit kinds a set of conditions allows, the drugs by condition.

What depends only on a person's set of conditions (the visit kinds they can have, with their cumulative weights)
is built once per set and cached.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import accumulate

from generator import tables
from generator.claim_types import TYPES
from generator.claim_types.spec import ClaimType
from generator.model.draws import weighted_index
from generator.model.providers import pick, primary_care
from generator.model.records import Provider, StatePool

ESRD_CKD_CODE = "N186"      # chronic kidney disease, end stage: every ESRD beneficiary's CKD code


def _weighted_codes(table: str, key: str) -> dict[str, tuple[tuple[str, ...], tuple[float, ...]]]:
    """ICD-10-CM codes of a code table grouped by `key`, with cumulative weights for picking."""
    out: dict[str, list] = {}
    for r in tables.table(table):
        out.setdefault(r[key], []).append((r["icd10"], float(r["weight"])))
    return {k: (tuple(c for c, _ in v), cumulative([w for _, w in v])) for k, v in out.items()}


@cache
def condition_codes() -> dict[str, tuple[tuple[str, ...], tuple[float, ...]]]:
    return _weighted_codes("condition_codes", "condition")


@cache
def code_condition() -> dict[str, str]:
    """ICD-10-CM code → the chronic condition it signals."""
    return {r["icd10"]: r["condition"] for r in tables.table("condition_codes")}


@cache
def acute_codes() -> dict[str, tuple[tuple[str, ...], tuple[float, ...]]]:
    return _weighted_codes("acute_codes", "reason")


def cumulative(w) -> tuple[float, ...]:
    """Running sums of the weights, for `weighted_index`."""
    return tuple(accumulate(float(x) for x in w))


@dataclass(frozen=True, slots=True)
class VisitKind:
    """A kind of visit of the visits table: its claim type, weight, the conditions it treats, what it bills."""
    spec: ClaimType
    kind: str
    weight: float
    conditions: tuple[str, ...]             # in the table's order (a set's order would vary by process)
    main: tuple[tuple[str, str, float], ...]    # alternatives for the first line: (revenue, hcpcs, quantity 1)
    extra: tuple[tuple[str, str, float], ...]   # optional further lines
    extra_p: float
    pos: str
    specialty: str                          # CMS specialty, "pcp" (the person's own), "dme" (a supplier)
    reason: str                             # chronic | acute | wellness


def _line_spec(text: str) -> tuple[tuple[str, str, float], ...]:
    out = []
    for item in filter(None, text.split("|")):
        rev, _, hcpcs = item.rpartition(":")
        out.append((rev, hcpcs, 1.0))
    return tuple(out)


@cache
def visit_kinds() -> dict[str, tuple[VisitKind, ...]]:
    out: dict[str, list] = {}
    for r in tables.table("visits"):
        out.setdefault(r["claim_type"], []).append(VisitKind(
            spec=TYPES[r["claim_type"]], kind=r["kind"], weight=float(r["weight"]),
            conditions=tuple(dict.fromkeys(filter(None, r["conditions"].split("|")))), main=_line_spec(r["main"]),
            extra=_line_spec(r["extra"]), extra_p=float(r["extra_p"]), pos=r["pos"], specialty=r["specialty"],
            reason=r["reason"]))
    return {k: tuple(v) for k, v in out.items()}


@cache
def eligible_kinds(spec: ClaimType, conditions: tuple[str, ...]) -> tuple[tuple[VisitKind, ...], tuple[float, ...]]:
    """The visit kinds of a claim type a person with these chronic conditions can have, with cumulative weights."""
    kinds = tuple(k for k in visit_kinds()[spec.name]
                  if not k.conditions or any(c in conditions for c in k.conditions))
    return kinds, cumulative(k.weight for k in kinds)


@cache
def drugs_by_condition() -> dict[str, tuple[tuple[dict, ...], tuple[float, ...]]]:
    out: dict[str, list] = {}
    for r in tables.table("drugs"):
        out.setdefault(r["condition"], []).append(dict(r, cost_30=float(r["cost_30"]), qty_30=float(r["qty_30"])))
    return {k: (tuple(v), cumulative([float(r["weight"]) for r in v])) for k, v in out.items()}


def pick_weighted(rng, items, cumulative):
    return items[weighted_index(rng, cumulative)] if len(items) > 1 else items[0]


def choose_chronic_codes(rng, conditions: list[str], esrd: bool) -> dict[str, str]:
    """One ICD-10-CM code per condition: the code this person's claims carry for it (with ESRD, chronic
    kidney disease is end stage: N18.6)."""
    table = condition_codes()
    chosen = {c: pick_weighted(rng, *table[c]) for c in conditions}
    if esrd and ESRD_CKD_CODE in table.get("ckd", ((),))[0]:
        chosen["ckd"] = ESRD_CKD_CODE
    elif chosen.get("ckd") == ESRD_CKD_CODE:      # end stage means dialysis or a transplant: ESRD entitlement
        chosen["ckd"] = next(c for c in table["ckd"][0] if c != ESRD_CKD_CODE)
    return chosen


def primary_providers(rng, pool: StatePool) -> tuple[Provider, Provider, Provider]:
    """A person's own primary care clinician, hospital and pharmacy."""
    return primary_care(rng, pool), pick(rng, pool.by_kind["hospital"]), pick(rng, pool.by_kind["pharmacy"])
