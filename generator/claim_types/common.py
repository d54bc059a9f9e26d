"""The parts of the ExplanationOfBenefit shape several claim types share (data-model.md §5–§9), named once.

Facts the records do not carry (clearing codes, the primary payer, IPPS add-on amounts) are fixed, realistic
values for a paid, Medicare-primary, original claim, or derived from facts they do (the contractor numbers from
the provider's state); each is named here.
"""
from __future__ import annotations

from dataset_contract.systems import HL7_CODESYSTEM

from .derived import (BILL_CLASSIFICATION, BILL_FREQUENCY, CONTROL_NUMBER, DEDUCTIONS,
                      PATIENT_RESIDENCE, REVENUE_RATE, ADJUSTMENT_REASON, DRG_WEIGHT, PATIENT_SHARE_REASON,
                      contractor, ipps_share, line_sum)
from .shape import (Adjudication, Balance, BlankCode, CareTeam, Category, Code, Concept, Extension, Info, Quantity,
                    InstitutionalShape, ProfessionalShape, TimingDate, TimingPeriod, TimingSpan, Total)
from .values import Const, Key

ZERO = Const(0.0)

# --- header extensions ----------------------------------------------------------------------------------------
def professional_header(near_line: str, contractor_number: str) -> tuple[Extension, ...]:
    """The header extensions of a CMS-1500 claim: the near-line record code, the contractor (carr_num: the
    mac_contractors column, `part_b` for an A/B MAC, `dme` for a DME MAC), then the shared ones."""
    return (Extension("nch_near_line_rec_ident_cd", Const(near_line)),
            Extension("carr_num", contractor(contractor_number), "identifier"),
            Extension("carr_clm_cntl_num", CONTROL_NUMBER, "identifier"),
            Extension("carr_clm_pmt_dnl_cd", Const("1")),       # paid (to the physician or supplier)
            Extension("asgmntcd", Const("A")),                  # assigned claim
            Extension("carr_clm_entry_cd", Const("1")))         # original claim


def institutional_header(near_line: str, *middle: Extension) -> tuple[Extension, ...]:
    """The header extensions of a UB-04 claim: the near-line record code, the type's own, then the shared ones."""
    return (Extension("nch_near_line_rec_ident_cd", Const(near_line)), *middle,
            Extension("fi_doc_clm_cntl_num", CONTROL_NUMBER, "identifier"),
            Extension("fi_clm_proc_dt", Key("processed"), "date"),
            Extension("clm_srvc_clsfctn_type_cd", BILL_CLASSIFICATION),
            Extension("fi_num", contractor("part_a")))


ACTION = Extension("fi_clm_actn_cd", Const("1"))        # original debit action
IPPS_ADD_ONS = tuple(Extension(v, ipps_share(v), "money")
                     for v in ("ime_op_clm_val_amt", "clm_uncompd_care_pmt_amt", "dsh_op_clm_val_amt"))

# --- supportingInfo -------------------------------------------------------------------------------------------
RECEIVED = Info(Category("nch_wkly_proc_dt", carin=("clmrecvddate", "Claim Received Date")),
                TimingDate(Key("processed")))
PATIENT_STATUS = Info(Category("nch_ptnt_stus_ind_cd"), Code("nch_ptnt_stus_ind_cd", Key("patient_status")))
ADMISSION = Info(Category(carin=("admissionperiod", "Admission Period")),
                 TimingPeriod(Key("from_date"), Key("thru_date")))
ADMISSION_START = Info(Category(carin=("admissionperiod", "Admission Period")), TimingPeriod(Key("from_date")))
ADMISSION_TYPE = Info(Category("clm_ip_admsn_type_cd", carin=("admtype", "Information")), Concept(
    Key("admission_type"), "https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit", (
        ("1", "1", "Emergency - The patient required immediate medical intervention as a result of severe, life "
                   "threatening, or potentially disabling conditions. Generally, the patient was admitted through the "
                   "emergency room."),
        ("2", "2", "Urgent - The patient required immediate attention for the care and treatment of a physical or "
                   "mental disorder. Generally, the patient was admitted to the first available, suitable "
                   "accommodation."),
        ("3", "3", "Elective - The patient's condition permitted adequate time to schedule the availability of "
                   "suitable accommodations."))))
ADMISSION_SOURCE = Info(Category("clm_src_ip_admsn_cd"), Code("clm_src_ip_admsn_cd", Key("admission_source")))
DRG = Info(Category("clm_drg_cd"), Code("clm_drg_cd", Key("drg")))
MCO_PAID = Info(Category("clm_mco_pd_sw"), Code("clm_mco_pd_sw", Const("0")))       # no MCO paid the claim
TYPE_OF_BILL = Info(Category(carin=("typeofbill", "Type of Bill")), Code("clm_freq_cd", BILL_FREQUENCY))
DISCHARGE = Info(Category(carin=("discharge-status", "Discharge Status")),  # BFD stores it without its leading zero
                 Code("ptnt_dschrg_stus_cd", Key("discharge_status"), strip_zero=True))
BLOOD = Info(Category("nch_blood_pnts_frnshd_qty"), Quantity(Key("blood_pints", 0), unit=("pint", "[pt_us]")))
PRIMARY_PAYER = Info(Category("nch_prmry_pyr_cd"), BlankCode("nch_prmry_pyr_cd"))  # blank: Medicare is primary
QUALIFYING_STAY = Info(Category("nch_qlfyd_stay_from_dt"), TimingSpan(Key("qualifying_stay")))
PPS = Info(Category("clm_pps_ind_cd"), Code("clm_pps_ind_cd", Const("2")))          # paid under a PPS
INSTITUTIONAL_TAIL = (TYPE_OF_BILL, DISCHARGE, PRIMARY_PAYER)
REVENUE_REASONS = (("rev_cntr_1st_ansi_cd", ADJUSTMENT_REASON), ("rev_cntr_2nd_ansi_cd", PATIENT_SHARE_REASON))
PROFESSIONAL_REASONS = (("carr_line_rdcd_pmt_phys_astn_c", Const("0")),)   # no reduced physician-assistant fee
PHARMACY_INFO = (
    Info(Category(carin=("compoundcode", "Compound Code")), Concept(Key("compound"), HL7_CODESYSTEM + "v3-ActCode", (
        (False, "RXDINV", "Rx dispense invoice"), (True, "RXCINV", "Rx compound invoice")))),
    Info(Category(carin=("refillnum", "Refill Number")), Quantity(Key("refill"))),
    Info(Category(carin=("dayssupply", "Days Supply")), Quantity(Key("days_supply"))),
    Info(Category("drug_cvrg_stus_cd"), Code("drug_cvrg_stus_cd", Key("drug_coverage"))),
    Info(Category("daw_prod_slctn_cd"), Code("daw_prod_slctn_cd", Key("daw"))),
    *(Info(Category(variable), Code(variable, Key(key, ""))) for variable, key in (
        ("dspnsng_stus_cd", "dispensing_status"), ("adjstmt_dltn_cd", "adjustment"), ("nstd_frmt_cd", "format"),
        ("prcng_excptn_cd", "pricing_exception"), ("ctstrphc_cvrg_cd", "catastrophic"))),
    Info(Category(carin=("rxorigincode", "Rx Origin Code")), Code("rx_orgn_cd", Key("origin", "3"))),
    Info(Category(carin=("brandgenericindicator", "Brand Generic Indicator")),
         Code("brnd_gnrc_cd", Key("brand_generic"))),
    Info(Category("ptnt_rsdnc_cd"), Code("ptnt_rsdnc_cd", PATIENT_RESIDENCE)),
    Info(Category("submsn_clr_cd"), Code("submsn_clr_cd", Key("submission_clarification", ""))),
)

# --- adjudication slices of an item ---------------------------------------------------------------------------
CARRIER_LINE = (
    Adjudication("benefit", "line_nch_pmt_amt", Key("paid"), extension=("line_pmt_80_100_cd", "0")),
    Adjudication("paidtopatient", "line_bene_pmt_amt", ZERO),
    Adjudication("paidtoprovider", "line_prvdr_pmt_amt", Key("paid")),
    Adjudication("deductible", "line_bene_ptb_ddctbl_amt", Key("deductible")),
    Adjudication("priorpayerpaid", "line_bene_prmry_pyr_pd_amt", Key("prior_payer")),
    Adjudication("coinsurance", "line_coinsrnc_amt", Key("coinsurance")),
    Adjudication("submitted", "line_sbmtd_chrg_amt", Key("submitted")),
    Adjudication("eligible", "line_alowd_chrg_amt", Key("allowed")),
)
DME_LINE = (
    Adjudication("paidtoprovider", "rev_cntr_prvdr_pmt_amt", Key("paid")),
    Adjudication("eligible", "line_prmry_alowd_chrg_amt", ZERO),
    Adjudication("submitted", "line_dme_prchs_price_amt", Key("submitted")),
    *CARRIER_LINE,
)
REVENUE_CHARGES = (
    Adjudication("submitted", "rev_cntr_rate_amt", REVENUE_RATE),
    Adjudication("submitted", "rev_cntr_tot_chrg_amt", Key("submitted")),
    Adjudication("noncovered", "rev_cntr_ncvrd_chrg_amt", Key("noncovered")),
)
OUTPATIENT_LINE = (
    *REVENUE_CHARGES,
    Adjudication("deductible", "rev_cntr_blood_ddctbl_amt", ZERO),
    Adjudication("deductible", "rev_cntr_cash_ddctbl_amt", Key("deductible")),
    Adjudication("coinsurance", "rev_cntr_coinsrnc_wge_adjstd_c", Key("coinsurance")),
    Adjudication("coinsurance", "rev_cntr_rdcd_coinsrnc_amt", Key("coinsurance")),
    Adjudication("priorpayerpaid", "rev_cntr_1st_msp_pd_amt", Key("prior_payer")),
    Adjudication("priorpayerpaid", "rev_cntr_2nd_msp_pd_amt", ZERO),
    Adjudication("paidtoprovider", "rev_cntr_prvdr_pmt_amt", Key("paid")),
    Adjudication("paidtopatient", "rev_cntr_bene_pmt_amt", ZERO),
    Adjudication("paidbypatient", "rev_cntr_ptnt_rspnsblty_pmt", Key("patient_paid")),
    Adjudication("submitted", "rev_cntr_pmt_amt_amt", Key("paid")),
)
HOSPICE_LINE = (
    *REVENUE_CHARGES,
    Adjudication("paidtoprovider", "rev_cntr_prvdr_pmt_amt", Key("paid")),
    Adjudication("paidtopatient", "rev_cntr_bene_pmt_amt", ZERO),
    Adjudication("submitted", "rev_cntr_pmt_amt_amt", Key("paid")),
)
HHA_LINE = (*REVENUE_CHARGES, Adjudication("submitted", "rev_cntr_pmt_amt_amt", Key("paid")))
PDE_LINE = (
    Adjudication("benefit", "cvrd_d_plan_pd_amt", Key("paid")),
    Adjudication("coinsurance", "gdc_blw_oopt_amt", Key("gdc_below")),
    Adjudication("coinsurance", "gdc_abv_oopt_amt", Key("gdc_above")),
    Adjudication("paidbypatient", "ptnt_pay_amt", Key("patient_paid")),
    Adjudication("priorpayerpaid", "othr_troop_amt", Key("prior_payer")),
    Adjudication("discount", "lics_amt", Key("subsidy")),
    Adjudication("priorpayerpaid", "plro_amt", ZERO),
    Adjudication("drugcost", "tot_rx_cst_amt", Key("allowed")),
    Adjudication("discount", "rptd_gap_dscnt_num", ZERO),
)
PROFESSIONAL_LINE_EXTENSIONS = (("line_prcsg_ind_cd", "A"), ("line_service_deductible", "0"))

# --- totals --------------------------------------------------------------------------------------------------
CHARGES_TOTAL = (Total("submitted", Key("submitted"), "clm_tot_chrg_amt"),)
PROFESSIONAL_TOTAL = (Total("priorpayerpaid", Key("prior_payer"), "clm_tot_chrg_amt"),)  # a BFD quirk, kept
PHARMACY_TOTAL = (Total("drugcost", Key("allowed")), Total("other", ZERO))

# --- benefitBalance --------------------------------------------------------------------------------------------
PROFESSIONAL_BALANCE = (
    Balance("carr_clm_cash_ddctbl_apld_amt", Key("deductible")), Balance("nch_clm_prvdr_pmt_amt", Key("paid")),
    Balance("nch_clm_bene_pmt_amt", ZERO), Balance("nch_carr_clm_sbmtd_chrg_amt", Key("submitted")),
    Balance("nch_carr_clm_alowd_amt", Key("allowed")),
)
PART_A_STAY = (
    Balance("clm_utlztn_day_cnt", Key("utilization_days"), count=True),
    Balance("bene_tot_coinsrnc_days_cnt", Key("coinsurance_days"), count=True),
    Balance("clm_non_utlztn_days_cnt", Const(0), count=True),
    Balance("nch_bene_ip_ddctbl_amt", Key("deductible")),
    Balance("nch_bene_pta_coinsrnc_lblty_amt", Key("coinsurance")),
    Balance("nch_ip_ncvrd_chrg_amt", line_sum("noncovered")),
    Balance("nch_ip_tot_ddctn_amt", DEDUCTIONS),
)
PPS_CAPITAL = (
    Balance("clm_pps_cptl_dsprprtnt_shr_amt", ipps_share("clm_pps_cptl_dsprprtnt_shr_amt")),
    Balance("clm_pps_cptl_excptn_amt", ZERO),
    Balance("clm_pps_cptl_fsp_amt", ipps_share("clm_pps_cptl_fsp_amt")),
    Balance("clm_pps_cptl_ime_amt", ipps_share("clm_pps_cptl_ime_amt")),
    Balance("clm_pps_cptl_outlier_amt", ZERO),
    Balance("clm_pps_old_cptl_hld_hrmls_amt", ZERO),
)
BLOOD_AND_PRIMARY = (Balance("nch_bene_blood_ddctbl_lblty_am", ZERO), Balance("prpayamt", Key("prior_payer")))
INPATIENT_BALANCE = (
    Balance("clm_pass_thru_per_diem_amt", ZERO), Balance("nch_profnl_cmpnt_chrg_amt", ZERO),
    Balance("clm_tot_pps_cptl_amt", ipps_share("clm_tot_pps_cptl_amt")), *PART_A_STAY, *PPS_CAPITAL,
    Balance("nch_drg_outlier_aprvd_pmt_amt", Key("outlier")), *BLOOD_AND_PRIMARY,
    Balance("clm_pps_cptl_drg_wt_num", DRG_WEIGHT, count=True),   # truncated to an unsignedInt, as BFD writes it
    Balance("bene_lrd_used_cnt", Const(0), count=True),
)
SNF_BALANCE = (*PART_A_STAY, *PPS_CAPITAL, *BLOOD_AND_PRIMARY)
OUTPATIENT_BALANCE = (
    Balance("nch_profnl_cmpnt_chrg_amt", ZERO), Balance("nch_bene_ptb_ddctbl_amt", Key("deductible")),
    Balance("nch_bene_ptb_coinsrnc_amt", Key("coinsurance")), Balance("clm_op_prvdr_pmt_amt", Key("paid")),
    Balance("clm_op_bene_pmt_amt", ZERO), *BLOOD_AND_PRIMARY,
)
HOSPICE_BALANCE = (Balance("clm_utlztn_day_cnt", Key("utilization_days"), count=True),
                   Balance("prpayamt", Key("prior_payer")))
HHA_BALANCE = (Balance("prpayamt", Key("prior_payer")),)

# --- careTeam ----------------------------------------------------------------------------------------------------
PROFESSIONAL_HEADS = (("referring", "referring"),)
RENDERED_BY = (("036", "operating"), ("049", "operating"), ("045", "attending"), ("051", "attending"),
               ("042", "attending"), ("043", "attending"), ("044", "attending"), ("048", "attending"),
               ("0657", "attending"))
"""Revenue centers whose lines name their rendering physician: operating and ambulatory surgery rooms the operating
physician; emergency room, clinic, therapies, cardiology and hospice physician services the attending."""
INSTITUTIONAL_TEAM = CareTeam(heads=(("attending", "attending"), ("operating", "operating")), heads_qualified=True,
                              performers_credentialed=False, performed_by=RENDERED_BY)
HOME_HEALTH_TEAM = CareTeam(heads=INSTITUTIONAL_TEAM.heads, heads_qualified=True, performers_credentialed=False)
"""Home health visits are the agency's nurses' and therapists' (no rendering physician on the lines)."""
PHARMACY_TEAM = CareTeam(heads=(("prescriber", "prescribing"),), heads_qualified=True, performers_credentialed=False)

# --- what a billing form's types share (a spec spreads one into its FhirShape and names only what differs) --------
PROFESSIONAL_SHAPE: ProfessionalShape = {
    "subtype": None, "id_variable": "clm_id", "supporting_info": (RECEIVED,), "totals": PROFESSIONAL_TOTAL,
    "balances": PROFESSIONAL_BALANCE, "facility": None, "line_extensions": PROFESSIONAL_LINE_EXTENSIONS,
}
INSTITUTIONAL_SHAPE: InstitutionalShape = {
    "id_variable": "clm_id", "totals": CHARGES_TOTAL, "care_team": INSTITUTIONAL_TEAM, "provider": "contained",
    "facility": "bill_type", "final_bill": True,
}
HOME_HEALTH_SHAPE: InstitutionalShape = {**INSTITUTIONAL_SHAPE, "care_team": HOME_HEALTH_TEAM}
