"""PDE: a Part D prescription drug event, one pharmacy fill (NCPDP), paid by the enrollee's Part D plan."""
from .common import PDE_LINE, PHARMACY_INFO, PHARMACY_TEAM, PHARMACY_TOTAL
from .shape import FhirShape
from .spec import ClaimType, DrugFill, Target

SPEC = ClaimType(
    name="pde",
    rank=7,
    form="pharmacy",
    ids="pde",
    pricing=DrugFill(sigma=0.12, lis_copays=("part_d_lis_generic", "part_d_lis_brand"),
                     brand_daw_chance=0.2, pay_lag_days=14, pharmacy_type="01", drug_coverage="C"),
    fhir=FhirShape(
        profile="ExplanationOfBenefit-Pharmacy", eob_type="PDE", category="pharmacy", nch_type=None, subtype=None,
        coverage_part="d", id_variable="pde_id", diagnosis_style="professional", header=(),
        supporting_info=PHARMACY_INFO, line_amounts=PDE_LINE, totals=PHARMACY_TOTAL, care_team=PHARMACY_TEAM,
        provider="npi", facility="pharmacy", payment="date", products="ndc"),
    target=Target("pde_fills_per_enrollee", "claims", "part_d_years"),
)
