"""HHA: a home health agency's claim for one 30-day period of care (UB-04, home health PPS), no cost sharing."""
from .common import (ADMISSION_START, HHA_BALANCE, HHA_LINE, HOME_HEALTH_SHAPE, INSTITUTIONAL_TAIL,
                     PPS, RECEIVED, REVENUE_REASONS, institutional_header)
from .derived import LUPA_CODE
from .shape import Category, Code, FhirShape, Info, Quantity
from .spec import Billed, ClaimType, Diagnoses, PeriodPayment, Target, TypeOfBill
from .values import Const, Key

SPEC = ClaimType(
    name="hha",
    rank=2,
    form="institutional",
    ids="claim",
    pricing=PeriodPayment(rate="hha_period", low_use_factor=0.35, sigma=0.15, charge_markup=1.5),
    fhir=FhirShape(  # BFD quirks kept: a "professional" claim with the professional profile, an inpatient subtype
        profile="ExplanationOfBenefit-Professional-NonClinician", eob_type="HHA", category="professional",
        nch_type="10", subtype="inpatient", coverage_part="b", diagnosis_style="professional",
        header=institutional_header("W"),
        supporting_info=(
            RECEIVED, *INSTITUTIONAL_TAIL, PPS,
            Info(Category("clm_hha_lupa_ind_cd"), Code("clm_hha_lupa_ind_cd", LUPA_CODE)),
            Info(Category("clm_hha_rfrl_cd"), Code("clm_hha_rfrl_cd", Key("hha_referral"))),
            Info(Category("clm_hha_tot_visit_cnt"), Quantity(Key("hha_visits"))),
            ADMISSION_START),
        line_amounts=HHA_LINE, balances=HHA_BALANCE, line_date=True, revenue_deductible_coding=True,
        revenue_status=Const("A"), line_reasons=REVENUE_REASONS[:1], **HOME_HEALTH_SHAPE),
    diagnoses=Diagnoses(limit=25, other_role="secondary"),
    type_of_bill=TypeOfBill(facility="3", classification="2", frequency="9"),   # 0329: a period's final claim
    episode=(Billed(revenue="0023", hcpcs=""),),     # the period's PPS line: its HCPCS is the PDGM HIPPS code
    hipps="pdgm", visits="hha",                       # then a line per visit, by discipline, on its day
    ccw_claims=1,
    target=Target("hha_users", "users", "ffs_years", percent=True),
)
