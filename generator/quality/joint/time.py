"""Time in the claims, read from the EOBs alone: weekdays, seasons, processing lags and stays open at the end.

Office care happens on weekdays (≈2-5% of office E/M on weekends), flu shots in the autumn (Sep-Dec ≈90% of a
calendar year's doses), admissions peak in winter (mildly), a claim reaches the weekly NCH processing date ≈2-3
weeks after its last day of service with a long tail (timely filing allows 12 months), and a stay still open at
the period end is billed as "still a patient" (discharge status 30), not as a discharge on Dec 31
(realism-detail.md §5).
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter

from generator.fhir.read import eob_type, parse_date
from generator.quality.joint.money import OFFICE_EM, line_hcpcs, line_pos
from generator.quality.rows import Row, _Bene, range_row

GROUP = "time (joint, real ranges)"
FLU_ADMINISTRATION = "G0008"
FLU_MONTHS = (9, 10, 11, 12)
WINTER, SUMMER = (12, 1, 2), (6, 7, 8)
STILL_A_PATIENT = "30"
STAYS = ("inpatient", "snf")


def _line_day(item: dict, fallback: dt.date | None) -> dt.date | None:
    period = item.get("servicedPeriod") or {}
    return parse_date(item.get("servicedDate") or period.get("start")) or fallback


def _quantile(values: list[int], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return float(values[max(1, math.ceil(q * len(values))) - 1])       # nearest rank


class Time:
    """Weekday, season and lag figures."""

    def __init__(self):
        self.office_em = self.office_em_weekend = 0
        self.flu = Counter()                      # month -> flu administrations
        self.admissions = Counter()               # month -> inpatient admissions
        self.lags: list[int] = []                 # days from the last day of service to `created` (Parts A/B)
        self.discharges = Counter()               # discharge day -> inpatient discharges (not still a patient)
        self.still = self.cut_at_year_end = 0     # stays billed still a patient; discharged on a Dec 31

    def see(self, eob: dict, bene: _Bene | None) -> None:
        kind = eob_type(eob)
        period = eob.get("billablePeriod") or {}
        start, end = parse_date(period.get("start")), parse_date(period.get("end"))
        created = parse_date(eob.get("created"))
        if kind != "pde" and end and created:
            self.lags.append((created - end).days)
        if kind in STAYS and end:
            status = _discharge_status(eob)
            if status == STILL_A_PATIENT:
                self.still += 1
            elif kind == "inpatient":
                self.discharges[end] += 1
            if kind == "inpatient" and start:
                self.admissions[start.month] += 1
        for item in eob.get("item") or ():
            code = line_hcpcs(item)
            if not code:
                continue
            day = _line_day(item, start)
            if day is None:
                continue
            if code == FLU_ADMINISTRATION:
                self.flu[day.month] += 1
            elif kind == "carrier" and code in OFFICE_EM and line_pos(item) == "11":
                self.office_em += 1
                self.office_em_weekend += day.weekday() >= 5

    def rows(self, benes: dict[str, _Bene], ffs_ids: set[str], ffs_years: float) -> list[Row]:
        flu = sum(self.flu.values())
        winter = sum(self.admissions[m] for m in WINTER) / 90
        summer = sum(self.admissions[m] for m in SUMMER) / 92
        span = (max(self.discharges) - min(self.discharges)).days + 1 if self.discharges else 0
        daily = sum(self.discharges.values()) / span if span else 0.0
        dec31 = [n for d, n in self.discharges.items() if (d.month, d.day) == (12, 31)]
        return [
            # Mon-Fri ≈98% of office E/M (realism-detail.md §5 [U]); the 3-5% band widened for sampling
            range_row(GROUP, "weekend share of office E/M lines", 0.02, 0.06,
                      self.office_em_weekend / self.office_em if self.office_em else None),
            # Sep 20%, Oct 45%, Nov 18%, Dec 7% of a season's doses (realism-detail.md §5 [U]; CDC FluVaxView)
            range_row(GROUP, "flu shots given Sep-Dec", 0.75, 0.97,
                      sum(self.flu[m] for m in FLU_MONTHS) / flu if flu else None),
            # winter ≈+12-15% over the summer trough (realism-detail.md §5 [U]; S22)
            range_row(GROUP, "admissions per day, winter / summer", 1.03, 1.25, winter / summer if summer else None,
                      percent=False),
            # service date -> NCH weekly date: median ≈2-3 weeks, a tail to 12 months (realism-detail.md §5 [U])
            range_row(GROUP, "processing lag median (days)", 10, 25, _quantile(self.lags, 0.5), percent=False),
            range_row(GROUP, "processing lag p99 (days)", 60, 365, _quantile(self.lags, 0.99), percent=False),
            range_row(GROUP, "Dec 31 discharges / daily average", 0, 2,
                      (sum(dec31) / len(dec31)) / daily if dec31 and daily else (0.0 if daily else None),
                      percent=False),
        ]


def _discharge_status(eob: dict) -> str | None:
    """ptnt_dschrg_stus_cd as BFD writes it: a supportingInfo code without its leading zero."""
    for info in eob.get("supportingInfo") or ():
        for coding in (info.get("code") or {}).get("coding") or ():
            if coding.get("system", "").endswith("/ptnt_dschrg_stus_cd"):
                return str(coding.get("code", "")).zfill(2)
    return None
