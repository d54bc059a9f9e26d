"""The real range of each acceptance figure, with its source (issue 14's "What was measured" names the figure;
shared/reference/realism.md and realism-detail.md give the published value). (low, high, shown as a percent,
source). A figure counted in a dataset of fewer than 5,000 beneficiaries (the vocabulary sizes, distinct DRGs)
is judged only at 5,000 or more.
"""
from __future__ import annotations

D = "realism-detail.md"
RANGES: dict[str, tuple[float, float, bool, str]] = {
    # money
    "preventive lines with cost sharing": (0, 0, True, "42 CFR 410.152(l): none by law"),
    "clinical lab lines with cost sharing": (0, 0, True, "SSA §1833(a)(1)(D), (b)(3): none by law"),
    "insulin fills over $35 a month": (0, 0.02, True, "IRA: ≤$35 per month's supply from 2023"),
    "non-LIS Part D enrollees reaching $2,000": (0.04, 0.08, True, "issue 14: ≈4–8% (2025 redesign)"),
    "fills past the OOP cap with catastrophic cost": (0.95, 1.0, True, "2025: catastrophic phase after the cap"),
    "outpatient clinic visits billed G0463": (0.9, 1.0, True, "OPPS CY2014 (78 FR 74826)"),
    "99213 facility / office fee": (0.6, 0.85, False, "2025 PFS: ≈$65 facility vs ≈$90 office"),
    "inpatient stays with an outlier payment": (0.02, 0.05, True, "IPPS FY2025: 5.1% of payments (89 FR 80405)"),
    "outlier share of inpatient payments": (0.03, 0.08, True, "IPPS FY2025: outliers 5.1% of payments (89 FR 80405)"),
    "inpatient payments over $50,000": (0.005, 0.05, True, "issue 14: payments above $50k exist"),
    "A+B payment per FFS person-year": (12500, 13500, False, f"{D} §4.1: ≈$13,100 (2022)"),
    "inpatient payment per FFS person-year": (2800, 3800, False, f"{D} §4.1: ≈$3,200–3,400"),
    "outpatient payment per FFS person-year": (2000, 3000, False, f"{D} §4.1: ≈$2,400–2,800"),
    "carrier payment per FFS person-year": (2700, 3700, False, f"{D} §4.1: ≈$3,170 (lower bound)"),
    "snf payment per FFS person-year": (650, 1000, False, f"{D} §4.1: ≈$820"),
    "hha payment per FFS person-year": (350, 600, False, f"{D} §4.1: ≈$460"),
    "hospice payment per FFS person-year": (500, 850, False, f"{D} §4.1: ≈$670"),
    "dme payment per FFS person-year": (200, 350, False, f"{D} §4.1: ≈$250–300"),
    "top 5% share of A+B spending": (0.40, 0.45, True, f"{D} §4.2: 41.5% (S9), CBO 43%"),
    "decedent / survivor spending": (3.0, 4.5, False, f"{D} §4.2: 3.8 (KFF 2014)"),
    # time
    "weekend share of office E/M lines": (0.02, 0.06, True, f"{D} §5: Sat 1.5% + Sun 0.5%; issue 14 ≈3–5%"),
    "flu shots given Sep-Dec": (0.75, 0.97, True, f"{D} §5: Sep 20, Oct 45, Nov 18, Dec 7%"),
    "admissions per day, winter / summer": (1.03, 1.25, False, f"{D} §5: winter ≈+12–15%"),
    "processing lag median (days)": (10, 25, False, f"{D} §5: median ≈18–25 days (carrier)"),
    "processing lag p99 (days)": (60, 365, False, f"{D} §5: tail to the 12-month filing limit"),
    "Dec 31 discharges / daily average": (0, 2, False, f"{D} §5: stays open at the end are still a patient"),
    # ambulatory
    "office E/M per FFS bene-year": (5.0, 7.5, False, f"{D} §1: 7.1–7.5 (PUF 2023); issue 14 ≈6"),
    "distinct carrier clinicians per user": (3.0, 10.0, False, "Pham et al. NEJM 2007: 2 PCPs + 5 specialists"),
    "same-day repeat office E/M, one clinician": (0, 0.005, True, "IOM 100-04 ch. 12 §30.6.7"),
    "new-patient E/M after a visit within 3 years": (0, 0, True, "CPT new-patient rule"),
    "new-patient share of office E/M": (0.07, 0.16, True, f"{D} §1: new : established ≈ 1 : 8.2"),
    "99212 share of established office E/M": (0.02, 0.05, True, f"{D} §1: 3.4%"),
    "99213 share of established office E/M": (0.30, 0.45, True, f"{D} §1: 37.5%"),
    "99214 share of established office E/M": (0.45, 0.62, True, f"{D} §1: 53.1%"),
    "99215 share of established office E/M": (0.04, 0.08, True, f"{D} §1: 5.9%"),
    "flu administrations per user-season": (1.0, 1.05, False, f"{D} §6: one per flu season"),
    "flu administrations with a product line": (0.95, 1.0, True, "G0008 is billed with its vaccine"),
    "AWVs within 11 months of the last": (0, 0, True, "42 CFR 410.15: 11 full months after the last"),
    "screening mammograms on men": (0, 0, False, "MCE sex edit"),
    "screening PSA tests on women": (0, 0, False, "MCE sex edit"),
    "CPAP users without sleep apnea": (0, 0, True, "LCD L33718"),
    "INR users without anticoagulant or AF/VTE": (0, 0.1, True, "INR monitors anticoagulation"),
    "type 1 diabetics on Part D without insulin": (0, 0.05, True, "ADA standards of care"),
    "carrier lines with a modifier": (0.2, 0.4, True, "issue 14: 25, 26/TC, GP, RT/LT… on ≈20–40%"),
    "distinct carrier HCPCS per 5,000 benes": (300, 3000, False, f"{D} Appendix B: 500 codes above the PUF cut"),
    "distinct ICD-10-CM codes per 5,000 benes": (1000, 12000, False, "issue 14: thousands billed"),
    "derm/chiro claims with a heart or lung chronic code": (0, 0.02, True, "issue 14: dx follow the specialty"),
    # acute and post-acute
    "30-day readmission rate": (0.13, 0.18, True, f"{D} §4.2: 15.4% (MedPAC), 15.0% hospital-wide"),
    "FFS beneficiaries with a stay": (0.12, 0.16, True, "realism.md §3: 13% non-dual, 22% dual"),
    "stays per user": (1.5, 1.9, False, f"{D} §2: ≈1.7"),
    "DRG 871 share of stays": (0.05, 0.10, True, f"{D} §2.1: ≈6.7–7.4%"),
    "distinct DRGs (5,000+ beneficiaries)": (150, 500, False, f"{D} §2.2"),
    "hospice discharge → hospice claim in 7 days": (0.8, 1.0, True, "discharge status 50/51 means hospice"),
    "transfer → receiving stay": (0.8, 1.0, True, "status 02: a stay at the receiving hospital"),
    "SNF discharge → SNF claim": (0.8, 1.0, True, "status 03: a SNF stay"),
    "left against medical advice": (0.005, 0.02, True, "realism.md: 07 ≈1%"),
    "hospice users with a live discharge": (0.12, 0.22, True, f"{D} §4.3: 18.1% of discharges live"),
    "cancer share of hospice users": (0.2, 0.3, True, "MedPAC: ≈25% of hospice users"),
    "surgical stays with a surgeon's claim": (0.9, 1.0, True, "a surgeon bills the operation"),
    "surgical stays with an anesthesia claim": (0.8, 1.0, True, "anesthesia bills most operations"),
    "office, clinic and ED visits inside a stay": (0, 0.001, True, "a Part B visit cannot happen in a hospital bed"),
    "dialysis claims on type of bill 72x": (1.0, 1.0, True, "NUBC: dialysis facilities bill 72x"),
    "people with N18.6 without ESRD or dialysis": (0, 0, False, "N18.6 means dialysis or a transplant"),
    # institutional
    "SNF/HHA PPS lines with a valid HIPPS code": (1.0, 1.0, True, "PDPM (83 FR 39162), PDGM (83 FR 56406)"),
    "HHA/hospice visit lines dated in their period": (1.0, 1.0, True, "a visit is billed on its own day"),
    "visits per 30-day home health period": (6.0, 11.0, False, "MedPAC March 2024: 8.6 in-person visits"),
    "hospice visits per week of care": (2.5, 5.5, False, "MedPAC March 2024: 3.9 visits a week"),
    "carrier claims in a hospice election with GV/GW": (0.9, 1.0, True, "CMS IOM 100-04 ch. 11 §40.1.3"),
    "DME lines with more than one unit": (0.15, 0.7, True, "DMEPOS supplies billed in their HCPCS units"),
    # fidelity
    **{f"golden fields present: {kind}": (0.9, 1.0, True, "issue 14 bar: ≥90% of BFD's golden fields")
       for kind in ("carrier", "dme", "hha", "hospice", "inpatient", "outpatient", "pde", "snf")},
    "strict-R4 errors (empty, null)": (0, 0, False, "FHIR R4 JSON: no empty arrays, objects, strings, nulls"),
}
JUDGED_AT = 5000
SIZE_DEPENDENT = frozenset({"distinct carrier HCPCS per 5,000 benes", "distinct ICD-10-CM codes per 5,000 benes",
                            "distinct DRGs (5,000+ beneficiaries)"})
