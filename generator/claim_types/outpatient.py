"""Outpatient: a hospital outpatient department's Part B claim (UB-04): visits, tests, procedures, dialysis."""
from .common import (INSTITUTIONAL_SHAPE, INSTITUTIONAL_TAIL, MCO_PAID, OUTPATIENT_BALANCE, OUTPATIENT_LINE, RECEIVED,
                     REVENUE_REASONS,
                     institutional_header)
from .derived import OPPS_STATUS
from .shape import FhirShape
from .spec import Billed, ClaimType, Diagnoses, FeeSchedule, Recurring, Target, TypeOfBill

SPEC = ClaimType(
    name="outpatient",
    rank=4,
    form="institutional",
    ids="claim",
    pricing=FeeSchedule(sigma=0.15, charge_markup=1.5, unit_fees=(("0821", 285.0),), opps=True),
    fhir=FhirShape(
        profile="ExplanationOfBenefit-Outpatient-Institutional", eob_type="OUTPATIENT", category="institutional",
        nch_type="40", subtype="outpatient", coverage_part="b", diagnosis_style="institutional",
        header=institutional_header("W"), supporting_info=(RECEIVED, MCO_PAID, *INSTITUTIONAL_TAIL),
        line_amounts=OUTPATIENT_LINE, balances=OUTPATIENT_BALANCE, procedures=True, line_date=True,
        revenue_status=OPPS_STATUS, line_reasons=REVENUE_REASONS, visit_reason=True, **INSTITUTIONAL_SHAPE),
    diagnoses=Diagnoses(limit=25, other_role="other"),
    type_of_bill=TypeOfBill(facility="1", classification="3"),
    recurring=Recurring(   # dialysis, billed by dialysis facilities (72x) with ESA lines; the nephrologist's monthly
        #                    capitation claim (90960 4+ visits, 90966 home dialysis) on carrier
        line=Billed(revenue="0821", hcpcs="90999", per="session"), per_30_days=13,
        type_of_bill=TypeOfBill(facility="7", classification="2"),
        drugs=(Billed(revenue="0636", hcpcs="J0882", per="session", share=0.5),
               Billed(revenue="0636", hcpcs="Q5106", per="session", share=0.5)),
        drug_chance=0.75, capitation=("90960", "90960", "90960", "90966")),
    visit_billing="hospital",
    repetitive=("042", "043", "044"),   # physical, occupational and speech therapy: a claim a month
    ccw_claims=2,
    target=Target("outpatient_claims_per_bene", "claims", "ffs_years"),
)
