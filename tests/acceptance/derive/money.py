"""Money figures, each from its published definition.

- Spending: Medicare's payment (EOB `payment.amount`) on Part A and B claims (inpatient, outpatient, carrier, SNF,
  HHA, hospice, DME) of fee-for-service beneficiaries, per FFS person-year (months with Parts A and B and no
  Part C, alive, over 12), in total and by sector (MedPAC/CMS per-capita FFS spending).
- Concentration: the share of A+B payments held by the costliest 5% of FFS beneficiaries (Riley, CBO: ranked
  persons, zero-spenders counted). Decedents: mean A+B payment of FFS beneficiaries who died in the period over
  that of survivors (KFF 2016).
- Outliers: inpatient claims with an approved outlier payment (NCH_DRG_OUTLIER_APRVD_PMT_AMT > 0), and claims
  paying over $50,000, per inpatient claim; approved outlier payments over all inpatient claims' payments.
- Cost sharing by law (42 CFR 410.152(l), SSA §1833(a)(1)(D)/(b)(3)): a Part B line (carrier or outpatient) of
  a preventive service or of a test paid on the clinical laboratory fee schedule carries no deductible or
  coinsurance; the share of such lines that carry some.
- Insulin (IRA §11406): a fill's patient pay at most $35 per month's supply (30 days; ceil(days/30)).
- Part D 2025 cap: enrollees without the low-income subsidy in the year (Part D cost-sharing group 09 all year,
  CSTSHR_CD) whose true out-of-pocket spending reached $2,000; of every enrollee's fills after their TrOOP
  (patient pay + other TrOOP + low-income subsidy) reached it, in date order, the share with gross drug cost
  above the out-of-pocket threshold.
- Hospital clinic visits (OPPS since CY2014): outpatient lines under revenue centre 051x billed G0463.
- The facility / non-facility PFS difference: mean allowed of carrier 99213 lines at a facility place of service
  over that at the office (POS 11).
"""
from __future__ import annotations

import math
from collections import defaultdict

SECTORS = ("inpatient", "outpatient", "carrier", "snf", "hha", "hospice", "dme")
PART_B_LINES = ("carrier", "outpatient")
FACILITY_POS = frozenset({"19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61"})
"""Places of service paid at the PFS facility rate (CMS PFS Relative Value Files, POS facility list)."""

# Preventive services without cost sharing in Original Medicare (realism-detail.md §6; medicare.gov coverage pages)
FLU_PRODUCTS = frozenset([*map(str, range(90653, 90669)), "90672", "90673", "90674", "90682",
                          *map(str, range(90685, 90690)), "90694", "90756", "Q2035", "Q2036", "Q2037", "Q2038",
                          "Q2039"])
PREVENTIVE = frozenset({
    "G0402", "G0403", "G0404", "G0405", "G0438", "G0439",                      # IPPE (+ECG), annual wellness visit
    "G0008", "G0009", "G0010", "90670", "90671", "90677", "90732",              # vaccine administration, pneumococcal
    *map(str, range(90739, 90748)), *map(str, range(91304, 91323)), "90480", "M0201",   # hepatitis B, COVID-19
    "77067", "77063", "G0121", "G0105", "G0104", "G0106", "G0328",              # mammography, colorectal screening
    "G0101", "Q0091", "G0102", "G0442", "G0443", "G0444", "G0446", "G0447", "G0296", "71271", "76706",
    "G0117", "G0118", "97802", "97803", "97804", "G0270", "G0108", "G0109", "G0473", "99406", "99407",
    "G0472", "G0475", "G0476",
}) | FLU_PRODUCTS


def covid_administration(code: str) -> bool:
    return len(code) == 5 and code.endswith("A") and code[:4].isdigit() and 1 <= int(code[:4]) <= 174


def clinical_lab(code: str) -> bool:
    """Paid on the clinical laboratory fee schedule: CPT 80047-89398 except anatomic pathology (88000-88399, on the
    PFS), specimen collection 36415/36416, lab travel P9603/P9604, screening PSA G0103."""
    if code in ("36415", "36416", "P9603", "P9604", "G0103"):
        return True
    return code.isdigit() and 80047 <= int(code) <= 89398 and not 88000 <= int(code) <= 88399


def _share(part, whole):
    return part / whole if whole else None


def spending(data) -> dict[str, float | None]:
    ffs = {pid for pid, p in data.people.items() if p.ffs_months}
    years = sum(data.people[pid].ffs_months for pid in ffs) / 12
    paid: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for claim in data.claims:
        if claim.kind in SECTORS and claim.patient in ffs:
            paid[claim.patient][claim.kind] += claim.payment
    out: dict[str, float | None] = {}
    totals = sorted((sum(paid[pid].values()) for pid in ffs), reverse=True)
    out["A+B payment per FFS person-year"] = sum(totals) / years if years else None
    for sector in SECTORS:
        out[f"{sector} payment per FFS person-year"] = (sum(paid[pid][sector] for pid in ffs) / years
                                                        if years else None)
    top = max(1, round(0.05 * len(totals))) if totals else 0
    out["top 5% share of A+B spending"] = _share(sum(totals[:top]), sum(totals))
    dead = [sum(paid[pid].values()) for pid in ffs if data.people[pid].death is not None]
    alive = [sum(paid[pid].values()) for pid in ffs if data.people[pid].death is None]
    out["decedent / survivor spending"] = (
        (sum(dead) / len(dead)) / (sum(alive) / len(alive)) if dead and alive and sum(alive) else None)
    return out


def rules(data) -> dict[str, float | None]:
    stays = [c for c in data.claims if c.kind == "inpatient"]
    preventive = [0, 0]
    lab = [0, 0]
    clinic = [0, 0]
    fee = {"office": [], "facility": []}
    for claim in data.claims:
        if claim.kind not in PART_B_LINES:
            continue
        for line in claim.lines:
            code = line.hcpcs
            shared = line.cost_sharing > 0.005
            if clinical_lab(code):
                lab[0] += 1
                lab[1] += shared
            elif code in PREVENTIVE or covid_administration(code):
                preventive[0] += 1
                preventive[1] += shared
            if claim.kind == "outpatient" and line.revenue[:3] == "051":
                clinic[0] += 1
                clinic[1] += code == "G0463"
            if claim.kind == "carrier" and code == "99213":
                site = "office" if line.pos == "11" else "facility" if line.pos in FACILITY_POS else None
                if site:
                    fee[site].append(line.allowed)
    office, facility = fee["office"], fee["facility"]
    return {
        "preventive lines with cost sharing": _share(preventive[1], preventive[0]),
        "clinical lab lines with cost sharing": _share(lab[1], lab[0]),
        "outpatient clinic visits billed G0463": _share(clinic[1], clinic[0]),
        "99213 facility / office fee": (sum(facility) / len(facility)) / (sum(office) / len(office))
        if office and facility and sum(office) else None,
        "inpatient stays with an outlier payment": _share(sum(c.outlier > 0 for c in stays), len(stays)),
        "outlier share of inpatient payments": sum(c.outlier for c in stays) / paid if (paid := sum(
            c.payment for c in stays)) else None,
        "inpatient payments over $50,000": _share(sum(c.payment > 50_000 for c in stays), len(stays)),
        **part_d(data),
    }


def part_d(data) -> dict[str, float | None]:
    fills: dict[tuple[str, int], list] = defaultdict(list)
    insulin = [0, 0]
    for claim in data.claims:
        if claim.kind != "pde" or claim.first is None:
            continue
        fills[(claim.patient, claim.first.year)].append(claim)
        if "INSULIN" in claim.drug.upper():
            months = math.ceil(max(claim.days_supply or 30, 1) / 30 - 1e-9)
            insulin[0] += 1
            insulin[1] += claim.patient_pay > 35 * months + 0.005
    after = catastrophic = 0
    troop: dict[tuple[str, int], float] = {}
    for key, group in fills.items():
        spent = 0.0
        for fill in sorted(group, key=lambda c: c.first):
            if spent >= 2000 - 0.005:
                after += 1
                catastrophic += fill.above_threshold > 0
            spent += fill.patient_pay + fill.other_troop + fill.lics
        troop[key] = spent
    non_lis = [(pid, year) for pid, person in data.people.items() for year in person.part_d_years
               if year not in person.lis_years]
    reached = sum(troop.get(key, 0.0) >= 2000 - 0.005 for key in non_lis)
    enrolled = len(non_lis)
    return {
        "insulin fills over $35 a month": _share(insulin[1], insulin[0]),
        "non-LIS Part D enrollees reaching $2,000": _share(reached, enrolled),
        "fills past the OOP cap with catastrophic cost": _share(catastrophic, after),
    }
