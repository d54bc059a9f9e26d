"""Carrier: a physician or other professional's Part B claim (CMS-1500), paid from the fee schedule."""
from .common import (CARRIER_LINE, PROFESSIONAL_BALANCE, PROFESSIONAL_HEADER, PROFESSIONAL_HEADS,
                     PROFESSIONAL_LINE_EXTENSIONS, PROFESSIONAL_TOTAL, RECEIVED)
from .shape import CareTeam, Extension, FhirShape
from .spec import ClaimType, Diagnoses, FeeSchedule, Target
from .values import Const

SPEC = ClaimType(
    name="carrier",
    rank=5,
    form="professional",
    ids="claim",
    pricing=FeeSchedule(sigma=0.12, charge_markup=1.4),
    fhir=FhirShape(
        profile="ExplanationOfBenefit-Professional-NonClinician", eob_type="CARRIER", category="professional",
        nch_type="71", subtype=None, coverage_part="b", id_variable="clm_id", diagnosis_style="professional",
        header=(Extension("nch_near_line_rec_ident_cd", Const("O")), *PROFESSIONAL_HEADER),
        supporting_info=(RECEIVED,), line_amounts=CARRIER_LINE, totals=PROFESSIONAL_TOTAL,
        balances=PROFESSIONAL_BALANCE,
        care_team=CareTeam(heads=PROFESSIONAL_HEADS, heads_qualified=False, performers_credentialed=True,
                           line_performers=True, billing_primary=True),
        provider="billing_npi", facility=None, disposition="1", line_extensions=PROFESSIONAL_LINE_EXTENSIONS),
    diagnoses=Diagnoses(limit=12, other_role="secondary"),
    visit_billing="performer",
    ccw_claims=2,
    target=Target("carrier_claims_per_bene", "claims", "ffs_years"),
)
