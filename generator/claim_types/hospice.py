"""Hospice: a hospice's monthly claim (UB-04) for routine home care days, paid per day, no cost sharing."""
from .common import (ADMISSION, HOSPICE_BALANCE, HOSPICE_LINE, INSTITUTIONAL_SHAPE, INSTITUTIONAL_TAIL, PATIENT_STATUS,
                     RECEIVED, institutional_header)
from .shape import Extension, FhirShape
from .spec import Billed, ClaimType, DailyRate, Diagnoses, Target, TypeOfBill
from .values import Key

SPEC = ClaimType(
    name="hospice",
    rank=3,
    form="institutional",
    ids="claim",
    pricing=DailyRate(rate="hospice_rhc_per_diem", sigma=0.05, charge_markup=1.5, tiers="hospice_rates",
                      intensive_revenue=("0551", "0561")),   # the service intensity add-on (42 CFR 418.302)
    fhir=FhirShape(
        profile="ExplanationOfBenefit-Inpatient-Institutional", eob_type="HOSPICE", category="institutional",
        nch_type="50", subtype="inpatient", coverage_part="a", diagnosis_style="institutional",
        header=(*institutional_header("V"), Extension("bene_hospc_prd_cnt", Key("hospice_period"), "quantity")),
        supporting_info=(RECEIVED, PATIENT_STATUS, ADMISSION, *INSTITUTIONAL_TAIL),
        line_amounts=HOSPICE_LINE, balances=HOSPICE_BALANCE, line_date=True, revenue_deductible_coding=True,
        **INSTITUTIONAL_SHAPE),
    diagnoses=Diagnoses(limit=25, other_role="other"),
    type_of_bill=TypeOfBill(facility="8", classification="1", interim=("2", "3", "4")),  # billed monthly: 811, or
    #                                                               812 first, 813 continuing, 814 last
    episode=(Billed(revenue="0651", hcpcs="Q5001", per="day"),),   # routine home care (Q5001 at home; the site's
    #                                                                  Q500x code where the patient lives)
    visits="hospice",                                              # nurse, social worker and aide visit lines
    target=Target("hospice_share_of_decedents", "decedent_users", "ffs_decedents", percent=True),
)
