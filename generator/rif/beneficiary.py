"""A beneficiary's rows of the RIF beneficiary file: the MBSF base segment and the chronic-conditions segment.

One row per beneficiary-year (RFRNC_YR): the beneficiary's record, each monthly list cut to the year's twelve
months (`month.<key>.<0..11>`; a plan's PBP and segment where the month is enrolled in its plan), and for each
chronic condition of the profile's vocabulary CCW's flag (`ccw.<condition>`: 3 the claims meet the CCW rule and
the beneficiary had fee-for-service coverage in the year, 1 the claims without the coverage, 2 the coverage without
the claims, 0 neither) with the
day the rule was met (`ccw_date.<condition>`), counted with the same rule as `medisynth stats` (model/ccw.py).
"""
from __future__ import annotations

from generator.claim_types import TYPES
from generator.model.ccw import condition_by_code, see_claim
from generator.model.records import Beneficiary, Claim

MONTHLY = ("buyin", "dual", "part_c", "part_d", "cstshr", "rdsind", "part_a", "part_b")
PLAN_OF = {"part_c_pbp": "part_c", "part_c_plan_type": "part_c", "part_d_pbp": "part_d", "part_d_segment": "part_d"}
NOT_ENROLLED = ("", "0", None)


def conditions_met(claims: list[Claim]) -> dict[str, str]:
    """Chronic condition → the day its CCW rule was met by these claims (a beneficiary's, in date order)."""
    met: dict[str, str] = {}
    pending: dict[str, str] = {}
    by_code = condition_by_code()
    for claim in claims:
        evidence = TYPES[claim["type"]].ccw_claims
        if evidence:
            see_claim(met, pending, evidence, claim["from_date"], [d["code"] for d in claim.get("diagnoses") or ()],
                      by_code)
    return met


def bene_rows(bene: Beneficiary, claims: list[Claim]) -> list[dict]:
    """The row views of a beneficiary's years, in year order."""
    met = conditions_met(claims)
    death = (bene["death_date"] or "")[:7] or None
    rows = []
    for year in sorted({m[:4] for m in bene["months"]}):
        at = {int(m[5:7]) - 1: i for i, m in enumerate(bene["months"]) if m[:4] == year}
        month = {key: [bene[key][at[k]] if k in at else None for k in range(12)] for key in MONTHLY}
        for key, plan in PLAN_OF.items():
            month[key] = [bene[key] if contract not in NOT_ENROLLED else "" for contract in month[plan]]
        ffs = any(a and b and c in NOT_ENROLLED and (death is None or f"{year}-{k + 1:02d}" <= death)
                  for k, (a, b, c) in enumerate(zip(month["part_a"], month["part_b"], month["part_c"])))
        flags = {c: ("3" if ffs else "1") if c in met else "2" if ffs else "0" for c in by_condition()}
        rows.append({"bene": bene, "year": int(year), "month": month, "ccw": flags, "ccw_date": met})
    return rows


def by_condition() -> tuple[str, ...]:
    """The chronic conditions of the code table, in its order."""
    return tuple(dict.fromkeys(condition_by_code().values()))
