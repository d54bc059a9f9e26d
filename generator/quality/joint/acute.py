"""Acute and post-acute figures from the EOBs alone: readmissions, who is admitted and how often, the DRG mix,
where discharges lead, the professionals around a surgical stay, hospice outcomes and dialysis billing.

Short-term stays are inpatient claims of short-term acute hospitals: CCN facility number 0001–0879 (IPPS) or
1300–1399 (critical access), as CMS's readmission measures count them (3025–3099 are rehabilitation hospitals).
A live hospice discharge is any patient status but died or still a patient (revocation, no longer terminally ill,
transfer: S16's live-discharge rate counts them all).

Ranges: MedPAC March 2024 (readmissions 15.4%, hospice), realism.md §3 (share with a stay, non-dual 13% / dual
22%), realism-detail.md §2 (DRG 871 ≈6.7–7.4% of stays, ≈1.7 stays per user), §4.3 (hospice live discharges ≈18%,
cancer ≈25% of hospice users), NUBC/CMS billing rules (dialysis facilities bill type 72x, dialysis is revenue
centres 082x-085x; N18.6 means dialysis or a transplant).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from generator.fhir.read import diagnosis_codes, eob_type, extension_value, parse_date, ref_id, supporting_code
from generator.quality.rows import range_row

GROUP = "acute and post-acute"
READMIT_DAYS = 30
SHORT_TERM_CCN = ((1, 879), (1300, 1399))
"""CCN facility numbers of short-term acute hospitals: IPPS 0001-0879, critical access 1300-1399 (not IRF 3025-3099,
LTCH 2000-2299 or psychiatric 4000-4499 hospitals)."""
NOT_LIVE = frozenset({"20", "30", "40", "41", "42"})
"""Hospice patient status that is no live discharge: died (20, 40-42) or still a patient (30)."""
DIALYSIS_REVENUE = ("082", "083", "084", "085")
"""Dialysis revenue centres 082x-085x (hemodialysis, peritoneal, CAPD, CCPD: NUBC)."""
DIALYSIS_BILL = "72"
"""Type of bill 72x: a renal dialysis facility (facility type 7, classification 2)."""
VISIT_EM = frozenset({*(f"992{n:02d}" for n in range(2, 16)), *(f"9928{n}" for n in range(1, 6))})
"""Office (99202-99215) and ED (99281-99285) E/M codes: visits a person makes, not care given in a hospital bed."""
VISIT_REVENUE = ("045", "051")
"""Revenue centres of a hospital visit: emergency room 045x, clinic 051x."""


def _status(eob: dict) -> str:
    code, _ = supporting_code(eob, "ptnt_dschrg_stus_cd")
    if code is None:
        for info in eob.get("supportingInfo") or ():
            for coding in (info.get("code") or {}).get("coding") or ():
                if coding.get("system", "").endswith("ptnt_dschrg_stus_cd"):
                    code = coding.get("code")
    return (code or "").zfill(2)


def _ccn(eob: dict) -> str:
    for res in eob.get("contained") or ():
        for ident in res.get("identifier") or ():
            if any(c.get("code") == "PRN" for c in (ident.get("type") or {}).get("coding") or ()):
                return ident.get("value") or ""
    return ""


def _codes(eob: dict, field: str) -> list[str]:
    out = []
    for item in eob.get("item") or ():
        for coding in (item.get(field) or {}).get("coding") or ():
            if coding.get("code"):
                out.append(coding["code"])
    return out


class AcuteFigures:
    """Collects each beneficiary's stays, hospice, SNF, surgical-professional and dialysis claims."""

    def __init__(self):
        self.stays: dict[str, list] = defaultdict(list)      # patient -> [(from, thru, status, drg, ccn, pcs)]
        self.snf: dict[str, list] = defaultdict(list)
        self.hospice: dict[str, list] = defaultdict(list)     # patient -> [(from, status, principal)]
        self.surgeons: dict[str, set] = defaultdict(set)      # patient -> days with a surgeon's line
        self.anesthesia: dict[str, set] = defaultdict(set)
        self.part_b: dict[str, set] = {}                      # patient -> (year, month) with Part B
        self.dialysis = [0, 0]                                # dialysis claims, of them on type of bill 72x
        self.dialysis_benes: set[str] = set()
        self.n186: set[str] = set()
        self.esrd: set[str] = set()
        self.visits: dict[str, list] = defaultdict(list)      # patient -> first days of office/clinic/ED visits
        self.last_day = dt.date.min

    def see(self, eob: dict, bene) -> None:
        kind, patient = eob_type(eob), ref_id(eob.get("patient"), "Patient/") or ""
        period = eob.get("billablePeriod") or {}
        start, end = parse_date(period.get("start")), parse_date(period.get("end") or period.get("start"))
        if end is not None and end > self.last_day:
            self.last_day = end
        if bene is not None and bene.esrd:
            self.esrd.add(patient)
        if bene is not None and patient not in self.part_b:
            self.part_b[patient] = bene.months_ab["B"]
        dx = list(diagnosis_codes(eob))
        if "N186" in dx:
            self.n186.add(patient)
        if kind == "inpatient":
            drg, _ = supporting_code(eob, "clm_drg_cd")
            pcs = [p.get("procedureCodeableConcept", {}).get("coding", [{}])[0].get("code", "")
                   for p in eob.get("procedure") or ()]
            self.stays[patient].append((start, end, _status(eob), drg, _ccn(eob), pcs))
        elif kind == "snf":
            self.snf[patient].append(start)
        elif kind == "hospice":
            self.hospice[patient].append((start, _status(eob), dx[0] if dx else ""))
        elif kind == "carrier":
            codes = _codes(eob, "productOrService")
            if start is not None and not VISIT_EM.isdisjoint(codes):
                self.visits[patient].append(start)
            for code in codes:
                if code.isdigit() and (10000 <= int(code) <= 69999 or 92920 <= int(code) <= 92944):
                    self.surgeons[patient].add(start)
                elif code.isdigit() and 100 <= int(code) <= 1999 and len(code) == 5:
                    self.anesthesia[patient].add(start)
        revenue = _codes(eob, "revenue") if kind == "outpatient" else ()
        if start is not None and any(code.startswith(VISIT_REVENUE) for code in revenue):
            self.visits[patient].append(start)
        if any(code.startswith(DIALYSIS_REVENUE) for code in revenue):
            self.dialysis[0] += 1
            self.dialysis_benes.add(patient)
            facility = (eob.get("facility") or {}).get("extension") or ()
            bill = next((e.get("valueCoding", {}).get("code") for e in facility
                         if e.get("url", "").endswith("clm_fac_type_cd")), "")
            classification = extension_value(eob, "clm_srvc_clsfctn_type_cd") or ""
            self.dialysis[1] += f"{bill}{classification}" == DIALYSIS_BILL

    def rows(self, benes, ffs_ids, ffs_years):
        short = {p: sorted(s for s in stays if _short_term(s[4])) for p, stays in self.stays.items()}
        short = {p: s for p, s in short.items() if s}
        n_stays = sum(map(len, short.values()))
        cutoff = self.last_day - dt.timedelta(days=READMIT_DAYS)
        eligible = readmitted = ama = 0
        follow = {"50": [0, 0], "02": [0, 0], "03": [0, 0]}
        surgical = [0, 0, 0]
        for patient, stays in short.items():
            for start, end, status, _, ccn, pcs in stays:
                ama += status == "07"
                later = [s for s in self.stays[patient] if s[0] is not None and end is not None and s[0] > end]
                if status not in ("20", "02", "07", "30", "50", "51") and end is not None and end <= cutoff:
                    eligible += 1
                    readmitted += any(s[0] <= end + dt.timedelta(days=READMIT_DAYS) and _short_term(s[4])
                                      for s in later)
                key = "50" if status in ("50", "51") else status
                if key in follow and end is not None and end < self.last_day:
                    follow[key][0] += 1
                    if key == "50":
                        hit = any(h[0] is not None and end <= h[0] <= end + dt.timedelta(days=7)
                                  for h in self.hospice.get(patient, ()))
                    elif key == "02":
                        hit = any(s[0] == end and s[4] != ccn for s in self.stays[patient])
                    else:
                        hit = any(d is not None and end <= d <= end + dt.timedelta(days=1)
                                  for d in self.snf.get(patient, ()))
                    follow[key][1] += hit
                # the surgeon and the anesthesia are Part B's: counted over stays admitted in a Part B month
                if any(p.startswith("0") for p in pcs) and (start.year, start.month) in self.part_b.get(patient, ()):
                    surgical[0] += 1
                    window = {start + dt.timedelta(days=k) for k in range((end - start).days + 1)}
                    surgical[1] += bool(window & self.surgeons.get(patient, set()))
                    surgical[2] += bool(window & self.anesthesia.get(patient, set()))
        ffs_users = [p for p in short if p in ffs_ids]
        visits = sum(map(len, self.visits.values()))
        inside = sum(any(s[0] < day < s[1] for s in short.get(patient, ()))
                     for patient, days in self.visits.items() for day in days)
        hospice_users = set(self.hospice)
        live = {p for p, claims in self.hospice.items() if any(c[1] not in NOT_LIVE for c in claims)}
        cancer = {p for p, claims in self.hospice.items() if min(claims)[2].startswith("C")}
        n186_without = len({p for p in self.n186 if p not in self.esrd and p not in self.dialysis_benes})
        distinct = len({s[3] for stays in short.values() for s in stays if s[3]})
        per_5000 = distinct if len(benes) >= 5000 else None

        def share(a, b):
            return a / b if b else None

        drg871 = sum(s[3] == "871" for stays in short.values() for s in stays)
        return [
            range_row(GROUP, "30-day readmission rate", 0.13, 0.18, share(readmitted, eligible)),
            range_row(GROUP, "FFS beneficiaries with a stay", 0.12, 0.16, share(len(ffs_users), len(ffs_ids))),
            range_row(GROUP, "stays per user", 1.5, 1.9, share(n_stays, len(short)), percent=False),
            range_row(GROUP, "DRG 871 share of stays", 0.05, 0.10, share(drg871, n_stays)),
            range_row(GROUP, "distinct DRGs (5,000+ beneficiaries)", 150, 500, per_5000, percent=False),
            range_row(GROUP, "hospice discharge → hospice claim in 7 days", 0.8, 1.0, share(*follow["50"][::-1])),
            range_row(GROUP, "transfer → receiving stay", 0.8, 1.0, share(*follow["02"][::-1])),
            range_row(GROUP, "SNF discharge → SNF claim", 0.8, 1.0, share(*follow["03"][::-1])),
            range_row(GROUP, "left against medical advice", 0.005, 0.02, share(ama, n_stays)),
            range_row(GROUP, "hospice users with a live discharge", 0.12, 0.22, share(len(live), len(hospice_users))),
            range_row(GROUP, "cancer share of hospice users", 0.2, 0.3, share(len(cancer), len(hospice_users))),
            range_row(GROUP, "surgical stays with a surgeon's claim", 0.9, 1.0, share(surgical[1], surgical[0])),
            range_row(GROUP, "surgical stays with an anesthesia claim", 0.8, 1.0, share(surgical[2], surgical[0])),
            range_row(GROUP, "office, clinic and ED visits inside a stay", 0, 0.001, share(inside, visits)),
            range_row(GROUP, "dialysis claims on type of bill 72x", 1.0, 1.0, share(*self.dialysis[::-1])),
            range_row(GROUP, "people with N18.6 without ESRD or dialysis", 0, 0, float(n186_without), percent=False),
        ]


def _short_term(ccn: str) -> bool:
    return len(ccn) == 6 and ccn[2:].isdigit() and any(low <= int(ccn[2:]) <= high for low, high in SHORT_TERM_CCN)
