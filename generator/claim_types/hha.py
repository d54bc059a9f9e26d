"""HHA: a home health agency's claim for one 30-day period of care (UB-04, home health PPS), no cost sharing."""
from .spec import Billed, ClaimType, Diagnoses, PeriodPayment, TypeOfBill

SPEC = ClaimType(
    name="hha",
    rank=2,
    form="institutional",
    ids="claim",
    pricing=PeriodPayment(rate="hha_period", low_use_factor=0.35, sigma=0.15, charge_markup=1.5),
    diagnoses=Diagnoses(limit=25, other_role="secondary"),
    type_of_bill=TypeOfBill(facility="3", classification="2"),
    episode=(
        Billed(revenue="0023", hcpcs="G0299"),
        Billed(revenue="0551", hcpcs="G0299", per="visit", share=0.5),   # skilled nursing visits
        Billed(revenue="0421", hcpcs="G0151", per="visit"),              # physical therapy visits
    ),
    ccw_claims=1,
)
