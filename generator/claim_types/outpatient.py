"""Outpatient: a hospital outpatient department's Part B claim (UB-04): visits, tests, procedures, dialysis."""
from .spec import Billed, ClaimType, Diagnoses, FeeSchedule, Recurring, TypeOfBill

SPEC = ClaimType(
    name="outpatient",
    rank=4,
    form="institutional",
    ids="claim",
    pricing=FeeSchedule(sigma=0.15, charge_markup=1.5, fee_factor=1.9, unit_fees=(("0821", 285.0),)),
    diagnoses=Diagnoses(limit=25, other_role="other"),
    type_of_bill=TypeOfBill(facility="1", classification="3"),
    recurring=Recurring(line=Billed(revenue="0821", hcpcs="90999", per="session"), per_30_days=13),  # dialysis
    visit_billing="hospital",
    ccw_claims=2,
)
