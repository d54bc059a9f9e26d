"""PDE: a Part D prescription drug event, one pharmacy fill (NCPDP), paid by the enrollee's Part D plan."""
from .spec import ClaimType, DrugFill

SPEC = ClaimType(
    name="pde",
    rank=7,
    form="pharmacy",
    ids="pde",
    pricing=DrugFill(sigma=0.12, coinsurance=0.25, brand_daw_chance=0.2, pay_lag_days=14, pharmacy_type="01",
                     drug_coverage="C"),
)
