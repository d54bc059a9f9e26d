"""Carrier: a physician or other professional's Part B claim (CMS-1500), paid from the fee schedule."""
from .common import CARRIER_LINE, PROFESSIONAL_HEADS, PROFESSIONAL_REASONS, PROFESSIONAL_SHAPE, professional_header
from .shape import CareTeam, FhirShape
from .spec import ClaimType, Diagnoses, FeeSchedule, Target

SPEC = ClaimType(
    name="carrier",
    rank=5,
    form="professional",
    ids="claim",
    pricing=FeeSchedule(sigma=0.12, charge_markup=1.4, site_of_service=True, asc_specialty="49"),
    fhir=FhirShape(
        profile="ExplanationOfBenefit-Professional-NonClinician", eob_type="CARRIER", category="professional",
        nch_type="71", coverage_part="b", diagnosis_style="professional", line_amounts=CARRIER_LINE,
        header=professional_header("O", "part_b"),
        care_team=CareTeam(heads=PROFESSIONAL_HEADS, heads_qualified=False, performers_credentialed=True,
                           line_performers=True, billing_primary=True, performer_type=True),
        provider="billing_npi", disposition="1",
        line_units="carr_line_mtus", pricing_location=True, line_reasons=PROFESSIONAL_REASONS, **PROFESSIONAL_SHAPE),
    diagnoses=Diagnoses(limit=12, other_role="secondary"),
    visit_billing="performer",
    ccw_claims=2,
    target=Target("carrier_claims_per_bene", "claims", "ffs_years"),
)
