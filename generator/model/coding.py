"""The codes a claim's lines and diagnoses carry, looked up once: HCPCS rows, displays, line templates and
diagnosis entries.

Everything constant per code is built once and cached: a priced line is a copy of its coding's template
(model/pricing.py fills in dates, quantity and amounts), and a diagnosis entry is shared by every claim that
carries it. Records are never modified once built, so sharing them is safe.
"""
from __future__ import annotations

from functools import cache
from collections.abc import Callable

from generator import tables
from generator.claim_types.spec import ClaimType
from generator.model.records import Diagnosis, Encounter, Line

LINE_AMOUNTS = dict.fromkeys(("submitted", "allowed", "paid", "deductible", "coinsurance", "patient_paid", "noncovered",
                              "prior_payer"), 0.0)
"""A line template's money fields (set by pricing; noncovered and prior payer stay 0)."""


class _Codes(dict):
    """HCPCS rows by code; a code with modifiers (`71046-26`, `E0601-RR-KX`) resolves to its code's row with the
    allowed amount scaled by the modifiers' fee factors (the modifiers table)."""

    def __missing__(self, key: str) -> dict:
        code, *modifiers = key.split("-")
        if not modifiers:
            raise KeyError(key)
        row = dict(self[code])
        factors = _modifier_factors()
        for m in modifiers:
            row["allowed"] = str(float(row["allowed"]) * factors[m])
        self[key] = row
        return row


@cache
def hcpcs_table() -> dict[str, dict]:
    """HCPCS rows by code: the hcpcs table and acute care's (hcpcs_acute)."""
    return _Codes((r["code"], r) for name in ("hcpcs", "hcpcs_acute", "hcpcs_post_acute") for r in tables.table(name))


@cache
def _modifier_factors() -> dict[str, float]:
    return {r["modifier"]: float(r["fee_factor"]) for r in tables.table("modifiers")}


def split_modifiers(key: str) -> tuple[str, list[str]]:
    """`99214-25` → ("99214", ["25"])."""
    code, *modifiers = key.split("-")
    return code, modifiers


@cache
def displays(name: str, key: str = "code") -> dict[str, str]:
    """A table's display by code (`key` names the code column)."""
    return {r[key]: r["display"] for r in tables.table(name)}


@cache
def icd_displays() -> dict[str, str]:
    """ICD-10-CM titles of every code the code tables can produce (the icd10cm_displays table, taken from
    simple_icd_10_cm once: loading that package costs ~3 s per worker process)."""
    return dict(tables.rows("icd10cm_displays"))


@cache
def part_b_ndcs() -> dict[str, dict[str, str]]:
    """The NDC a Part B drug line names, by HCPCS (the part_b_ndcs table): {"ndc", "drug", "ndc_unit"}."""
    return {r["hcpcs"]: {"ndc": r["ndc"], "drug": r["display"], "ndc_unit": r["unit"]}
            for r in tables.table("part_b_ndcs")}


@cache
def professional_coding(hcpcs: str, pos: str) -> Line:
    """The line template of a professional (carrier, DME) line: the coding's fields, placeholders for the rest."""
    row = hcpcs_table()[hcpcs]
    code, modifiers = split_modifiers(hcpcs)
    return {"hcpcs": code, "hcpcs_display": row["display"], "modifiers": modifiers, "from_date": "", "thru_date": "",
            "quantity": 0.0, "pos": pos, "pos_display": displays("pos").get(pos, ""), "betos": row["betos"],
            "type_of_service": row["type_of_service"], "performing": None, "dx_index": 0, **LINE_AMOUNTS,
            **part_b_ndcs().get(code, {})}


@cache
def revenue_coding(rev: str, hcpcs: str) -> Line:
    """The line template of an institutional line billed by revenue center (with a HCPCS code, or "")."""
    table = hcpcs_table()
    row = table.get(hcpcs) or (table[hcpcs] if "-" in hcpcs else None)
    code, modifiers = split_modifiers(hcpcs)
    return {"revenue": rev, "revenue_display": displays("revenue_centers").get(rev, ""), "hcpcs": code,
            "hcpcs_display": row["display"] if row else "", "modifiers": modifiers, "from_date": "", "thru_date": "",
            "quantity": 0.0, **LINE_AMOUNTS, **part_b_ndcs().get(code, {})}


_DRUG_LINES: dict[str, Line] = {}
drug_line = _DRUG_LINES.get       # the line template of a Part D fill by NDC, once `new_drug_line` made it


def new_drug_line(drug: dict) -> Line:
    """The line template of a Part D fill of a drug, kept by NDC."""
    _DRUG_LINES[drug["ndc"]] = line = {"ndc": drug["ndc"], "drug": drug["display"], "from_date": "", "thru_date": "",
                                       "quantity": 0.0, **LINE_AMOUNTS}
    return line


@cache
def _diagnosis(code: str, role: str, poa: str) -> Diagnosis:
    """One diagnosis entry (shared by the claims that carry it)."""
    return Diagnosis(code=code, display=icd_displays()[code], role=role, poa=poa)


@cache
def _diagnosis_roles(spec: ClaimType) -> tuple[Callable[[str], Diagnosis], Callable[[str], Diagnosis]]:
    """A claim type's diagnosis entries by code: (principal, other)."""
    rules = spec.diagnoses
    poa = rules.present_on_admission
    other = rules.other_role
    return cache(lambda code: _diagnosis(code, "principal", poa)), cache(lambda code: _diagnosis(code, other, poa))


def diagnoses(enc: Encounter) -> list[Diagnosis]:
    """The diagnoses of an encounter with some: principal first, then the type's other role, cut to the type's
    limit; types that say so repeat the principal as the admitting diagnosis, second."""
    spec, dx = enc.spec, enc.dx
    principal, other = _diagnosis_roles(spec)
    out = list(map(other, dx))
    out[0] = principal(dx[0])
    limit = spec.diagnoses.limit
    if len(out) > limit:
        del out[limit:]
    if spec.diagnoses.admitting:
        out.insert(1, _diagnosis(dx[0], "admitting", ""))
    return out
