"""The records the simulation's stages hand each other.

Enrollment (model/enrollment.py) makes an `Insured` per person: the `Beneficiary` record and the care
model's `Person`. The care model (model/care/) makes `Encounter`s; pricing (model/pricing.py) turns each
into a `Claim`. The FHIR writers (generator/fhir/) turn `Beneficiary` and `Claim` records into Blue Button v2
JSON. Records hold *facts* (codes, dates, money, providers); every FHIR constant (profile URLs, code systems,
fixed CCW codes) belongs to the writers.

Conventions: dates are ISO strings `YYYY-MM-DD`; money is a float rounded to cents; codes are strings
as CMS writes them (ICD-10 without dots, NDC 11 digits, revenue center 4 digits).

The stages' own records are slotted frozen dataclasses (an encounter's facts, `Insured`); `Beneficiary`,
`Claim` and `Line` are TypedDicts (their keys declared, checked by mypy), because the byte writer reads them
with C-level itemgetters and pricing makes each line as a copy of its coding's template: a dataclass
instance per line costs about 4 µs (a frozen one, 16 fields) against 0.6 µs for the copy, on ~100 lines per
beneficiary.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

from generator.claim_types.spec import ClaimType


class Provider(TypedDict):
    npi: str            # 10 digits, valid Luhn check digit
    name: str           # organisation name, or "Last, First" for a clinician
    kind: str           # "org" or "person"
    taxonomy: str       # NUCC taxonomy code, e.g. "207R00000X"
    specialty: str      # CMS provider specialty code, e.g. "11"
    state: str          # USPS state abbreviation of the practice location
    zip: str            # 5-digit ZIP of the practice location
    ccn: str            # CMS certification number (facilities; "" for people and pharmacies)
    billing: NotRequired[Provider]  # a clinician in a group practice: the group, which bills their claims


class Beneficiary(TypedDict):
    index: int          # 0-based position in the dataset: the test login is BBUser{index:05d}
    bene_id: str        # negative, e.g. "-10000000000001" (also the Patient id)
    mbi: str            # synthetic MBI, 'S' in position 2
    mbi_effective: str  # date the MBI took effect
    given: str
    middle_initial: str
    family: str
    sex: str            # "male" | "female"
    birth_date: str
    death_date: str | None
    race: str           # RTI race code "0".."6"
    state: str          # SSA 2-digit state code, e.g. "05" (California)
    state_abbr: str     # USPS abbreviation, e.g. "CA"
    county: str         # county name
    zip: str            # 5 digits
    orec: str           # original reason for entitlement: 0 OASI (aged), 1 DIB (disabled), 2 ESRD, 3 DIB+ESRD
    crec: str           # current reason for entitlement (same codes)
    esrd: bool
    ms_cd: str          # Medicare status: 10 aged, 11 aged+ESRD, 20 disabled, 21 disabled+ESRD, 31 ESRD only
    ref_year: int       # the reference year (the period's last year): rfrnc_yr and the *_01..12 extensions
    months: list[str]   # every month of the period as "YYYY-MM": the index for the monthly lists below
    part_a: list[bool]  # Part A entitlement by month
    part_b: list[bool]
    part_a_start: str   # entitlement start dates (may precede the period)
    part_b_start: str | None
    part_a_end: str | None   # set when coverage ended (death) in the period
    part_b_end: str | None
    a_trm_cd: str       # "0" active, "1" dead
    b_trm_cd: str
    dual: list[str]     # dual status by month: "NA" none, "02" full-benefit QMB+, "01" QMB only, "08" other full, …
    buyin: list[str]    # state buy-in by month: "0" none, "3" Part A+B, "C" state buy-in A+B, …
    part_c: list[str]   # MA contract by month ("" when in fee-for-service), e.g. "H1234"
    part_c_pbp: str     # MA plan benefit package, e.g. "001" ("" if never MA)
    part_c_plan_type: str  # e.g. "01" (local HMO) ("" if never MA)
    part_d: list[str]   # Part D contract by month ("0" when not enrolled), e.g. "S5601"
    part_d_pbp: str     # e.g. "012" ("" if never enrolled)
    part_d_segment: str # "000"
    cstshr: list[str]   # Part D cost-sharing group (LIS) by month: "09" none … "01" full LIS
    rdsind: list[str]   # retiree drug subsidy by month: "N" / "Y"
    conditions: list[str]  # chronic-condition keys (profile `conditions`) the claims will show
    last_updated: str   # meta.lastUpdated of the Patient and Coverage resources (ISO instant, deterministic)


class Diagnosis(TypedDict):
    code: str           # ICD-10-CM without the dot, e.g. "E119"
    display: str        # upper-case description
    role: str           # "principal" | "admitting" | "secondary" | "other" | "external"
    poa: str            # inpatient present-on-admission indicator "Y"/"N"/"" (other claim types: "")


class Procedure(TypedDict):
    code: str           # ICD-10-PCS, 7 characters
    display: str
    date: str


class Line(TypedDict, total=False):
    """One claim line. Professional lines (carrier, DME) use hcpcs/pos/performing; institutional lines
    use revenue (+ hcpcs where billed); the PDE line uses ndc/drug."""
    hcpcs: str          # HCPCS/CPT code ("" when a revenue line carries none)
    hcpcs_display: str
    modifiers: list[str]
    revenue: str        # revenue center code, e.g. "0450" (institutional)
    revenue_display: str
    ndc: str            # 11-digit NDC (PDE; drug lines elsewhere)
    drug: str           # "Brand - GENERIC" display for the NDC
    ndc_unit: str       # a Part B drug line's NDC quantity qualifier: "ML", "UN"
    from_date: str
    thru_date: str
    quantity: float     # service count / units / dispensed quantity
    pos: str            # place of service code (professional), e.g. "11"
    pos_display: str
    betos: str          # BETOS code for the HCPCS (professional)
    type_of_service: str  # CMS type of service code (professional), e.g. "1"
    performing: Provider | None  # professional: the rendering clinician
    dx_index: int       # index into Claim.diagnoses this line points at (professional), -1 for none
    submitted: float    # submitted charge
    allowed: float      # allowed amount
    paid: float         # Medicare (or Part D plan) payment
    deductible: float   # beneficiary deductible applied
    coinsurance: float  # beneficiary coinsurance
    patient_paid: float # paid by beneficiary (PDE patient pay; = deductible + coinsurance elsewhere)
    noncovered: float   # non-covered charge (institutional)
    prior_payer: float  # primary payer paid (0 unless Medicare is the secondary payer)
    primary_payer: str  # the primary payer's code on a Medicare Secondary Payer line (line_bene_prmry_pyr_cd)
    subsidy: float      # PDE: paid by the Part D low-income subsidy (lics_amt)
    gdc_below: float    # PDE: gross drug cost below the out-of-pocket threshold
    gdc_above: float    # PDE: gross drug cost above it (catastrophic coverage)


class Claim(TypedDict, total=False):
    type: str           # one of dataset_contract.CLAIM_TYPES
    claim_id: str       # negative, e.g. "-10000000123456" (PDE: the PDE id)
    group_id: str       # claim group id
    bene_id: str
    from_date: str      # billable period start (PDE: service date)
    thru_date: str      # billable period end
    received: str       # date CMS received the claim
    processed: str      # NCH weekly processing date (a Friday)
    last_updated: str   # meta.lastUpdated (ISO instant, deterministic: derived from `processed`)
    provider: Provider  # who bills: facility (institutional), clinician/group (carrier), supplier (DME), pharmacy (PDE)
    attending: Provider | None    # institutional
    operating: Provider | None    # institutional with a procedure
    referring: Provider | None    # carrier, DME, HHA
    prescriber: Provider | None   # PDE
    diagnoses: list[Diagnosis]    # empty for PDE
    procedures: list[Procedure]   # inpatient, outpatient, SNF only
    lines: list[Line]
    # header money (sums of the lines where both exist)
    submitted: float
    allowed: float
    paid: float         # CLM_PMT_AMT (PDE: plan paid)
    deductible: float
    coinsurance: float
    patient_paid: float
    prior_payer: float
    # type-specific facts; keys present only where they apply
    admission_type: str       # IP/SNF: "1" emergency, "2" urgent, "3" elective
    admission_source: str     # IP/SNF: point of origin, e.g. "1" non-health-care point, "7" ER (legacy)
    discharge_status: str     # institutional: "01" home, "03" SNF, "06" home health, "20" expired, "30" still patient,
    #                           "50"/"51" hospice
    patient_status: str       # IP/SNF/hospice NCH patient status indicator: "A" discharged, "B" died, "C" still patient
    type_of_bill: str         # 3 digits: facility type + classification + frequency, e.g. "111"
    drg: str                  # IP: MS-DRG, 3 digits
    drg_display: str
    utilization_days: int     # IP/SNF/hospice covered days
    coinsurance_days: int     # IP/SNF
    outlier: float            # IP: the IPPS cost outlier payment (part of `paid`)
    pps_excluded: bool        # IP: an IRF or LTCH stay, paid outside the IPPS (no IPPS add-on amounts)
    qualifying_stay: tuple[str, str]  # SNF: the qualifying inpatient stay (from, thru)
    benefits_exhausted: str | None  # SNF: the day the benefit period's covered days ran out (None: they did not)
    noncovered_stay: tuple[str, str] | None  # SNF: the days of the stay after that (from, thru)
    hospice_period: int       # hospice: benefit period count
    hha_visits: int           # HHA: total visits
    hha_referral: str         # HHA: referral source code
    lupa: bool                # HHA: low-utilization payment adjustment
    # PDE
    days_supply: int
    refill: int               # 0 = first fill
    quantity: float
    daw: str                  # dispense-as-written code "0".."9"
    brand_generic: str        # "B" brand, "G" generic
    compound: bool
    drug_coverage: str        # drug coverage status "C" covered, "E" enhanced, "O" OTC
    contract: str             # Part D contract id (PDE) / MA contract
    pbp: str
    pharmacy_type: str        # "01" community/retail, "05" long-term care, …
    paid_date: str            # PDE: date paid
    dispensing_status: str    # PDE status codes ("" blank): dspnsng_stus_cd "P" partial fill, "C" its completion
    adjustment: str           # adjstmt_dltn_cd "A" adjusted record
    format: str               # nstd_frmt_cd "X" X12 837, "B" beneficiary-submitted, "P" paper
    pricing_exception: str    # prcng_excptn_cd "O" out-of-network pharmacy, "M" Medicare secondary payer
    submission_clarification: str  # submsn_clr_cd, e.g. "16" long-term care emergency box
    origin: str               # rx_orgn_cd "1" written, "2" telephone, "3" electronic, "4" fax, "5" pharmacy
    catastrophic: str         # ctstrphc_cvrg_cd "C" above the out-of-pocket threshold


@dataclass(frozen=True, slots=True)
class StatePool:
    """The providers of one state, by kind; clinicians also by specialty."""
    by_kind: dict[str, tuple[Provider, ...]]
    by_specialty: dict[str, tuple[Provider, ...]]
    primary_care: tuple[Provider, ...]      # internal/family/general medicine, NPs and PAs (any clinician if none)


# --- the care model's encounters, before pricing: one typed record of facts per kind of encounter ----------

STILL_A_PATIENT = "30"     # the discharge status of a stay still open at the period's end
DIED = "20"


def still_a_patient(end: int, period_end: int, status: str) -> bool:
    """Whether a stay ending on day `end` with the care model's discharge `status` is billed with the patient still
    there (status 30, an interim claim): the model says so, or the stay reaches the period's end and the person did
    not die in it (the claim is written at the period's end, before any discharge that day)."""
    return status == STILL_A_PATIENT or (end >= period_end and status != DIED)


@dataclass(frozen=True, slots=True)
class InpatientStay:
    """An admission: its DRG, its procedure, how it began and ended."""
    drg: str                    # MS-DRG, 3 digits
    drg_weight: float           # the DRG's relative weight
    procedure: str              # ICD-10-PCS code of the stay's procedure, "" for none
    admission_type: str         # "1" emergency, "2" urgent, "3" elective
    admission_source: str       # point of origin: "1" non-health-care point, "7" emergency room (legacy)
    discharge_status: str       # "01" home, "03" SNF, "06" home health, "20" expired, …
    days: int                   # covered days (at least 1)
    icu: bool = False           # days in intensive or coronary care (revenue 020x/021x)
    implant: bool = False       # an implanted device (revenue 0278)
    pps: str = ""               # a hospital paid outside the IPPS: "irf" (by CMG), "ltch" (by MS-LTC-DRG); "" IPPS
    hipps: str = ""             # an IRF stay's HIPPS code: comorbidity tier and CMG
    mean_days: float = 0.0      # the mean stay of its case-mix group (0: the DRG's geometric mean)


@dataclass(frozen=True, slots=True)
class SnfStay:
    """A skilled nursing stay after a qualifying inpatient stay."""
    qualifying_stay: tuple[int, int]  # the inpatient stay's first and last days (ordinals)
    drg: str                    # the qualifying stay's DRG
    admission_type: str
    admission_source: str       # "4" transfer from a hospital
    discharge_status: str
    days: int
    hipps: str = ""             # the PDPM HIPPS code of the stay's 0022 line


@dataclass(frozen=True, slots=True)
class HomeHealthPeriod:
    """One 30-day period of home health care."""
    visits: int                 # in-person visits in the period
    referral: str               # referral source: "1" physician (community), "2" after a hospital stay
    low_use: bool               # a low-utilization payment adjustment (LUPA) period
    discharge_status: str       # "30" still a patient, "01" discharged
    hipps: str = ""             # the PDGM HIPPS code of the period's 0023 line


@dataclass(frozen=True, slots=True)
class HospiceMonth:
    """One month's claim of a hospice stay (hospices bill monthly)."""
    days: int                   # days of care in the month
    benefit_period: int         # the hospice benefit period the month falls in (1, 2, …)
    frequency: str              # type of bill frequency: admit through discharge, or which interim claim
    discharge_status: str       # "30" still a patient, "40" died
    elapsed: int = 0            # days of the election before the month's first day (routine home care's rate
    #                             drops after day 60)


@dataclass(frozen=True, slots=True)
class Fill:
    """A Part D fill of a maintenance drug."""
    drug: dict[str, Any]        # the drugs table's row, its cost_30 and qty_30 as floats
    days_supply: int
    refill: int                 # 0 for the first fill


@dataclass(frozen=True, slots=True)
class DialysisMonth:
    """A dialysis facility's monthly claim (type of bill 72x)."""
    sessions: int


Facts = InpatientStay | SnfStay | HomeHealthPeriod | HospiceMonth | Fill | DialysisMonth


@dataclass(slots=True)
class Encounter:
    """One future claim: its type, dates, diagnoses, billed services and care team, and its kind's facts.
    (Mutable while the care model builds a person's care: it adds chronic codes to visits; pricing only reads it.)"""
    spec: ClaimType
    start: int                              # date ordinal
    end: int
    dx: list[str]                           # ICD-10-CM codes, principal first
    lines: list[tuple[str, str, float]]     # (revenue center, HCPCS or NDC, quantity); professional: revenue ""
    provider: Provider                      # who bills the claim
    performing: Provider | None = None      # professional lines: the rendering clinician (PDE: the prescriber)
    attending: Provider | None = None       # facility stays and home health
    operating: Provider | None = None       # stays with a procedure
    referring: Provider | None = None       # professional: who ordered the service (labs, imaging, therapy, DME)
    pos: str = ""                           # place of service (professional)
    facts: Facts | None = None              # facility episodes and fills
    modifiers: tuple[str, ...] = ()         # HCPCS modifiers of every line (professional), e.g. anesthesia "AA"
    line_days: tuple[int, ...] = ()         # each line's day (facility visits on their own dates); () the claim's
    primary_payer: str = ""                 # a Medicare Secondary Payer claim's primary payer (Person's), "" none


@dataclass(frozen=True, slots=True)
class Person:
    """What the care model needs to know about one beneficiary."""
    female: bool
    age: float
    dual: bool
    frailty: float
    conditions: list[str]
    chronic_codes: dict[str, str]           # condition → the ICD-10-CM code this person's claims use
    pool: StatePool
    pcp: Provider
    hospital: Provider
    pharmacy: Provider
    window_a: tuple[int, int] | None        # FFS Part A days (first, last), None when none
    window_b: tuple[int, int] | None        # FFS Part B days
    part_d_days: list[tuple[int, int]]      # Part D enrolled spans
    death: int | None
    esrd: bool
    other_codes: dict[str, str] = field(default_factory=dict)   # conditions outside CCW's list → their code
    primary_payer: str = ""                 # who pays before Medicare (line_bene_prmry_pyr_cd), "" Medicare: "A"
    #                                         the employer plan of a working aged person, "G" a disabled one's


@dataclass(frozen=True, slots=True)
class Insured:
    """One beneficiary as enrolled: the record, the care model's Person (None if no FFS or Part D care),
    their care intensity, whether they get the low-income subsidy, and their Part D plan by month."""
    bene: Beneficiary
    person: Person | None
    intensity: float
    lis: bool
    plans: dict[str, tuple[str, str]]
