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
    main_weights: tuple[float, ...]         # their cumulative national frequencies
    extra: tuple[tuple[str, str, float], ...]   # optional further lines
    extra_p: float
    pos: str
    specialty: str                          # CMS specialty, "pcp" (the person's own), "dme" (a supplier)
    reason: str                             # office (a regular clinician's visit) | chronic | acute | gi
    panel: float                            # office: the share of the eligible who see such a clinician


def line_spec(text: str) -> tuple[tuple[tuple[str, str, float], ...], tuple[float, ...]]:
    """`rev:hcpcs-MOD*weight|…` → the lines (revenue, hcpcs with its modifiers, quantity 1) and their cumulative
    weights (1 each when none is given)."""
    lines, weights = [], []
    for item in filter(None, text.split("|")):
        code, _, weight = item.partition("*")
        rev, _, hcpcs = code.rpartition(":")
        lines.append((rev, hcpcs, 1.0))
        weights.append(float(weight or 1))
    return tuple(lines), cumulative(weights)


@cache
def visit_kinds() -> dict[str, tuple[VisitKind, ...]]:
    out: dict[str, list] = {}
    for r in tables.table("visits"):
        main, main_weights = line_spec(r["main"])
        out.setdefault(r["claim_type"], []).append(VisitKind(
            spec=TYPES[r["claim_type"]], kind=r["kind"], weight=float(r["weight"]),
            conditions=tuple(dict.fromkeys(filter(None, r["conditions"].split("|")))), main=main,
            main_weights=main_weights, extra=line_spec(r["extra"])[0], extra_p=float(r["extra_p"]), pos=r["pos"],
            specialty=r["specialty"], reason=r["reason"], panel=float(r["panel"])))
    return {k: tuple(v) for k, v in out.items()}


@cache
def eligible_kinds(spec: ClaimType, conditions: tuple[str, ...]) -> tuple[tuple[VisitKind, ...], tuple[float, ...]]:
    """The visit kinds of a claim type a person with these chronic conditions can have, with cumulative weights."""
    kinds = tuple(k for k in visit_kinds()[spec.name] if k.reason != "office" and k.weight > 0
                  and (not k.conditions or any(c in conditions for c in k.conditions)))
    return kinds, cumulative(k.weight for k in kinds)


@cache
def office_kinds(conditions: tuple[str, ...]) -> tuple[VisitKind, ...]:
    """The regular clinicians' visit kinds (the person's PCP and the specialists their conditions call for)."""
    return tuple(k for k in visit_kinds()["carrier"] if k.reason == "office"
                 and (not k.conditions or any(c in conditions for c in k.conditions)))


CONDITION = "condition"
"""The visit_reasons reason that is the person's code for a condition the kind treats (any chronic condition's
when the kind lists none), not an acute reason."""


@dataclass(frozen=True, slots=True)
class Reasons:
    """What a visit kind is billed for (the visit_reasons table): its reasons with cumulative weights, the acute ones
    alone, and the chronic conditions its claims may carry (None: any, the kinds that see or order for all of them)."""
    reasons: tuple[str, ...]
    weights: tuple[float, ...]
    acute: tuple[str, ...]
    acute_weights: tuple[float, ...]
    carries: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class AmbulatorySurgery:
    """A procedure of the ambulatory_surgery table: the anesthesia billed for it, its typical minutes and the share of
    cases with an anesthesia professional's claim, and whether an ambulatory surgical center bills a facility fee."""
    asc: bool
    anesthesia: str
    minutes: float
    anesthesia_share: float


@cache
def ambulatory_surgery() -> dict[str, AmbulatorySurgery]:
    """The ambulatory_surgery table by HCPCS code."""
    return {r["code"]: AmbulatorySurgery(bool(r["asc_rate"]), r["anesthesia"], float(r["minutes"]),
                                         float(r["anesthesia_share"])) for r in tables.table("ambulatory_surgery")}


@cache
def visit_reasons() -> dict[tuple[str, str], Reasons]:
    """(claim type, visit kind) → the kind's reasons, for the kinds the visit_reasons table lists."""
    rows: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for r in tables.table("visit_reasons"):
        rows.setdefault((r["claim_type"], r["kind"]), []).append((r["reason"], float(r["weight"])))
    kinds = {(k.spec.name, k.kind): k for ks in visit_kinds().values() for k in ks}
    out = {}
    for key, items in rows.items():
        acute = [(reason, w) for reason, w in items if reason != CONDITION]
        conditions = kinds[key].conditions
        carries = None if not conditions and len(acute) < len(items) else frozenset(conditions)
        out[key] = Reasons(tuple(r for r, _ in items), cumulative([w for _, w in items]),
                           tuple(r for r, _ in acute), cumulative([w for _, w in acute]), carries)
    return out


@cache
def em_levels() -> dict[str, tuple[tuple[str, ...], tuple[float, ...]]]:
    """E/M codes of each family (office_new, office_established, ed) with cumulative national shares."""
    out: dict[str, list] = {}
    for r in tables.table("em_levels"):
        out.setdefault(r["family"], []).append((r["code"], float(r["share"])))
    return {k: (tuple(c for c, _ in v), cumulative([w for _, w in v])) for k, v in out.items()}


@dataclass(frozen=True, slots=True)
class Preventive:
    """A preventive service of the preventive table: its lines, diagnosis, who is eligible and how often."""
    service: str
    lines: tuple[str, ...]              # HCPCS (with modifiers) billed together
    dx: tuple[str, ...]
    sex: str                            # "female", "male" or "" (both)
    ages: tuple[float, float]
    interval: str                       # "season" (Aug..Jul), "once", or days between services
    uptake: float
    months: tuple[tuple[int, ...], tuple[float, ...]]   # months and cumulative shares of the services ((), () any)
    specialty: str
    pos: str


@cache
def preventive_services() -> tuple[Preventive, ...]:
    out = []
    for r in tables.table("preventive"):
        months = [m.split(":") for m in filter(None, r["months"].split("|"))]
        out.append(Preventive(
            service=r["service"], lines=tuple(r["lines"].split("|")), dx=tuple(r["dx"].split("|")), sex=r["sex"],
            ages=(float(r["min_age"]), float(r["max_age"])), interval=r["interval_days"], uptake=float(r["uptake"]),
            months=(tuple(int(m) for m, _ in months), cumulative([float(w) for _, w in months])),
            specialty=r["specialty"], pos=r["pos"]))
    return tuple(out)


@cache
def other_condition_codes() -> dict[str, tuple[float, tuple[str, ...], tuple[float, ...]]]:
    """Conditions outside CCW's list that drugs, supplies and visits need: prevalence, codes, cumulative weights."""
    out: dict[str, list] = {}
    prevalence = {}
    for r in tables.table("other_conditions"):
        out.setdefault(r["condition"], []).append((r["icd10"], float(r["weight"])))
        prevalence[r["condition"]] = float(r["prevalence"])
    return {k: (prevalence[k], tuple(c for c, _ in v), cumulative([w for _, w in v])) for k, v in out.items()}


def choose_other_codes(rng, conditions: list[str]) -> dict[str, str]:
    """Which of the other conditions a person has (each by its prevalence, more likely with more chronic
    conditions), and the code their claims carry for it."""
    boost = 0.6 + 0.1 * min(len(conditions), 8)
    return {c: pick_weighted(rng, codes, cum) for c, (prevalence, codes, cum) in other_condition_codes().items()
            if rng.random() < prevalence * boost}


@cache
def sex_edits() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Diagnosis code prefixes valid only for (female, male) people: the ones the other sex may not carry."""
    rows = tables.table("sex_edits")
    male, female = ([r["prefix"] for r in rows if r["sex"] == sex] for sex in ("male", "female"))
    return tuple(male), tuple(female)


@cache
def acute_codes_for(reason: str, female: bool) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """An acute reason's codes without those the Medicare Code Editor refuses for the person's sex."""
    not_for = sex_edits()[0] if female else sex_edits()[1]
    rows = [(c, w) for c, w in _acute_rows()[reason] if not c.startswith(not_for)]
    return tuple(c for c, _ in rows), cumulative([w for _, w in rows])


@cache
def imaging_region(hcpcs: str) -> str | None:
    """The body region an imaging code studies, as the digit of its ICD-10-CM injury block (S0-S9: the
    imaging_regions table), None for a code that is no regional study."""
    return _imaging_regions().get(hcpcs.split("-")[0])


@cache
def _imaging_regions() -> dict[str, str]:
    return dict(tables.rows("imaging_regions"))


@cache
def injury_codes_in(reason: str, female: bool, region: str) -> tuple[tuple[str, ...], tuple[float, ...]] | None:
    """An acute reason's injury codes of one body region (the injury block S<region>), without those the Medicare
    Code Editor refuses for the person's sex; None when the reason has none there."""
    not_for = sex_edits()[0] if female else sex_edits()[1]
    rows = [(c, w) for c, w in _acute_rows()[reason] if c[:2] == "S" + region and not c.startswith(not_for)]
    return (tuple(c for c, _ in rows), cumulative([w for _, w in rows])) if rows else None


@cache
def _acute_rows() -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list] = {}
    for r in tables.table("acute_codes"):
        out.setdefault(r["reason"], []).append((r["icd10"], float(r["weight"])))
    return out


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
