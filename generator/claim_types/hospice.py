"""Hospice: a hospice's monthly claim (UB-04) for routine home care days, paid per day, no cost sharing."""
from .spec import Billed, ClaimType, DailyRate, Diagnoses, TypeOfBill

SPEC = ClaimType(
    name="hospice",
    rank=3,
    form="institutional",
    ids="claim",
    pricing=DailyRate(rate="hospice_rhc_per_diem", sigma=0.05, charge_markup=1.5),
    diagnoses=Diagnoses(limit=25, other_role="other"),
    type_of_bill=TypeOfBill(facility="8", classification="1", interim=("2", "3", "4")),
    episode=(Billed(revenue="0651", hcpcs="Q5001", per="day"),),   # routine home care
)
