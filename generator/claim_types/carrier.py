"""Carrier: a physician or other professional's Part B claim (CMS-1500), paid from the fee schedule."""
from .spec import ClaimType, Diagnoses, FeeSchedule

SPEC = ClaimType(
    name="carrier",
    rank=5,
    form="professional",
    ids="claim",
    pricing=FeeSchedule(sigma=0.12, charge_markup=1.4),
    diagnoses=Diagnoses(limit=12, other_role="secondary"),
    visit_billing="performer",
    ccw_claims=2,
)
