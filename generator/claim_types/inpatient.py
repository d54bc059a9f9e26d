"""Inpatient: a hospital's claim for an admission (UB-04), paid by its MS-DRG under the IPPS."""
from .spec import ClaimType, Diagnoses, DrgPayment, RevenueShare, StayRounds, TypeOfBill

SPEC = ClaimType(
    name="inpatient",
    rank=0,
    form="institutional",
    ids="claim",
    pricing=DrgPayment(
        base_rate="inpatient_base_rate", sigma=0.15, charge_ratio=(3.0, 2.0), coinsurance_days=(60, 90),
        coinsurance_day="part_a_coinsurance_day",
        revenue=(
            RevenueShare("0120", 0.34, units="days"),     # room and board, semi-private
            RevenueShare("0250", 0.16),                    # pharmacy
            RevenueShare("0300", 0.12),                    # laboratory
            RevenueShare("0320", 0.06, chance=0.5),        # radiology
            RevenueShare("0450", 0.05, when="emergency"),  # emergency room
            RevenueShare("0360", 0.18, when="procedure"),  # operating room
            RevenueShare("0730", 0.03, chance=0.5),        # EKG
            RevenueShare("0410", 0.06, chance=0.5),        # respiratory services
        )),
    diagnoses=Diagnoses(limit=25, other_role="other", present_on_admission="Y", admitting=True),
    type_of_bill=TypeOfBill(facility="1", classification="1"),
    rounds=StayRounds(claim_type="carrier", first="99223", later="99232", pos="21", offset=0, every=0, per_stay=3,
                      diagnoses=3),      # hospitalist visits: initial, then subsequent hospital care
    ccw_claims=1,
)
