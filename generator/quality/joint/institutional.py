"""Post-acute, hospice and DME claims' structure from the EOBs alone: HIPPS codes on the SNF (0022) and home health
(0023) PPS lines, home health and hospice visit lines on their own days inside the claim's period, visit counts,
the hospice modifiers on professional claims during an election, and DME quantities.

HIPPS structure (checked here independently of the generator's table): PDPM, FY 2020 SNF PPS final rule — PT/OT
group A-P, SLP A-L, nursing A-Y, NTA A-F, assessment indicator 0/1; PDGM, CY 2020 HH PPS final rule — source and
timing 1-4, clinical group A-L, functional level A-C, comorbidity 1-3, placeholder 1. Ranges: MedPAC March 2024
(8.6 in-person visits per home health period, S13; 3.9 hospice visits a week, S14), CMS IOM 100-04 ch. 11 §40.1.3
(GV/GW on professional claims during an election), DMEPOS HCPCS units (supplies billed in boxes of strips,
lancets, filters: a DME file where every quantity is 1 is not real) [U].
"""
from __future__ import annotations

import re
from collections import defaultdict

from generator.fhir.read import eob_type, parse_date, ref_id
from generator.quality.rows import range_row

GROUP = "post-acute, hospice and DME structure"
HIPPS = {"0022": re.compile(r"[A-P][A-L][A-Y][A-F][01]"), "0023": re.compile(r"[1-4][A-L][A-C][1-3]1")}
VISIT_REVENUE = ("042", "043", "044", "055", "056", "057")
HOSPICE_MODIFIERS = {"GV", "GW"}


def _code(concept: dict | None) -> str:
    codings = (concept or {}).get("coding") or ()
    return codings[0].get("code", "") if codings else ""


class Institutional:
    """Collects PPS lines, visit lines, hospice elections, carrier claims' modifiers and DME quantities."""

    def __init__(self) -> None:
        self.pps = [0, 0]                      # PPS lines, of them with a valid HIPPS code
        self.visit_lines = [0, 0]              # visit lines, of them dated inside their claim's period
        self.hh = [0, 0]                       # full home health periods (30 days), their visits
        self.hospice_visits = [0, 0]           # hospice days, visits
        self.elections: dict[str, list] = defaultdict(list)   # patient -> [(from, thru)] of hospice claims
        self.carrier: dict[str, list] = defaultdict(list)     # patient -> [(day, has GV/GW)]
        self.dme = [0, 0]                      # DME lines, of them with more than one unit

    def see(self, eob: dict, bene) -> None:
        kind = eob_type(eob)
        if kind not in ("snf", "hha", "hospice", "carrier", "dme"):
            return
        patient = ref_id(eob.get("patient"), "Patient/") or ""
        period = eob.get("billablePeriod") or {}
        start, end = parse_date(period.get("start")), parse_date(period.get("end") or period.get("start"))
        items = eob.get("item") or ()
        if kind == "carrier":
            modifiers = {_code(m) for item in items for m in item.get("modifier") or ()}
            self.carrier[patient].append((start, bool(modifiers & HOSPICE_MODIFIERS)))
            return
        if kind == "dme":
            for item in items:
                self.dme[0] += 1
                self.dme[1] += (item.get("quantity") or {}).get("value", 1) > 1
            return
        visits = 0
        for item in items:
            revenue = _code(item.get("revenue"))
            if revenue in HIPPS:
                self.pps[0] += 1
                self.pps[1] += bool(HIPPS[revenue].fullmatch(_code(item.get("productOrService"))))
            elif kind != "snf" and revenue.startswith(VISIT_REVENUE):
                visits += 1
                day = parse_date(item.get("servicedDate"))
                self.visit_lines[0] += 1
                self.visit_lines[1] += day is not None and start <= day <= end
        if start is None or end is None:
            return
        days = (end - start).days + 1
        if kind == "hha" and days == 30:
            self.hh[0] += 1
            self.hh[1] += visits
        elif kind == "hospice":
            self.hospice_visits[0] += days
            self.hospice_visits[1] += visits
            self.elections[patient].append((start, end))

    def rows(self, benes, ffs_ids, ffs_years):
        def share(part: int, whole: int) -> float | None:
            return part / whole if whole else None

        during = [has for patient, spans in self.elections.items() for day, has in self.carrier.get(patient, ())
                  if day is not None and any(a <= day <= b for a, b in spans)]
        weeks = self.hospice_visits[0] / 7
        return [
            range_row(GROUP, "SNF/HHA PPS lines with a valid HIPPS code", 1.0, 1.0, share(self.pps[1], self.pps[0])),
            range_row(GROUP, "HHA/hospice visit lines dated in their period", 1.0, 1.0,
                      share(self.visit_lines[1], self.visit_lines[0])),
            range_row(GROUP, "visits per 30-day home health period", 6.0, 11.0,
                      share(self.hh[1], self.hh[0]), percent=False),
            range_row(GROUP, "hospice visits per week of care", 2.5, 5.5,
                      self.hospice_visits[1] / weeks if weeks else None, percent=False),
            range_row(GROUP, "carrier claims in a hospice election with GV/GW", 0.9, 1.0,
                      share(sum(during), len(during))),
            range_row(GROUP, "DME lines with more than one unit", 0.15, 0.7, share(self.dme[1], self.dme[0])),
        ]
