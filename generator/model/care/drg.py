"""The DRG of an admission and the codes that make it: principal diagnosis, CC/MCC secondaries, procedure.

The drg table (built and checked with the CMS grouper, tools/drg_table.py) gives each MS-DRG its national share,
principal diagnoses, the secondaries that give its severity and its procedures. A stay draws its DRG by share
(a DRG whose principal diagnoses signal a chronic condition only for people with it, and more often, so the
national mix holds), then drops the chronic secondaries the DRG's severity does not allow ("without CC/MCC"
means none was coded), so grouping the claim gives its DRG back.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from generator import tables
from generator.model.care_tables import code_condition, cumulative
from generator.model.draws import below, weighted_index

LEVEL = {"NONE": 0, "CC": 1, "MCC": 2}
ADMITTED_ENRICHMENT = 1.6    # a chronic condition is about this much more common among the admitted
CATEGORY = 3                 # an ICD-10-CM category: the code's first three characters


@dataclass(frozen=True, slots=True)
class Drg:
    """One MS-DRG row of the drg table, parsed."""
    drg: str
    weight: float
    principal: tuple[str, ...]
    secondary: tuple[str, ...]      # codes giving the DRG's severity ("" when it needs none)
    pcs: tuple[str, ...]
    allows: int                     # the highest severity its secondaries may have (LEVEL)
    gmlos: float
    surgical: bool
    alive: bool                     # the DRG requires a live discharge (AMI "discharged alive")
    conditions: tuple[str, ...]     # chronic conditions its principal diagnoses signal


def _split(text: str) -> tuple[str, ...]:
    return tuple(filter(None, text.split("|")))


@cache
def drg_rows() -> tuple[tuple[Drg, float], ...]:
    """Every DRG with its national share."""
    cc = code_condition()
    out = []
    for r in tables.table("drg"):
        principal = _split(r["principal"])
        out.append((Drg(drg=r["drg"], weight=float(r["weight"]), principal=principal, secondary=_split(r["secondary"]),
                        pcs=_split(r["pcs"]), allows=LEVEL[r["allows"]], gmlos=float(r["gmlos"]),
                        surgical=r["surgical"] == "Y", alive=r["alive"] == "Y",
                        conditions=tuple(dict.fromkeys(cc[c] for c in principal if c in cc))), float(r["share"])))
    return tuple(out)


@cache
def severity() -> dict[str, int]:
    """The CC/MCC level of each chronic-condition code as a secondary diagnosis (0 for the others)."""
    return {code: LEVEL[level] for code, level in tables.rows("dx_severity")}


@cache
def drg_choices(conditions: tuple[str, ...], prevalence: tuple[tuple[str, float], ...], top: int,
                dying: bool) -> tuple[tuple[Drg, ...], tuple[float, ...]]:
    """The DRGs a person with these conditions can be admitted for (those whose principals signal only conditions
    the person has; only DRGs allowing an MCC when a chronic code is one, `top` = 2; none needing a live discharge
    for a final stay), with cumulative weights: share / (the condition's prevalence among the admitted)."""
    prev = dict(prevalence)
    rows, weights = [], []
    for row, share in drg_rows():
        if any(c not in conditions for c in row.conditions) or row.allows < top or (dying and row.alive):
            continue
        boost = 1.0
        for c in row.conditions:
            boost /= min(1.0, ADMITTED_ENRICHMENT * prev.get(c, 1.0))
        rows.append(row)
        weights.append(share * boost)
    return tuple(rows), cumulative(weights)


def choose(rng, chronic: dict[str, str], prevalence: tuple[tuple[str, float], ...], dying: bool) -> Drg:
    sev = severity()
    top = max((sev.get(c, 0) for c in chronic.values()), default=0)
    rows, cum = drg_choices(tuple(chronic), prevalence, 2 if top == 2 else 0, dying)
    return rows[weighted_index(rng, cum)]


def _shared(a: str, b: str) -> int:
    """The length of the common prefix of two codes."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


@cache
def principals(row: Drg, own: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The DRG's principal diagnoses that agree with the person's own code of each condition they signal: of the
    codes of a condition, those closest to the person's (the longest shared prefix, the same category at least:
    a type 2 diabetic's stay is E11.65, not E10.9); a condition's codes of another category give way to the DRG's
    other principals (all of them stay when nothing else is left)."""
    cc = code_condition()
    mine = dict(own)
    keep = []
    for code in row.principal:
        condition = cc.get(code)
        if condition is None or condition not in mine:
            keep.append(code)
            continue
        best = max(_shared(c, mine[condition]) for c in row.principal if cc.get(c) == condition)
        if best >= CATEGORY and _shared(code, mine[condition]) == best:
            keep.append(code)
    return tuple(keep) or row.principal


def stay_codes(rng, row: Drg, chronic_secondaries: list[str], own: dict[str, str]) -> tuple[list[str], str]:
    """A stay's diagnoses (principal, the DRG's severity code, the chronic codes its severity allows) and
    procedure ("" for none). The principal agrees with the person's own codes of the conditions it signals
    (`own`: condition → the person's code, `principals`)."""
    sev = severity()
    allowed = principals(row, tuple((c, own[c]) for c in row.conditions if c in own)) if row.conditions \
        else row.principal
    principal = allowed[below(rng, len(allowed))]
    dx = [principal]
    if row.secondary:
        dx.append(row.secondary[below(rng, len(row.secondary))])
    dx += [c for c in chronic_secondaries if sev.get(c, 0) <= row.allows and c != principal]
    pcs = row.pcs[below(rng, len(row.pcs))] if row.pcs else ""
    return list(dict.fromkeys(dx)), pcs
