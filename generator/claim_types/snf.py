"""SNF: a skilled nursing facility's claim for a stay after a qualifying hospital stay (UB-04), paid per day."""
from .common import (ACTION, ADMISSION, ADMISSION_SOURCE, ADMISSION_TYPE, BLOOD, DRG,
                     INSTITUTIONAL_SHAPE, INSTITUTIONAL_TAIL,
                     MCO_PAID, PATIENT_STATUS, PPS, QUALIFYING_STAY, RECEIVED, REVENUE_CHARGES, SNF_BALANCE,
                     institutional_header)
from .shape import Category, FhirShape, Info, TimingDate, TimingSpan
from .values import Key
from .spec import ClaimType, Diagnoses, RevenueShare, StayPerDiem, StayRounds, Target, TypeOfBill

SPEC = ClaimType(
    name="snf",
    rank=1,
    form="institutional",
    ids="claim",
    pricing=StayPerDiem(
        per_diem="snf_per_diem", sigma=0.1, charge_ratio=(1.3, 0.7), coinsurance_days=(20, 100),
        coinsurance_day="snf_coinsurance_day",
        revenue=(
            RevenueShare("0022", 0.0, units="days"),       # SNF PPS: the HIPPS line, its covered days
            RevenueShare("0191", 0.7, units="days"),       # room and board, skilled nursing
            RevenueShare("0420", 0.2),                     # physical therapy
            RevenueShare("0250", 0.1),                     # pharmacy
        )),
    fhir=FhirShape(
        profile="ExplanationOfBenefit-Inpatient-Institutional", eob_type="SNF", category="institutional",
        nch_type="20", subtype="inpatient", coverage_part="a", diagnosis_style="institutional",
        header=institutional_header("V", ACTION),
        supporting_info=(RECEIVED, ADMISSION_TYPE, ADMISSION_SOURCE, DRG, PATIENT_STATUS, ADMISSION, QUALIFYING_STAY,
                         PPS, MCO_PAID, *INSTITUTIONAL_TAIL, BLOOD,
                         Info(Category("nch_bene_mdcr_bnfts_exhtd_dt_i"), TimingDate(Key("benefits_exhausted"))),
                         Info(Category("nch_vrfd_ncvrd_stay_from_dt"), TimingSpan(Key("noncovered_stay")))),
        line_amounts=REVENUE_CHARGES, balances=SNF_BALANCE, procedures=True, revenue_deductible_coding=True,
        **INSTITUTIONAL_SHAPE),
    diagnoses=Diagnoses(limit=25, other_role="other", admitting=True),
    type_of_bill=TypeOfBill(facility="2", classification="1"),
    hipps="pdpm",                                      # the 0022 line bills the stay's PDPM HIPPS code
    # the SNF attending's (or their nurse practitioner's) visits: the initial nursing facility visit the day after
    # admission, subsequent visits every other day [U] and the discharge-day visit, by the 2023 level mix of each
    # family (realism-detail.md §1: 99304-99310 ≈ 1 per FFS beneficiary-year, many of them long-stay residents')
    rounds=StayRounds(claim_type="carrier", first="nursing_initial", later="nursing_subsequent", pos="31", offset=1,
                      every=2, per_stay=0, diagnoses=2, discharge="nursing_discharge"),
    ccw_claims=1,
    target=Target("snf_users", "users", "ffs_years", percent=True),
)
