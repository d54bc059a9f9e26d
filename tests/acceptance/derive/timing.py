"""Time figures, each from its published definition.

- Weekend office E/M: carrier lines of office/outpatient E/M codes (99202-99205, 99211-99215) at the office
  (POS 11) whose line date is a Saturday or Sunday, of all such lines.
- Flu shots Sep-Dec: influenza vaccine administrations (G0008) on Part B lines (carrier, outpatient) dated
  September to December, of all of them.
- Winter / summer admissions: inpatient admissions (CLM_ADMSN_DT) per day in December-February over those per
  day in June-August, by month of admission (days of those months in a 365-day year: 90 and 92).
- Processing lag: days from a Part A/B claim's through date to its NCH weekly process date; the median and 99th
  percentile by the nearest-rank rule (the value at rank ceil(q·n) of the sorted lags).
- Dec 31 discharges: inpatient discharges (through date of a claim not billed "still a patient", status 30) on
  the period's last Dec 31, over the mean discharges per day from the first to the last discharge day.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter

OFFICE_EM = frozenset({"99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215"})
PARTS_A_B = frozenset({"inpatient", "outpatient", "carrier", "snf", "hha", "hospice", "dme"})


def nearest_rank(values: list[int], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(1, math.ceil(q * len(ordered))) - 1])


def figures(data) -> dict[str, float | None]:
    office = weekend = 0
    flu = Counter()
    admissions = Counter()
    lags = []
    discharges = Counter()
    for claim in data.claims:
        if claim.kind in PARTS_A_B and claim.last and claim.processed:
            lags.append((claim.processed - claim.last).days)
        if claim.kind == "inpatient":
            if claim.admitted:
                admissions[claim.admitted.month] += 1
            if claim.status != "30" and claim.last:
                discharges[claim.last] += 1
        if claim.kind not in ("carrier", "outpatient"):
            continue
        for line in claim.lines:
            if line.day is None:
                continue
            if line.hcpcs == "G0008":
                flu[line.day.month] += 1
            if claim.kind == "carrier" and line.hcpcs in OFFICE_EM and line.pos == "11":
                office += 1
                weekend += line.day.isoweekday() in (6, 7)
    winter = (admissions[12] + admissions[1] + admissions[2]) / 90
    summer = (admissions[6] + admissions[7] + admissions[8]) / 92
    dec31 = dt.date(data.period_end.year, 12, 31)
    days = (max(discharges) - min(discharges)).days + 1 if discharges else 0
    per_day = sum(discharges.values()) / days if days else 0
    return {
        "weekend share of office E/M lines": weekend / office if office else None,
        "flu shots given Sep-Dec": sum(flu[m] for m in (9, 10, 11, 12)) / sum(flu.values()) if flu else None,
        "admissions per day, winter / summer": winter / summer if summer else None,
        "processing lag median (days)": nearest_rank(lags, 0.5),
        "processing lag p99 (days)": nearest_rank(lags, 0.99),
        "Dec 31 discharges / daily average": discharges[dec31] / per_day if per_day else None,
    }
