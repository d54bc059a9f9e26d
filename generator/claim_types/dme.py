"""DME: a durable medical equipment supplier's Part B claim (DME MAC), paid from the DMEPOS fee schedule."""
from .common import DME_LINE, professional_header, PROFESSIONAL_HEADS, PROFESSIONAL_SHAPE
from .shape import CareTeam, FhirShape
from .spec import ClaimType, Diagnoses, FeeSchedule, Target

SPEC = ClaimType(
    name="dme",
    rank=6,
    form="professional",
    ids="claim",
    pricing=FeeSchedule(sigma=0.12, charge_markup=1.4),
    fhir=FhirShape(  # BFD quirks kept: an "institutional" claim on Part A with the inpatient profile
        profile="ExplanationOfBenefit-Inpatient-Institutional", eob_type="DME", category="institutional",
        nch_type="82", coverage_part="a", diagnosis_style="institutional", line_amounts=DME_LINE,
        header=professional_header("M", "dme"),
        care_team=CareTeam(heads=PROFESSIONAL_HEADS, heads_qualified=True, performers_credentialed=True,
                           line_performers=True, supplier_performs=True),
        provider="practitioner", disposition="01",
        line_units="dmerc_line_mtus", supplier_lines=True, **PROFESSIONAL_SHAPE),
    diagnoses=Diagnoses(limit=12, other_role="secondary"),
    visit_billing="supplier",
    target=Target("dme_claims_per_bene", "claims", "ffs_years"),
)
