"""The eight claim types as data: what differs between CARRIER, DME, HHA, HOSPICE, INPATIENT, OUTPATIENT,
PDE and SNF ExplanationOfBenefits (data-model.md §5–§9). `eob.py` reads only this table.

Value sources in the slot tables are a record key (missing → 0), a constant, or a function of the record.
Parts that `eob.py` writes as bytes come serialized (or as functions returning bytes): fixed header
extensions, supportingInfo values, the byte templates of the money slots; supportingInfo entries name the
claim keys they read, so a claim type's whole supportingInfo array is serialized once per distinct values.
Facts the records do not carry (clearing codes, primary-payer codes, IPPS add-on amounts) are fixed,
realistic values for a paid, Medicare-primary, original claim; each is named below.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import orjson

from dataset_contract.systems import BB_CODESYSTEM, BB_VARIABLES, C4BB_CODESYSTEM, HL7_CODESYSTEM

from .codebook import ccw_coding_ext
from .fragments import adjudication_category, bb_slot, ccw_concept, concept, money, profile
from .template import PLACEHOLDER, Default, Template, around, as_int


@dataclass(frozen=True)
class const:
    """A fixed value where a source is expected (a bare string would name a record key); the builders
    below serialize it once."""
    value: Any

    def __call__(self, record: dict) -> Any:
        return self.value


def as_quantity(value) -> dict:
    """`{"value": value}`: a Quantity."""
    return {"value": value}


def member(key: str, value) -> bytes:
    """`"key":value` serialized: an object member, to splice into an object's bytes."""
    return orjson.dumps({key: value})[1:-1]


def claim_reader(source: Any) -> Callable[[dict], Any]:
    """A header source as a function of the claim: a key (missing → 0.0) or a function of the claim."""
    if isinstance(source, str):
        return lambda record: record.get(source, 0.0)
    return source


# --- fixed facts (a paid original claim, Medicare primary) -------------------------------------------
CARRIER_NUMBER = "01112"       # carr_num: the MAC jurisdiction contractor number
FI_NUMBER = "01111"            # fi_num: the Part A/B MAC number
IPPS_ADD_ON_SHARES = {         # typical shares of an IPPS DRG payment
    "ime_op_clm_val_amt": 0.05, "dsh_op_clm_val_amt": 0.04, "clm_uncompd_care_pmt_amt": 0.03,
    "clm_tot_pps_cptl_amt": 0.07, "clm_pps_cptl_fsp_amt": 0.06, "clm_pps_cptl_ime_amt": 0.005,
    "clm_pps_cptl_dsprprtnt_shr_amt": 0.005,
}


def share(variable: str) -> Callable[[dict], float]:
    fraction = IPPS_ADD_ON_SHARES[variable]
    return lambda claim: round(claim.get("paid", 0.0) * fraction, 2)


def control_number(claim: dict) -> str:
    """Claim control numbers derived from the claim id (deterministic, unique per claim)."""
    return claim["claim_id"].lstrip("-").rjust(14, "0")[-14:]


# --- header extensions: serialized bytes, or functions claim → bytes --------------------------------------
def fixed_ext(variable: str, code: str) -> bytes:
    return orjson.dumps(ccw_coding_ext(variable, code))


def value_ext(variable: str, kind: str, source, wrap: Callable[[Any], dict] = lambda value: value) -> Callable | bytes:
    """`{"url": <variable>, <kind>: wrap(value)}`: the fixed bytes around the serialized value, joined per claim."""
    head, tail = around(orjson.dumps({"url": BB_VARIABLES + variable, kind: wrap(PLACEHOLDER)}))
    if isinstance(source, const):
        return head + orjson.dumps(source.value) + tail
    read = claim_reader(source)
    return lambda claim: head + orjson.dumps(read(claim)) + tail


def identifier_ext(variable: str, source) -> Callable | bytes:
    return value_ext(variable, "valueIdentifier", source,
                     lambda value: {"system": BB_VARIABLES + variable, "value": value})


def money_ext(variable: str, source) -> Callable | bytes:
    return value_ext(variable, "valueMoney", source, money)


def coding_ext(variable: str, source) -> Callable[[dict], bytes]:
    read = claim_reader(source)
    return lambda claim: coding_ext_bytes(variable, read(claim))


@lru_cache(maxsize=None)
def coding_ext_bytes(variable: str, code: str | None) -> bytes:
    return orjson.dumps(ccw_coding_ext(variable, code))


PROFESSIONAL_HEADER = (
    identifier_ext("carr_num", const(CARRIER_NUMBER)), identifier_ext("carr_clm_cntl_num", control_number),
    fixed_ext("carr_clm_pmt_dnl_cd", "1"), fixed_ext("asgmntcd", "A"), fixed_ext("carr_clm_entry_cd", "1"),
)


def institutional_header(near_line: str, *middle) -> tuple:
    return (fixed_ext("nch_near_line_rec_ident_cd", near_line), *middle,
            identifier_ext("fi_doc_clm_cntl_num", control_number),
            value_ext("fi_clm_proc_dt", "valueDate", "processed"),
            coding_ext("clm_srvc_clsfctn_type_cd", lambda claim: claim["type_of_bill"][1:2]),
            fixed_ext("fi_num", FI_NUMBER))


# --- supportingInfo: (category, claim keys read, function of their values → `"key":value` bytes | None) ---
# The values are read as `claim.get(key, 0.0)`, so the writer can serialize a whole array once per distinct values.
INFO = {"system": HL7_CODESYSTEM + "claiminformationcategory", "code": "info", "display": "Information"}
CARIN_INFO = C4BB_CODESYSTEM + "C4BBSupportingInfoType"


def info(variable: str) -> dict:
    return {"coding": [INFO, bb_slot("information", variable)]}


def carin(code: str, display: str, variable: str | None = None) -> dict:
    codings = [{"system": CARIN_INFO, "code": code, "display": display}]
    if variable:
        codings.append(bb_slot("information", variable))
    return {"coding": codings}


@dataclass(frozen=True)
class derived:
    """A value computed from some claim keys (a supportingInfo source)."""
    keys: tuple
    compute: Callable


def reader(source) -> derived:
    """A supportingInfo source (a claim key, a const or a `derived`) as the keys it reads and their function."""
    if isinstance(source, str):
        return derived((source,), lambda value: value)
    if isinstance(source, const):
        return derived((), lambda: source.value)
    return source


def code_value(variable: str, source, strip_zero: bool = False) -> tuple:
    read = reader(source)

    def build(*values):
        code = read.compute(*values)
        if not isinstance(code, str) or code == "":
            return None
        return code_member(variable, code.lstrip("0") or "0" if strip_zero else code)
    return read.keys, build


@lru_cache(maxsize=None)
def code_member(variable: str, code: str | None) -> bytes:
    return member("code", ccw_concept(variable, code))


def value_member(key: str, source: str, wrap: Callable[[Any], Any] = lambda value: value) -> tuple:
    """`"key":wrap(value)` for the claim's value (None → no entry): fixed bytes around the serialized value."""
    head, tail = around(member(key, wrap(PLACEHOLDER)))
    return (source,), lambda value: None if value is None else head + orjson.dumps(value) + tail


RECEIVED = (carin("clmrecvddate", "Claim Received Date", "nch_wkly_proc_dt"), value_member("timingDate", "processed"))
PATIENT_STATUS = (info("nch_ptnt_stus_ind_cd"), code_value("nch_ptnt_stus_ind_cd", "patient_status"))
ADMISSION = (carin("admissionperiod", "Admission Period"),
             (("from_date", "thru_date"), lambda start, end: member("timingPeriod", {"start": start, "end": end})))
ADMISSION_START = (carin("admissionperiod", "Admission Period"),
                   value_member("timingPeriod", "from_date", lambda start: {"start": start}))
ADMISSION_TYPES = {code: member("code", concept("https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit", code,
                                                display)) for code, display in (
    ("1", "Emergency - The patient required immediate medical intervention as a result of severe, life "
          "threatening, or potentially disabling conditions. Generally, the patient was admitted through the "
          "emergency room."),
    ("2", "Urgent - The patient required immediate attention for the care and treatment of a physical or mental "
          "disorder. Generally, the patient was admitted to the first available, suitable accommodation."),
    ("3", "Elective - The patient's condition permitted adequate time to schedule the availability of suitable "
          "accommodations."))}
ADMISSION_TYPE = (carin("admtype", "Information", "clm_ip_admsn_type_cd"),
                  (("admission_type",), ADMISSION_TYPES.__getitem__))
ADMISSION_SOURCE = (info("clm_src_ip_admsn_cd"), code_value("clm_src_ip_admsn_cd", "admission_source"))
DRG = (info("clm_drg_cd"), code_value("clm_drg_cd", "drg"))
MCO_PAID = (info("clm_mco_pd_sw"), code_value("clm_mco_pd_sw", const("0")))
TYPE_OF_BILL = (carin("typeofbill", "Type of Bill"),
                code_value("clm_freq_cd", derived(("type_of_bill",), lambda type_of_bill: type_of_bill[2:3])))
DISCHARGE = (carin("discharge-status", "Discharge Status"),  # BFD stores the code without its leading zero
             code_value("ptnt_dschrg_stus_cd", "discharge_status", strip_zero=True))
PRIMARY_PAYER = (info("nch_prmry_pyr_cd"),  # blank code = Medicare is primary: BB2 sends the system only
                 ((), lambda: code_member("nch_prmry_pyr_cd", None)))
QUALIFYING_STAY = (info("nch_qlfyd_stay_from_dt"),
                   (("qualifying_stay",),
                    lambda stay: member("timingPeriod", dict(zip(("start", "end"), stay))) if stay else None))
PPS = (info("clm_pps_ind_cd"), code_value("clm_pps_ind_cd", const("2")))
INSTITUTIONAL_TAIL = (TYPE_OF_BILL, DISCHARGE, PRIMARY_PAYER)
COMPOUND = {flag: member("code", concept(HL7_CODESYSTEM + "v3-ActCode", code, display))
            for flag, code, display in ((False, "RXDINV", "Rx dispense invoice"),
                                        (True, "RXCINV", "Rx compound invoice"))}
PHARMACY_INFO = (
    (carin("compoundcode", "Compound Code"), (("compound",), lambda compound: COMPOUND[bool(compound)])),
    (carin("refillnum", "Refill Number"), value_member("valueQuantity", "refill", as_quantity)),
    (carin("dayssupply", "Days Supply"), value_member("valueQuantity", "days_supply", as_quantity)),
    (info("drug_cvrg_stus_cd"), code_value("drug_cvrg_stus_cd", "drug_coverage")),
    (info("daw_prod_slctn_cd"), code_value("daw_prod_slctn_cd", "daw")),
    (carin("rxorigincode", "Rx Origin Code"), code_value("rx_orgn_cd", const("3"))),  # electronic prescription
    (carin("brandgenericindicator", "Brand Generic Indicator"), code_value("brnd_gnrc_cd", "brand_generic")),
    (info("ptnt_rsdnc_cd"), code_value("ptnt_rsdnc_cd", derived(("pharmacy_type",),
                                                               lambda pharmacy: "03" if pharmacy == "05" else "01"))),
)

# --- adjudication slices: (category, CCW variable, source[, extension (variable, code)]) ---------------
def slices(*specs) -> Template:
    """The members that close an item: its `quantity` (1 when the line has none) and `adjudication` array."""
    adjudication = [{**({"extension": [ccw_coding_ext(*spec[3])]} if len(spec) > 3 else {}),
                     "category": adjudication_category(spec[0], spec[1]), "amount": money(PLACEHOLDER)}
                    for spec in specs]
    return Template({"quantity": as_quantity(PLACEHOLDER), "adjudication": adjudication},
                    [Default("quantity", 1), *(spec[2] for spec in specs)], members=True)


CARRIER_LINE = (
    ("benefit", "line_nch_pmt_amt", "paid", ("line_pmt_80_100_cd", "0")),
    ("paidtopatient", "line_bene_pmt_amt", 0.0), ("paidtoprovider", "line_prvdr_pmt_amt", "paid"),
    ("deductible", "line_bene_ptb_ddctbl_amt", "deductible"),
    ("priorpayerpaid", "line_bene_prmry_pyr_pd_amt", "prior_payer"),
    ("coinsurance", "line_coinsrnc_amt", "coinsurance"), ("submitted", "line_sbmtd_chrg_amt", "submitted"),
    ("eligible", "line_alowd_chrg_amt", "allowed"),
)
DME_LINE = (("paidtoprovider", "rev_cntr_prvdr_pmt_amt", "paid"), ("eligible", "line_prmry_alowd_chrg_amt", 0.0),
            ("submitted", "line_dme_prchs_price_amt", "submitted"), *CARRIER_LINE)
REVENUE_CHARGES = (
    ("submitted", "rev_cntr_rate_amt", lambda line: round(line.get("submitted", 0.0) / (line.get("quantity") or 1), 2)),
    ("submitted", "rev_cntr_tot_chrg_amt", "submitted"), ("noncovered", "rev_cntr_ncvrd_chrg_amt", "noncovered"),
)
OUTPATIENT_LINE = (*REVENUE_CHARGES,
    ("deductible", "rev_cntr_blood_ddctbl_amt", 0.0), ("deductible", "rev_cntr_cash_ddctbl_amt", "deductible"),
    ("coinsurance", "rev_cntr_coinsrnc_wge_adjstd_c", "coinsurance"),
    ("coinsurance", "rev_cntr_rdcd_coinsrnc_amt", "coinsurance"),
    ("priorpayerpaid", "rev_cntr_1st_msp_pd_amt", "prior_payer"), ("priorpayerpaid", "rev_cntr_2nd_msp_pd_amt", 0.0),
    ("paidtoprovider", "rev_cntr_prvdr_pmt_amt", "paid"), ("paidtopatient", "rev_cntr_bene_pmt_amt", 0.0),
    ("paidbypatient", "rev_cntr_ptnt_rspnsblty_pmt", "patient_paid"), ("submitted", "rev_cntr_pmt_amt_amt", "paid"),
)
HOSPICE_LINE = (*REVENUE_CHARGES, ("paidtoprovider", "rev_cntr_prvdr_pmt_amt", "paid"),
                ("paidtopatient", "rev_cntr_bene_pmt_amt", 0.0), ("submitted", "rev_cntr_pmt_amt_amt", "paid"))
HHA_LINE = (*REVENUE_CHARGES, ("submitted", "rev_cntr_pmt_amt_amt", "paid"))


def low_income_subsidy(line: dict) -> float:
    """What the PDE's total cost leaves after plan, patient and other payers: paid by the LIS.
    `round(max(rest, 0.0), 2)`, with round (slow: a decimal conversion) only where it can change the value."""
    rest = line.get("allowed", 0.0) - line.get("paid", 0.0) - line.get("patient_paid", 0.0) - line.get("prior_payer", 0.0)
    if rest > 0.0:
        return round(rest, 2)
    return 0.0 if rest < 0.0 else rest  # a zero keeps its sign, as max and round leave it


PDE_LINE = (
    ("benefit", "cvrd_d_plan_pd_amt", "paid"), ("coinsurance", "gdc_blw_oopt_amt", "allowed"),
    ("coinsurance", "gdc_abv_oopt_amt", 0.0), ("paidbypatient", "ptnt_pay_amt", "patient_paid"),
    ("priorpayerpaid", "othr_troop_amt", "prior_payer"), ("discount", "lics_amt", low_income_subsidy),
    ("priorpayerpaid", "plro_amt", 0.0), ("drugcost", "tot_rx_cst_amt", "allowed"),
    ("discount", "rptd_gap_dscnt_num", 0.0),
)

# --- benefitBalance: (CCW variable, usedMoney|usedUnsignedInt, source) --------------------------------
BENEFIT_CATEGORY = concept(HL7_CODESYSTEM + "ex-benefitcategory", "1", "Medical Care")


def balances(*specs) -> Template:
    """The `benefitBalance` array: one Medical Care category with a financial entry per slot."""
    financial = [{"type": {"coding": [bb_slot("benefit-balance", variable)]},
                  kind: money(PLACEHOLDER) if kind == M else PLACEHOLDER} for variable, kind, _ in specs]
    sources = [source if kind == M else as_int(source) for _, kind, source in specs]
    return Template([{"category": BENEFIT_CATEGORY, "financial": financial}], sources)


M, N = "usedMoney", "usedUnsignedInt"


def line_sum(key: str) -> Callable[[dict], float]:
    return lambda claim: round(sum(line.get(key, 0.0) for line in claim["lines"]), 2)


PROFESSIONAL_BALANCE = balances(
    ("carr_clm_cash_ddctbl_apld_amt", M, "deductible"), ("nch_clm_prvdr_pmt_amt", M, "paid"),
    ("nch_clm_bene_pmt_amt", M, 0.0), ("nch_carr_clm_sbmtd_chrg_amt", M, "submitted"),
    ("nch_carr_clm_alowd_amt", M, "allowed"))
PART_A_STAY = (
    ("clm_utlztn_day_cnt", N, "utilization_days"), ("bene_tot_coinsrnc_days_cnt", N, "coinsurance_days"),
    ("clm_non_utlztn_days_cnt", N, 0), ("nch_bene_ip_ddctbl_amt", M, "deductible"),
    ("nch_bene_pta_coinsrnc_lblty_amt", M, "coinsurance"), ("nch_ip_ncvrd_chrg_amt", M, line_sum("noncovered")),
    ("nch_ip_tot_ddctn_amt", M, lambda claim: round(claim.get("deductible", 0.0) + claim.get("coinsurance", 0.0), 2)),
)
PPS_CAPITAL = (
    ("clm_pps_cptl_dsprprtnt_shr_amt", M, share("clm_pps_cptl_dsprprtnt_shr_amt")),
    ("clm_pps_cptl_excptn_amt", M, 0.0), ("clm_pps_cptl_fsp_amt", M, share("clm_pps_cptl_fsp_amt")),
    ("clm_pps_cptl_ime_amt", M, share("clm_pps_cptl_ime_amt")), ("clm_pps_cptl_outlier_amt", M, 0.0),
    ("clm_pps_old_cptl_hld_hrmls_amt", M, 0.0),
)
BLOOD_AND_PRIMARY = (("nch_bene_blood_ddctbl_lblty_am", M, 0.0), ("prpayamt", M, "prior_payer"))
INPATIENT_BALANCE = balances(
    ("clm_pass_thru_per_diem_amt", M, 0.0), ("nch_profnl_cmpnt_chrg_amt", M, 0.0),
    ("clm_tot_pps_cptl_amt", M, share("clm_tot_pps_cptl_amt")), *PART_A_STAY, *PPS_CAPITAL,
    ("nch_drg_outlier_aprvd_pmt_amt", M, 0.0), *BLOOD_AND_PRIMARY, ("bene_lrd_used_cnt", N, 0))
SNF_BALANCE = balances(*PART_A_STAY, *PPS_CAPITAL, *BLOOD_AND_PRIMARY)
OUTPATIENT_BALANCE = balances(
    ("nch_profnl_cmpnt_chrg_amt", M, 0.0), ("nch_bene_ptb_ddctbl_amt", M, "deductible"),
    ("nch_bene_ptb_coinsrnc_amt", M, "coinsurance"), ("clm_op_prvdr_pmt_amt", M, "paid"),
    ("clm_op_bene_pmt_amt", M, 0.0), *BLOOD_AND_PRIMARY)
HOSPICE_BALANCE = balances(("clm_utlztn_day_cnt", N, "utilization_days"), ("prpayamt", M, "prior_payer"))
HHA_BALANCE = balances(("prpayamt", M, "prior_payer"))

# --- totals: (category, source) ------------------------------------------------------------------------
def totals(*specs) -> Template:
    return Template([{"category": category, "amount": money(PLACEHOLDER)} for category, _ in specs],
                    [source for _, source in specs])


CHARGES_TOTAL = totals((adjudication_category("submitted", "clm_tot_chrg_amt"), "submitted"))
PROFESSIONAL_TOTAL = totals((adjudication_category("priorpayerpaid", "clm_tot_chrg_amt"), "prior_payer"))  # BFD quirk
PHARMACY_TOTAL = totals((adjudication_category("drugcost", None), "allowed"),
                        ({"coding": [{"system": C4BB_CODESYSTEM + "C4BBPayerAdjudicationStatus", "code": "other",
                                      "display": "Other"}]}, 0.0))


def opps_status(line: dict) -> str:
    """OPPS status indicator of an outpatient line: visits V, labs and unpriced lines A, procedures S."""
    hcpcs = line.get("hcpcs") or ""
    if hcpcs.startswith("99"):
        return "V"
    return "A" if not hcpcs or hcpcs[:1] == "8" else "S"


# --- the table -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClaimType:
    name: str
    profile: list
    type_concept: dict
    subtype: dict | None
    part: str
    style: str                    # professional | institutional | pharmacy: provider, careTeam and item shape
    diagnosis_style: str          # professional ("principal", secondary) | institutional ("Principal Diagnosis", other)
    header_extensions: tuple      # serialized extensions, or functions claim → bytes
    supporting_info: tuple        # (category, (claim keys, function of their values → `"key":value` | None))
    line_amounts: Template        # an item's closing `"quantity":…,"adjudication":[…]` members
    total: Template
    benefit_balance: Template | None
    id_variable: str = "clm_id"
    facility_type: str = ""
    billable_extension: list | None = None
    disposition: str | None = None
    poa: bool = False
    procedures: bool = False
    line_date: bool = False       # institutional lines carry servicedDate
    hcpcs_cd_coding: bool = False
    revenue_codings: tuple = ()
    revenue_status: Callable | None = None
    line_extensions: tuple = ()


def claim_type_concept(nch_code: str | None, eob_type: str, claim_type: str) -> dict:
    codings = [ccw_coding_ext("nch_clm_type_cd", nch_code)["valueCoding"]] if nch_code else []
    codings.append({"system": BB_CODESYSTEM + "eob-type", "code": eob_type})
    codings.append({"system": HL7_CODESYSTEM + "claim-type", "code": claim_type, "display": claim_type.capitalize()})
    return {"coding": codings}


def subtype(code: str) -> dict:
    return {"coding": [{"system": C4BB_CODESYSTEM + "C4BBInstitutionalClaimSubType", "code": code}],
            "text": code.capitalize()}


FINAL_BILL = [ccw_coding_ext("claim_query_cd", "3")]
DEDUCTIBLE_CODINGS = ({"system": "https://www.nubc.org/CodeSystem/RevenueCodes", "code": "0"},
                      ccw_coding_ext("rev_cntr_ddctbl_coinsrnc_cd", "0")["valueCoding"])
PROFESSIONAL_LINE_EXTENSIONS = (ccw_coding_ext("line_prcsg_ind_cd", "A"), ccw_coding_ext("line_service_deductible", "0"))
INSTITUTIONAL = dict(style="institutional", diagnosis_style="institutional", billable_extension=FINAL_BILL,
                     total=CHARGES_TOTAL)
PROFESSIONAL = dict(style="professional", total=PROFESSIONAL_TOTAL, benefit_balance=PROFESSIONAL_BALANCE,
                    line_extensions=PROFESSIONAL_LINE_EXTENSIONS)

TYPES: dict[str, ClaimType] = {ct.name: ct for ct in (
    ClaimType("carrier", profile("ExplanationOfBenefit-Professional-NonClinician"),
              claim_type_concept("71", "CARRIER", "professional"), None, "b", diagnosis_style="professional",
              header_extensions=(fixed_ext("nch_near_line_rec_ident_cd", "O"), *PROFESSIONAL_HEADER),
              supporting_info=(RECEIVED,), line_amounts=slices(*CARRIER_LINE), disposition="1", **PROFESSIONAL),
    # BFD quirks kept: DME is an "institutional" claim on Part A with the inpatient profile
    ClaimType("dme", profile("ExplanationOfBenefit-Inpatient-Institutional"),
              claim_type_concept("82", "DME", "institutional"), None, "a", diagnosis_style="institutional",
              header_extensions=(fixed_ext("nch_near_line_rec_ident_cd", "M"), *PROFESSIONAL_HEADER),
              supporting_info=(RECEIVED,), line_amounts=slices(*DME_LINE), disposition="01", **PROFESSIONAL),
    # BFD quirks kept: HHA is a "professional" claim with the professional profile and an inpatient subType
    ClaimType("hha", profile("ExplanationOfBenefit-Professional-NonClinician"),
              claim_type_concept("10", "HHA", "professional"), subtype("inpatient"), "b",
              **{**INSTITUTIONAL, "diagnosis_style": "professional"},
              header_extensions=institutional_header("W"),
              supporting_info=(RECEIVED, *INSTITUTIONAL_TAIL, PPS,
                               (info("clm_hha_lupa_ind_cd"), code_value("clm_hha_lupa_ind_cd", derived(
                                   ("lupa",), lambda lupa: "L" if lupa else None))),
                               (info("clm_hha_rfrl_cd"), code_value("clm_hha_rfrl_cd", "hha_referral")),
                               (info("clm_hha_tot_visit_cnt"),
                                value_member("valueQuantity", "hha_visits", as_quantity)),
                               ADMISSION_START),
              line_amounts=slices(*HHA_LINE), benefit_balance=HHA_BALANCE, facility_type="3", line_date=True,
              revenue_codings=DEDUCTIBLE_CODINGS, revenue_status=lambda line: "A"),
    ClaimType("hospice", profile("ExplanationOfBenefit-Inpatient-Institutional"),
              claim_type_concept("50", "HOSPICE", "institutional"), subtype("inpatient"), "a", **INSTITUTIONAL,
              header_extensions=institutional_header("V") + (
                  value_ext("bene_hospc_prd_cnt", "valueQuantity", "hospice_period", as_quantity),),
              supporting_info=(RECEIVED, PATIENT_STATUS, ADMISSION, *INSTITUTIONAL_TAIL),
              line_amounts=slices(*HOSPICE_LINE), benefit_balance=HOSPICE_BALANCE, facility_type="8",
              line_date=True, revenue_codings=DEDUCTIBLE_CODINGS),
    ClaimType("inpatient", profile("ExplanationOfBenefit-Inpatient-Institutional"),
              claim_type_concept("60", "INPATIENT", "institutional"), subtype("inpatient"), "a", **INSTITUTIONAL,
              header_extensions=institutional_header(
                  "V", fixed_ext("fi_clm_actn_cd", "1"),
                  *(money_ext(v, share(v)) for v in ("ime_op_clm_val_amt", "clm_uncompd_care_pmt_amt",
                                                       "dsh_op_clm_val_amt"))),
              supporting_info=(PATIENT_STATUS, ADMISSION, ADMISSION_TYPE, ADMISSION_SOURCE, DRG, MCO_PAID,
                               *INSTITUTIONAL_TAIL, RECEIVED),
              line_amounts=slices(*REVENUE_CHARGES), benefit_balance=INPATIENT_BALANCE, facility_type="1",
              poa=True, procedures=True, hcpcs_cd_coding=True, revenue_codings=DEDUCTIBLE_CODINGS),
    ClaimType("outpatient", profile("ExplanationOfBenefit-Outpatient-Institutional"),
              claim_type_concept("40", "OUTPATIENT", "institutional"), subtype("outpatient"), "b", **INSTITUTIONAL,
              header_extensions=institutional_header("W"),
              supporting_info=(RECEIVED, MCO_PAID, *INSTITUTIONAL_TAIL),
              line_amounts=slices(*OUTPATIENT_LINE), benefit_balance=OUTPATIENT_BALANCE, facility_type="1",
              procedures=True, line_date=True, revenue_status=opps_status),
    ClaimType("pde", profile("ExplanationOfBenefit-Pharmacy"), claim_type_concept(None, "PDE", "pharmacy"), None, "d",
              style="pharmacy", diagnosis_style="professional", header_extensions=(), supporting_info=PHARMACY_INFO,
              line_amounts=slices(*PDE_LINE), total=PHARMACY_TOTAL, benefit_balance=None, id_variable="pde_id"),
    ClaimType("snf", profile("ExplanationOfBenefit-Inpatient-Institutional"),
              claim_type_concept("20", "SNF", "institutional"), subtype("inpatient"), "a", **INSTITUTIONAL,
              header_extensions=institutional_header("V", fixed_ext("fi_clm_actn_cd", "1")),
              supporting_info=(RECEIVED, ADMISSION_TYPE, ADMISSION_SOURCE, DRG, PATIENT_STATUS, ADMISSION,
                               QUALIFYING_STAY, PPS, MCO_PAID, *INSTITUTIONAL_TAIL),
              line_amounts=slices(*REVENUE_CHARGES), benefit_balance=SNF_BALANCE, facility_type="2",
              procedures=True, revenue_codings=DEDUCTIBLE_CODINGS),
)}
