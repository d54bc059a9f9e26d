"""SNF: a skilled nursing facility's claim for a stay after a qualifying hospital stay (UB-04), paid per day."""
from .spec import ClaimType, Diagnoses, RevenueShare, StayPerDiem, StayRounds, TypeOfBill

SPEC = ClaimType(
    name="snf",
    rank=1,
    form="institutional",
    ids="claim",
    pricing=StayPerDiem(
        per_diem="snf_per_diem", sigma=0.1, charge_ratio=(1.3, 0.7), coinsurance_days=(20, 100),
        coinsurance_day="snf_coinsurance_day",
        revenue=(
            RevenueShare("0022", 0.0),                     # SNF PPS (the HIPPS line)
            RevenueShare("0191", 0.7, units="days"),       # room and board, skilled nursing
            RevenueShare("0420", 0.2),                     # physical therapy
            RevenueShare("0250", 0.1),                     # pharmacy
        )),
    diagnoses=Diagnoses(limit=25, other_role="other", admitting=True),
    type_of_bill=TypeOfBill(facility="2", classification="1"),
    rounds=StayRounds(claim_type="carrier", first="99309", later="99309", pos="31", offset=1, every=10, per_stay=0,
                      diagnoses=2),      # nursing facility visits every ten days
    ccw_claims=1,
)
