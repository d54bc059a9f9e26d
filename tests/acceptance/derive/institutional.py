"""Post-acute, hospice and DME structure, each from its published definition.

- HIPPS (a SNF's 0022 and a home health agency's 0023 PPS line): PDPM (FY 2020 SNF PPS final rule, 83 FR 39162) —
  PT/OT group A-P, SLP A-L, nursing A-Y, NTA A-F, then assessment 0 or 1; PDGM (CY 2020 HH PPS final rule, 83 FR
  56406) — admission source and timing 1-4, clinical group A-L, functional level A-C, comorbidity 1-3, then 1.
- Visit lines (home health and hospice revenue centres 042x PT, 043x OT, 044x SLP, 055x nursing, 056x social
  work, 057x aide): dated, on a day inside their claim's billing period.
- Visits per home health period: visit lines per home health claim of a full 30-day period (MedPAC March 2024:
  8.6 in-person visits); hospice visits per week: visit lines per 7 days billed on hospice claims (MedPAC: 3.9).
- Hospice modifiers (CMS IOM 100-04 ch. 11 §40.1.3): carrier claims dated within a hospice claim's billing
  period of the same person carry GV (the attending) or GW (unrelated) on some line.
- DME: lines whose quantity is more than 1 (supplies billed in their HCPCS units).
"""
from __future__ import annotations

import re

PDPM = re.compile(r"[A-P][A-L][A-Y][A-F][01]")
PDGM = re.compile(r"[1-4][A-L][A-C][1-3]1")
VISITS = ("042", "043", "044", "055", "056", "057")


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def figures(data) -> dict[str, float | None]:
    hipps = valid = visit_lines = inside = periods = period_visits = hospice_days = hospice_visits = 0
    spans: dict[str, list] = {}
    for claim in data.claims:
        if claim.kind not in ("snf", "hha", "hospice"):
            continue
        visits = 0
        for line in claim.lines:
            if line.revenue in ("0022", "0023"):
                hipps += 1
                valid += bool((PDPM if line.revenue == "0022" else PDGM).fullmatch(line.product))
            elif claim.kind != "snf" and line.revenue[:3] in VISITS:
                visits += 1
                visit_lines += 1
                inside += line.dated and claim.first <= line.day <= claim.last
        if claim.first is None or claim.last is None:
            continue
        days = (claim.last - claim.first).days + 1
        if claim.kind == "hha" and days == 30:
            periods += 1
            period_visits += visits
        elif claim.kind == "hospice":
            hospice_days += days
            hospice_visits += visits
            spans.setdefault(claim.patient, []).append((claim.first, claim.last))
    during = [any(m in ("GV", "GW") for line in c.lines for m in line.modifiers) for c in data.claims
              if c.kind == "carrier" and c.first and any(a <= c.first <= b for a, b in spans.get(c.patient, ()))]
    dme = [line.quantity > 1 for c in data.claims if c.kind == "dme" for line in c.lines]
    return {
        "SNF/HHA PPS lines with a valid HIPPS code": _share(valid, hipps),
        "HHA/hospice visit lines dated in their period": _share(inside, visit_lines),
        "visits per 30-day home health period": _share(period_visits, periods),
        "hospice visits per week of care": hospice_visits / (hospice_days / 7) if hospice_days else None,
        "carrier claims in a hospice election with GV/GW": _share(sum(during), len(during)),
        "DME lines with more than one unit": _share(sum(dme), len(dme)),
    }
