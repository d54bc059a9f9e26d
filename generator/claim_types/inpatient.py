"""Inpatient: a hospital's claim for an admission (UB-04), paid by its MS-DRG under the IPPS; inpatient rehabilitation
facilities (by CMG) and long-term care hospitals (by MS-LTC-DRG) bill the same claim type under their own PPS."""
from .common import (ACTION, ADMISSION, ADMISSION_SOURCE, ADMISSION_TYPE, BLOOD, DRG,
                     INPATIENT_BALANCE, INSTITUTIONAL_SHAPE,
                     INSTITUTIONAL_TAIL, IPPS_ADD_ONS, MCO_PAID, PATIENT_STATUS, RECEIVED, REVENUE_CHARGES,
                     institutional_header)
from .shape import FhirShape
from .spec import ClaimType, Diagnoses, DrgPayment, ExcludedHospital, RevenueShare, StayRounds, Target, TypeOfBill

SPEC = ClaimType(
    name="inpatient",
    rank=0,
    form="institutional",
    ids="claim",
    pricing=DrgPayment(
        base_rate="inpatient_base_rate", sigma=0.15, charge_ratio=(3.0, 2.0), coinsurance_days=(60, 90),
        coinsurance_day="part_a_coinsurance_day", fixed_loss="ipps_fixed_loss",
        # a stay's cost around its DRG payment: spread and growth with its days past the DRG's mean, set so ≈2-3%
        # of stays earn an outlier and outliers are ≈5.1% of IPPS payments (FY2025 target, 89 FR 80405)
        cost_sigma=0.3, cost_per_day=1.3, cost_days_cap=4.0,
        revenue=(
            RevenueShare("0120", 0.34, units="days"),     # room and board, semi-private
            RevenueShare("0250", 0.16),                    # pharmacy
            RevenueShare("0300", 0.12),                    # laboratory
            RevenueShare("0320", 0.06, chance=0.5),        # radiology
            RevenueShare("0450", 0.05, when="emergency"),  # emergency room
            RevenueShare("0360", 0.18, when="procedure"),  # operating room
            RevenueShare("0730", 0.03, chance=0.5),        # EKG
            RevenueShare("0410", 0.06, chance=0.5),        # respiratory services
            RevenueShare("0200", 0.20, when="icu"),        # intensive care
            RevenueShare("0278", 0.15, when="implant"),    # implants
            RevenueShare("0370", 0.04, when="procedure"),  # anesthesia
            RevenueShare("0350", 0.05, chance=0.4),        # CT scan
            RevenueShare("0270", 0.04, chance=0.6),        # medical/surgical supplies
        ),
        excluded=(
            # an IRF: the CMG's HIPPS code on the 0024 line (no charge), rehabilitation room and board and the three
            # therapies every day (the IRF's intensive-therapy rule, 42 CFR 412.622(a)(3)); outliers ≈3% of IRF
            # payments (the FY2025 IRF PPS final rule's target)
            ExcludedHospital("irf", "irf_conversion_factor", "irf_fixed_loss", cost_sigma=0.25, hipps_revenue="0024",
                             revenue=(
                                 RevenueShare("0024", 0.0, units="days"),   # IRF PPS: the CMG line, its covered days
                                 RevenueShare("0128", 0.45, units="days"),  # room and board, rehabilitation
                                 RevenueShare("0420", 0.15),                # physical therapy
                                 RevenueShare("0430", 0.14),                # occupational therapy
                                 RevenueShare("0440", 0.06, chance=0.6),    # speech-language pathology
                                 RevenueShare("0250", 0.10),                # pharmacy
                                 RevenueShare("0300", 0.06),                # laboratory
                                 RevenueShare("0270", 0.04, chance=0.6),    # medical/surgical supplies
                             )),
            # an LTCH: room and board, respiratory care, pharmacy, labs for a long medically complex stay; high-cost
            # outliers past the LTCH's own (large) fixed-loss amount
            ExcludedHospital("ltch", "ltch_federal_rate", "ltch_fixed_loss", cost_sigma=0.45, revenue=(
                RevenueShare("0120", 0.40, units="days"),      # room and board, semi-private
                RevenueShare("0410", 0.18),                    # respiratory services
                RevenueShare("0250", 0.18),                    # pharmacy
                RevenueShare("0300", 0.10),                    # laboratory
                RevenueShare("0200", 0.15, chance=0.3),        # intensive care
                RevenueShare("0420", 0.05, chance=0.7),        # physical therapy
                RevenueShare("0270", 0.06, chance=0.7),        # medical/surgical supplies
            )),
        )),
    fhir=FhirShape(
        profile="ExplanationOfBenefit-Inpatient-Institutional", eob_type="INPATIENT", category="institutional",
        nch_type="60", subtype="inpatient", coverage_part="a", diagnosis_style="institutional",
        header=institutional_header("V", ACTION, *IPPS_ADD_ONS),
        supporting_info=(PATIENT_STATUS, ADMISSION, ADMISSION_TYPE, ADMISSION_SOURCE, DRG, MCO_PAID,
                         *INSTITUTIONAL_TAIL, RECEIVED, BLOOD),
        line_amounts=REVENUE_CHARGES, balances=INPATIENT_BALANCE, poa=True, procedures=True, hcpcs_cd_coding=True,
        revenue_deductible_coding=True, **INSTITUTIONAL_SHAPE),
    diagnoses=Diagnoses(limit=25, other_role="other", present_on_admission="Y", admitting=True),
    type_of_bill=TypeOfBill(facility="1", classification="1"),
    # the attending sees the patient every day (initial, subsequent, discharge-day care, by the national level
    # mix); most stays also have a consultant of the principal diagnosis's specialty, who follows the patient
    # daily. Inpatient E/M runs ≈2.8-3.0 services per FFS beneficiary-year, 57% of them 99232/99233
    # (realism-detail.md §1, S1 2023)
    rounds=StayRounds(claim_type="carrier", first="inpatient_initial", later="inpatient_subsequent", pos="21",
                      offset=0, every=1, per_stay=0, diagnoses=3, discharge="discharge", consult_share=0.6,
                      consult_every=1, consultants=(
                          ("I6", "13"), ("I", "06"), ("J", "29"), ("N", "39"), ("K", "10"), ("C", "83"),
                          ("E", "46"), ("S", "20"), ("M", "20"), ("A", "11"), ("", "11"))),
    ccw_claims=1,
    target=Target("inpatient_admissions_per_1000", "claims", "ffs_years", scale=1000),
)
