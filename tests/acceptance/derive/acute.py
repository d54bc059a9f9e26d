"""Acute and post-acute figures, each from its published definition.

A short-term stay is an inpatient claim of a short-term acute hospital: CCN facility number 0001-0879 (IPPS) or
1300-1399 (critical access), as CMS's readmission measures and MedPAC count them.

- 30-day readmission (MedPAC / CMS hospital-wide, all-cause): index stays are short-term stays discharged alive
  (not 20), not transferred to another short-term hospital (02), not against medical advice (07), not to hospice
  (50/51: hospice election forecloses readmission, Holden 2015) and not still a patient (30), with the 30 days
  after discharge inside the period; readmitted when another short-term stay is admitted on a day 1-30 after the
  discharge. (All-cause: the generator bills no planned readmission, so CMS's planned-readmission algorithm would
  remove nothing.)
- Share with a stay: FFS beneficiaries with a short-term stay, of FFS beneficiaries; stays per user: short-term
  stays per beneficiary with one; DRG 871 share and distinct DRGs (5,000+ beneficiaries) of short-term stays.
- Discharge follow-through: a discharge to hospice (50/51) is followed by a hospice claim covering a day within
  7 days; a transfer (02) by a short-term stay at another hospital admitted that day or the next; a discharge to
  a SNF (03) by a SNF claim starting that day or the next; each over discharges whose window ends in the period.
- Against medical advice: short-term stays with status 07.
- Hospice: users with a live discharge (a hospice claim whose patient status is neither still a patient (30),
  nor died (20, 40, 41, 42)); cancer share: users whose first hospice claim's principal diagnosis is a
  malignant neoplasm (C00-C96).
- Surgical stays (an ICD-10-PCS procedure of the medical-surgical section, 0) admitted in a month with Part B in
  force (the surgeon and the anesthesia bill Part B: a Part A-only beneficiary's have no Medicare claim): with a
  carrier surgery line (CPT 10000-69999, or PCI 92920-92944) and with an anesthesia line (00100-01999), dated
  within the stay.
- Visits inside a stay: claims of a visit a person makes (a carrier claim with an office or ED E/M line,
  99202-99215 or 99281-99285; an outpatient claim with an ED (045x) or clinic (051x) revenue line) whose first day
  is after the admission and before the discharge of one of their short-term stays, of all such visit claims.
- Dialysis: outpatient claims with a dialysis revenue centre (082x-085x) billed on type of bill 72x (renal
  dialysis facility); people with N18.6 (ESRD) on a claim without ESRD status and without dialysis claims.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

NOT_INDEX = frozenset({"20", "02", "07", "50", "51", "30"})
DEATH = frozenset({"20", "40", "41", "42"})


def short_term(ccn: str) -> bool:
    number = ccn[2:6]
    return len(ccn) == 6 and number.isdigit() and (1 <= int(number) <= 879 or 1300 <= int(number) <= 1399)


def _surgery(code: str) -> bool:
    return code.isdigit() and len(code) == 5 and (10000 <= int(code) <= 69999 or 92920 <= int(code) <= 92944)


def _visit(claim) -> bool:
    if claim.kind == "carrier":
        return any(line.hcpcs[:3] == "992" and ("02" <= line.hcpcs[3:] <= "15" or "81" <= line.hcpcs[3:] <= "85")
                   for line in claim.lines)
    return claim.kind == "outpatient" and any(line.revenue[:3] in ("045", "051") for line in claim.lines)


def _anesthesia(code: str) -> bool:
    return code.isdigit() and len(code) == 5 and 100 <= int(code) <= 1999


def figures(data) -> dict[str, float | None]:
    end = data.period_end
    stays: dict[str, list] = defaultdict(list)
    snf: dict[str, list] = defaultdict(list)
    hospice: dict[str, list] = defaultdict(list)
    surgeon_days: dict[str, set] = defaultdict(set)
    anesthesia_days: dict[str, set] = defaultdict(set)
    dialysis = on_72x = 0
    dialysis_people, n186 = set(), set()
    visits: list = []
    for claim in data.claims:
        if _visit(claim):
            visits.append(claim)
        if "N186" in claim.diagnoses:
            n186.add(claim.patient)
        if claim.kind == "inpatient" and short_term(claim.ccn):
            stays[claim.patient].append(claim)
        elif claim.kind == "snf":
            snf[claim.patient].append(claim)
        elif claim.kind == "hospice":
            hospice[claim.patient].append(claim)
        elif claim.kind == "carrier":
            for line in claim.lines:
                if _surgery(line.hcpcs):
                    surgeon_days[claim.patient].add(line.day)
                elif _anesthesia(line.hcpcs):
                    anesthesia_days[claim.patient].add(line.day)
        elif claim.kind == "outpatient" and any("082" <= line.revenue[:3] <= "085" for line in claim.lines):
            dialysis += 1
            on_72x += claim.bill_type == "72"
            dialysis_people.add(claim.patient)
    all_stays = [s for group in stays.values() for s in group]
    index = readmitted = 0
    follow = {"50": [0, 0], "02": [0, 0], "03": [0, 0]}
    surgical = [0, 0, 0]
    for pid, group in stays.items():
        for stay in group:
            out = stay.last
            if stay.status not in NOT_INDEX and out + dt.timedelta(days=30) <= end:
                index += 1
                readmitted += any(0 < ((other.admitted or other.first) - out).days <= 30
                                  for other in group if other is not stay)
            kind = "50" if stay.status in ("50", "51") else stay.status
            if kind == "50" and out + dt.timedelta(days=7) <= end:
                follow["50"][0] += 1
                follow["50"][1] += any(h.first <= out + dt.timedelta(days=7) and h.last >= out
                                       for h in hospice.get(pid, ()))
            elif kind == "02" and out + dt.timedelta(days=1) <= end:
                follow["02"][0] += 1
                follow["02"][1] += any(0 <= ((o.admitted or o.first) - out).days <= 1 and o.ccn != stay.ccn
                                       for o in group)
            elif kind == "03" and out + dt.timedelta(days=1) <= end:
                follow["03"][0] += 1
                follow["03"][1] += any(0 <= (s.first - out).days <= 1 for s in snf.get(pid, ()))
            start = stay.admitted or stay.first
            person = data.people.get(pid)
            if any(p[:1] == "0" for p in stay.procedures) and person and (start.year, start.month) in person.part_b:
                surgical[0] += 1
                surgical[1] += any(d and start <= d <= out for d in surgeon_days.get(pid, ()))
                surgical[2] += any(d and start <= d <= out for d in anesthesia_days.get(pid, ()))
    ffs = {pid for pid, p in data.people.items() if p.ffs_months}
    live = {pid for pid, claims in hospice.items() if any(c.status not in DEATH | {"30"} for c in claims)}
    cancer = set()
    for pid, claims in hospice.items():
        first = min(claims, key=lambda c: (c.first, c.last))
        if first.diagnoses and first.diagnoses[0][:1] == "C" and first.diagnoses[0][1:3] <= "96":
            cancer.add(pid)
    esrd = {pid for pid, p in data.people.items() if p.esrd}
    inside = sum(any((s.admitted or s.first) < v.first < s.last for s in stays.get(v.patient, ())) for v in visits)

    def share(a, b):
        return a / b if b else None

    return {
        "30-day readmission rate": share(readmitted, index),
        "FFS beneficiaries with a stay": share(len(ffs & set(stays)), len(ffs)),
        "stays per user": share(len(all_stays), len(stays)),
        "DRG 871 share of stays": share(sum(s.drg == "871" for s in all_stays), len(all_stays)),
        "distinct DRGs (5,000+ beneficiaries)": float(len({s.drg for s in all_stays if s.drg}))
        if len(data.people) >= 5000 else None,
        "hospice discharge → hospice claim in 7 days": share(follow["50"][1], follow["50"][0]),
        "transfer → receiving stay": share(follow["02"][1], follow["02"][0]),
        "SNF discharge → SNF claim": share(follow["03"][1], follow["03"][0]),
        "left against medical advice": share(sum(s.status == "07" for s in all_stays), len(all_stays)),
        "hospice users with a live discharge": share(len(live), len(hospice)),
        "cancer share of hospice users": share(len(cancer), len(hospice)),
        "surgical stays with a surgeon's claim": share(surgical[1], surgical[0]),
        "surgical stays with an anesthesia claim": share(surgical[2], surgical[0]),
        "office, clinic and ED visits inside a stay": share(inside, len(visits)),
        "dialysis claims on type of bill 72x": share(on_72x, dialysis),
        "people with N18.6 without ESRD or dialysis": float(len(n186 - esrd - dialysis_people)),
    }
