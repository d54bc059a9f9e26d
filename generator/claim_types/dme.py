"""DME: a durable medical equipment supplier's Part B claim (DME MAC), paid from the DMEPOS fee schedule."""
from .spec import ClaimType, Diagnoses, FeeSchedule

SPEC = ClaimType(
    name="dme",
    rank=6,
    form="professional",
    ids="claim",
    pricing=FeeSchedule(sigma=0.12, charge_markup=1.4, referred_by_performer=True),
    diagnoses=Diagnoses(limit=12, other_role="secondary"),
    visit_billing="supplier",
)
