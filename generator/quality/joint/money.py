"""Money by the rules of the year, and spending with its tail, read from the EOBs alone.

Cost sharing: preventive services and clinical lab lines carry none (the no_cost_sharing table names them:
realism-detail.md §6); an insulin fill costs at most $35 a month's supply (IRA, from 2023); the Part D
out-of-pocket cap ($2,000 in 2025) is reached by ≈4–8% of enrollees without the low-income subsidy. Facility
billing: hospital clinic visits are billed G0463 since CY2014; an inpatient stay far above its DRG payment
gets an outlier payment (IPPS: ≈5.1% of payments, a few percent of stays). Spending: A+B Medicare payment per
fee-for-service person-year, by sector, its concentration and decedents against survivors (realism-detail.md
§4.1–§4.2).
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

from dataset_contract.systems import HCPCS_SYSTEM, NDC_SYSTEM
from generator.fhir.read import adjudication_amounts, eob_type, parse_date, ref_id
from generator.model.cost_sharing import no_cost_sharing
from generator.quality.rows import Row, _Bene, range_row

GROUP = "money (joint, real ranges)"
LINE_COST_SHARING = ("line_bene_ptb_ddctbl_amt", "line_coinsrnc_amt", "rev_cntr_cash_ddctbl_amt",
                     "rev_cntr_coinsrnc_wge_adjstd_c")
OFFICE_EM = frozenset(f"992{n:02d}" for n in (2, 3, 4, 5, 11, 12, 13, 14, 15))
CLINIC_REVENUE = "051"     # 051x: clinic (NUBC), 0510 general
OUTLIER = "nch_drg_outlier_aprvd_pmt_amt"
INSULIN_MONTH_CAP = 35.0
PART_D_CAP = 2000.0
PART_A_AND_B = ("inpatient", "outpatient", "carrier", "snf", "hha", "hospice", "dme")
# Medicare payment per FFS beneficiary-year by sector (realism-detail.md §4.1, 2022-2023: inpatient ≈$3,200-3,400,
# outpatient ≈$2,400-2,800 [U], carrier ≈$3,170 (S1, a lower bound), SNF ≈$820 (S12), HHA ≈$460 (S13), hospice
# ≈$670 (S14), DME ≈$250-300 [U]); the ranges are those figures ±15-25%.
SECTOR_RANGES = {"inpatient": (2800, 3800), "outpatient": (2000, 3000), "carrier": (2700, 3700), "snf": (650, 1000),
                 "hha": (350, 600), "hospice": (500, 850), "dme": (200, 350)}
A_AND_B_RANGE = (12500, 13500)       # ≈$13,100 per FFS beneficiary in 2022 (realism-detail.md §4.1) ± the band


def line_hcpcs(item: dict) -> str:
    for coding in (item.get("productOrService") or {}).get("coding") or ():
        if coding.get("system") == HCPCS_SYSTEM:
            return coding.get("code") or ""
    return ""


def _revenue(item: dict) -> str:
    for coding in (item.get("revenue") or {}).get("coding") or ():
        if coding.get("system", "").endswith("/rev_cntr"):
            return coding.get("code") or ""
    return ""


def line_pos(item: dict) -> str:
    for coding in (item.get("locationCodeableConcept") or {}).get("coding") or ():
        return coding.get("code") or ""
    return ""


def _quantity(eob: dict, category: str) -> float | None:
    for info in eob.get("supportingInfo") or ():
        if any(c.get("code") == category for c in (info.get("category") or {}).get("coding") or ()):
            return (info.get("valueQuantity") or {}).get("value")
    return None


def balance(eob: dict, variable: str) -> float:
    """A benefitBalance money amount by its CCW variable (0 when absent)."""
    for b in eob.get("benefitBalance") or ():
        for fin in b.get("financial") or ():
            if any(c.get("code", "").endswith("/" + variable) for c in (fin.get("type") or {}).get("coding") or ()):
                return (fin.get("usedMoney") or {}).get("value") or 0.0
    return 0.0


def payment(eob: dict) -> float:
    return ((eob.get("payment") or {}).get("amount") or {}).get("value") or 0.0


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class Money:
    """Cost-sharing rules, facility billing, outliers and spending per FFS person-year."""

    def __init__(self):
        self.exempt_lines = self.exempt_shared = 0          # preventive and lab lines; those with cost sharing
        self.lab_lines = self.lab_shared = 0
        self.insulin_fills = self.insulin_over = 0
        self.part_d_pay: dict[tuple[str, int], float] = defaultdict(float)      # (patient, year) -> TrOOP
        self.above_threshold_fills = self.catastrophic_filled = 0
        self.clinic_visits = self.g0463 = 0
        self.fee_by_site: dict[str, list[float]] = {"office": [], "facility": []}   # 99213 allowed amounts
        self.inpatient = self.outliers = self.over_50k = 0
        self.spending: dict[str, Counter] = defaultdict(Counter)   # patient -> sector -> payment

    def see(self, eob: dict, bene: _Bene | None) -> None:
        kind = eob_type(eob)
        patient = ref_id(eob.get("patient"), "Patient/") or ""
        if kind == "pde":
            self._fill(eob, patient)
            return
        self.spending[patient][kind] += payment(eob)
        if kind == "inpatient":
            self.inpatient += 1
            self.outliers += balance(eob, OUTLIER) > 0
            self.over_50k += payment(eob) > 50_000
        for item in eob.get("item") or ():
            code = line_hcpcs(item)
            if not code:
                continue
            amounts = adjudication_amounts(item.get("adjudication"))
            shared = sum(amounts.get(k, 0.0) for k in LINE_COST_SHARING) > 0.005
            if no_cost_sharing(code):
                if code[:1] == "8" or code == "36415":
                    self.lab_lines += 1
                    self.lab_shared += shared
                else:
                    self.exempt_lines += 1
                    self.exempt_shared += shared
            if kind == "outpatient" and _revenue(item).startswith(CLINIC_REVENUE):
                self.clinic_visits += 1
                self.g0463 += code == "G0463"
            if kind == "carrier" and code == "99213":
                pos = line_pos(item)
                site = "office" if pos == "11" else "facility" if pos in ("19", "21", "22") else ""
                if site:
                    self.fee_by_site[site].append(amounts.get("line_alowd_chrg_amt", 0.0))

    def _fill(self, eob: dict, patient: str) -> None:
        item = (eob.get("item") or [{}])[0]
        amounts = adjudication_amounts(item.get("adjudication"))
        paid = amounts.get("ptnt_pay_amt", 0.0)
        day = parse_date((eob.get("billablePeriod") or {}).get("start"))
        year = day.year if day else 0
        before = self.part_d_pay[(patient, year)]      # true out-of-pocket: the enrollee's, others', the subsidy's
        self.part_d_pay[(patient, year)] = before + paid + amounts.get("othr_troop_amt", 0.0) + amounts.get(
            "lics_amt", 0.0)
        if before >= PART_D_CAP - 0.005:
            self.above_threshold_fills += 1
            self.catastrophic_filled += amounts.get("gdc_abv_oopt_amt", 0.0) > 0
        drug = " ".join(c.get("display", "") for c in (item.get("productOrService") or {}).get("coding") or ()
                        if c.get("system") == NDC_SYSTEM)
        if "INSULIN" in drug.upper():
            months = max(1.0, (_quantity(eob, "dayssupply") or 30) / 30)
            self.insulin_fills += 1
            self.insulin_over += paid > INSULIN_MONTH_CAP * math.ceil(months - 1e-9) + 0.005

    def rows(self, benes: dict[str, _Bene], ffs_ids: set[str], ffs_years: float) -> list[Row]:
        rows = [
            # by law none (42 CFR 410.152(l); medicare.gov): realism-detail.md §6
            range_row(GROUP, "preventive lines with cost sharing", 0, 0, _share(self.exempt_shared, self.exempt_lines)),
            range_row(GROUP, "clinical lab lines with cost sharing", 0, 0, _share(self.lab_shared, self.lab_lines)),
            # IRA: ≤$35 per month's supply from 2023 (realism-detail.md §6); 2% for fills the rule cannot see
            range_row(GROUP, "insulin fills over $35 a month", 0, 0.02, _share(self.insulin_over, self.insulin_fills)),
            self._part_d_cap(benes),
            range_row(GROUP, "fills past the OOP cap with catastrophic cost", 0.95, 1.0,
                      _share(self.catastrophic_filled, self.above_threshold_fills)),
            # OPPS since CY2014: every clinic visit is G0463 (78 FR 74826)
            range_row(GROUP, "outpatient clinic visits billed G0463", 0.9, 1.0, _share(self.g0463, self.clinic_visits)),
            self._facility_ratio(),
            # IPPS outliers: 5.1% of operating payments (FY2025, 89 FR 80405); ≈2-5% of stays [U]
            range_row(GROUP, "inpatient stays with an outlier payment", 0.02, 0.05,
                      _share(self.outliers, self.inpatient)),
            range_row(GROUP, "inpatient payments over $50,000", 0.005, 0.05, _share(self.over_50k, self.inpatient)),
        ]
        return rows + self._spending(benes, ffs_ids, ffs_years)

    def _part_d_cap(self, benes: dict[str, _Bene]) -> Row:
        """Enrollees without the subsidy in a year (no month of it in a low-income cost-sharing group, CSTSHR
        01-08) whose year's true out-of-pocket spending reached the cap, among the Part D enrollees of that year.
        The subsidy is an enrollment status: an enrollee in it whose fills it paid nothing towards is still in it."""
        enrolled = {(pid, y) for pid, b in benes.items() for y, _ in b.months_d
                    if y not in {year for year, _ in b.months_lis}}
        reached = sum(1 for key in enrolled if self.part_d_pay.get(key, 0.0) >= PART_D_CAP - 0.005)
        return range_row(GROUP, "non-LIS Part D enrollees reaching $2,000", 0.04, 0.08, _share(reached, len(enrolled)))

    def _facility_ratio(self) -> Row:
        """99213 allowed at a facility (POS 19/21/22) over in the office (2025 PFS: ≈$65 against ≈$90)."""
        office, facility = self.fee_by_site["office"], self.fee_by_site["facility"]
        ratio = (sum(facility) / len(facility)) / (sum(office) / len(office)) if office and facility else None
        return range_row(GROUP, "99213 facility / office fee", 0.6, 0.85, ratio, percent=False)

    def _spending(self, benes: dict[str, _Bene], ffs_ids: set[str], ffs_years: float) -> list[Row]:
        ffs = list(ffs_ids)
        if not ffs or not ffs_years:
            return []
        totals = {pid: sum(self.spending[pid][s] for s in PART_A_AND_B) for pid in ffs}
        rows = [range_row(GROUP, "A+B payment per FFS person-year", *A_AND_B_RANGE,
                          sum(totals.values()) / ffs_years, percent=False)]
        for sector in PART_A_AND_B:
            low, high = SECTOR_RANGES[sector]
            per_year = sum(self.spending[pid][sector] for pid in ffs) / ffs_years
            rows.append(range_row(GROUP, f"{sector} payment per FFS person-year", low, high, per_year, percent=False))
        ranked = sorted(totals.values(), reverse=True)
        top = ranked[:max(1, round(len(ranked) * 0.05))]
        whole = sum(ranked)
        # top 5% hold 41.5% (2007-2018, S9; CBO 43% in 2001)
        rows.append(range_row(GROUP, "top 5% share of A+B spending", 0.40, 0.45, sum(top) / whole if whole else None))
        dead = [totals[pid] for pid in ffs if benes[pid].death is not None]
        alive = [totals[pid] for pid in ffs if benes[pid].death is None]
        ratio = (sum(dead) / len(dead)) / (sum(alive) / len(alive)) if dead and alive and sum(alive) else None
        # $34,529 vs $9,121 per capita in 2014: 3.8 (KFF, S11)
        rows.append(range_row(GROUP, "decedent / survivor spending", 3.0, 4.5, ratio, percent=False))
        return rows
