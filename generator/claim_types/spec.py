"""The vocabulary a claim type's spec is written in: named fields only, no logic.

A `ClaimType` holds everything that makes one Blue Button claim type differ from the others: how its
claims are billed (form, type of bill, diagnoses), how they are priced (one pricing record per payment
system, with its parameters), what the care model bills for its facility episodes, and how its
ExplanationOfBenefit is shaped. The code that simulates, prices, writes and checks claims reads these
fields and never asks for a type by name; adding a field to one claim type touches its spec and the code
that reads the field.
"""
from __future__ import annotations

from dataclasses import dataclass

from .shape import FhirShape

# --- how a claim is billed --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TypeOfBill:
    """The UB-04 type of bill of an institutional claim: facility type, classification, frequency."""
    facility: str               # "1" hospital, "2" skilled nursing, "3" home health, "8" hospice
    classification: str         # "1" inpatient, "2" home health under a plan of care, "3" outpatient
    frequency: str = "1"        # "1" admit through discharge
    interim: tuple[str, str, str] | None = None  # frequencies of an episode billed in parts: (first, continuing, last)


@dataclass(frozen=True, slots=True)
class Diagnoses:
    """How a claim of the type carries its diagnosis codes (principal first)."""
    limit: int                  # the most codes a claim carries
    other_role: str             # the role of the codes after the principal: "secondary" | "other"
    present_on_admission: str = ""   # the POA indicator of every code ("Y": inpatient claims carry one)
    admitting: bool = False     # the principal repeated as the admitting diagnosis, second in the list


# --- how a claim is priced: one record per payment system ----------------------------------------------


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """Part B fee-schedule lines: a fee per unit varied lognormally, the Part B deductible, then coinsurance."""
    sigma: float                # lognormal spread of a line's allowed amount around its fee
    charge_markup: float        # submitted = allowed × markup × U(1, 2)
    fee_factor: float = 1.0     # a facility line's fee is this multiple of the professional fee
    unit_fees: tuple[tuple[str, float], ...] = ()  # (revenue center, fee per unit) replacing the schedule's
    site_of_service: bool = False   # a professional line at a facility place of service gets the facility fee
    #                                 (facility_pos, facility_fees tables)
    opps: bool = False          # a facility line is coded and paid as the OPPS does (opps_rates table)
    asc_specialty: str = ""     # the CMS specialty of an ambulatory surgical center: a claim it bills is paid the ASC
    #                             payment system's rates (ambulatory_surgery table), type of service F


@dataclass(frozen=True, slots=True)
class RevenueShare:
    """A revenue-center line of a facility stay: its share of the stay's charges, when it is billed, its units."""
    code: str
    share: float
    when: str = ""              # "" always, "procedure" stays with a procedure, "emergency" emergency admissions
    chance: float = 1.0         # below 1: billed on that share of stays (one uniform draw)
    units: str = "one"          # "one" | "days" (the stay's covered days)


@dataclass(frozen=True, slots=True)
class ExcludedHospital:
    """A hospital excluded from the IPPS that bills the inpatient claim type, paid by its own case mix: weight × the
    year's rate (lognormal), with its own high-cost outlier threshold and revenue centers."""
    kind: str                   # its provider kind, and the stays' InpatientStay.pps: "irf", "ltch"
    base_rate: str              # the cost_sharing column holding the year's rate per unit of case-mix weight
    fixed_loss: str             # the cost_sharing column holding its outlier fixed-loss threshold
    cost_sigma: float           # lognormal spread of a stay's cost around its payment
    revenue: tuple[RevenueShare, ...]
    hipps_revenue: str = ""     # the revenue center whose line bills the stay's HIPPS code (an IRF's CMG: 0024)


@dataclass(frozen=True, slots=True)
class DrgPayment:
    """An inpatient stay paid by its DRG: weight × the year's base rate (lognormal), the Part A deductible once
    per benefit period, daily coinsurance for the period's hospital days in `coinsurance_days`; charges split by
    revenue center."""
    base_rate: str              # the cost_sharing column holding the year's base rate
    sigma: float
    charge_ratio: tuple[float, float]  # submitted = allowed × (low + spread × U)
    coinsurance_days: tuple[int, int]  # (after day, through day) of the benefit period's days in the setting that
    #                                    carry coinsurance
    coinsurance_day: str        # the cost_sharing column holding the daily coinsurance
    revenue: tuple[RevenueShare, ...]
    cost_per_day: float = 0.8   # how a stay's cost grows with its days over the DRG's mean stay (1: in proportion;
    #                             above 1 the long stays cost more a day than the short ones)
    cost_days_cap: float = 4.0  # a stay's days count in its cost up to this multiple of the mean stay (past it the
    #                             days are low-cost ones: awaiting placement, not the intensive first days)
    cost_sigma: float = 0.0     # lognormal spread of a stay's cost around its DRG payment
    outlier_share: float = 0.8  # the share of cost above the DRG payment + fixed-loss threshold paid as an outlier
    fixed_loss: str = ""        # the cost_sharing column holding the outlier fixed-loss threshold ("" no outliers)
    excluded: tuple[ExcludedHospital, ...] = ()   # hospitals billing the type outside the IPPS (IRF, LTCH)


@dataclass(frozen=True, slots=True)
class StayPerDiem:
    """A skilled nursing stay paid per covered day (lognormal), with daily coinsurance for the benefit period's SNF
    days in `coinsurance_days`."""
    per_diem: str               # the cost_sharing column holding the year's per diem
    sigma: float
    charge_ratio: tuple[float, float]
    coinsurance_days: tuple[int, int]
    coinsurance_day: str
    revenue: tuple[RevenueShare, ...]


@dataclass(frozen=True, slots=True)
class PeriodPayment:
    """A home health period paid as a whole (lognormal), less for a low-utilization period; no cost sharing.
    The payment is split over the lines by their units."""
    rate: str                   # the cost_sharing column holding the year's period payment
    low_use_factor: float       # the share paid for a low-utilization (LUPA) period
    sigma: float
    charge_markup: float        # a line's submitted = its amount × markup × U(1, 2)


@dataclass(frozen=True, slots=True)
class DailyRate:
    """Care paid per day (lognormal), no cost sharing, on the line billing the days."""
    rate: str                   # the cost_sharing column holding the year's daily rate
    sigma: float
    charge_markup: float
    tiers: str = ""             # a table of the year's two daily rates (days 1-60, 61+) and the hourly rate of the
    #                             visits in the last 7 days of life (hospice_rates; "" one rate)
    intensive_revenue: tuple[str, ...] = ()   # the visit lines the hourly add-on pays (nurse, social worker)


@dataclass(frozen=True, slots=True)
class DrugFill:
    """A Part D fill: the drug's cost (lognormal), the plan tier's cost sharing up to the out-of-pocket threshold
    (the part_d_tiers table), or the low-income subsidy's copay."""
    sigma: float
    lis_copays: tuple[str, str]  # the cost_sharing columns of the low-income subsidy's copay: (generic, brand)
    brand_daw_chance: float     # share of brand fills dispensed as written ("1")
    pay_lag_days: int           # the plan pays within this many days of the fill
    pharmacy_type: str          # "01" community/retail
    drug_coverage: str          # "C" covered
    insulin_tier: str = "insulin"   # the part_d_tiers tier whose fills the year's insulin cap limits


Pricing = FeeSchedule | DrgPayment | StayPerDiem | PeriodPayment | DailyRate | DrugFill


# --- what the care model bills ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Billed:
    """A line the care model bills for a facility episode, and how its units are counted."""
    revenue: str
    hcpcs: str
    per: str = "claim"          # "claim" (1 unit), "day" (the claim's days), "session", "visit"
    share: float = 1.0          # per visit: this line's share of the visits (the last visit line takes the rest)


@dataclass(frozen=True, slots=True)
class StayRounds:
    """Clinicians' visits during a facility stay, billed on professional claims by the stay's attending (and,
    on some stays, a consultant). A code field holds a HCPCS code or an em_levels family drawn by its mix."""
    claim_type: str             # the type of the visits' claims
    first: str                  # HCPCS (or E/M family) of the first visit
    later: str                  # HCPCS (or E/M family) of the visits after it
    pos: str                    # place of service
    offset: int                 # days from admission to the first visit
    every: int                  # days between visits; 0: the stay split into `per_stay` parts
    per_stay: int
    diagnoses: int              # how many of the stay's diagnoses a visit carries
    discharge: str = ""         # HCPCS (or E/M family) of the discharge-day visit ("" none)
    consult_share: float = 0.0  # stays a consultant also sees: first visit, then every `consult_every` days
    consult_every: int = 2
    consultants: tuple[tuple[str, str], ...] = ()   # (principal diagnosis prefix, the consultant's specialty)


@dataclass(frozen=True, slots=True)
class Recurring:
    """A service billed once a month for everyone who needs it (dialysis for ESRD)."""
    line: Billed
    per_30_days: int            # sessions in 30 days
    type_of_bill: TypeOfBill | None = None   # the billing facility's own type of bill (a dialysis facility: 72x)
    drugs: tuple[Billed, ...] = ()           # drug lines billed with the sessions (ESAs), `share` of sessions
    drug_chance: float = 1.0                 # months that bill the drug lines
    capitation: tuple[str, ...] = ()         # the physician's monthly capitation codes (carrier), by age band


# --- what the profile asks of the type ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """The profile's utilization target for the type, as `medisynth stats` measures it from the files."""
    key: str                    # the profile's utilization key
    measure: str                # "claims", "users" (beneficiaries with a claim), "decedent_users"
    per: str                    # "ffs_years", "part_d_years", "ffs_decedents"
    scale: int = 1              # e.g. 1000: per 1,000
    percent: bool = False       # shown as a percentage


# --- the claim type --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class ClaimType:
    """One Blue Button claim type."""
    name: str                   # as in EOB ids and dataset_contract.CLAIM_TYPES
    rank: int                   # order of a day's claims (facility stays first, fills last)
    form: str                   # "professional" (CMS-1500), "institutional" (UB-04), "pharmacy" (NCPDP)
    ids: str                    # "claim" (Parts A/B claim ids) | "pde" (Part D event ids)
    pricing: Pricing
    fhir: FhirShape             # how its ExplanationOfBenefit is shaped
    diagnoses: Diagnoses | None = None
    type_of_bill: TypeOfBill | None = None
    episode: tuple[Billed, ...] = ()    # the lines of the type's facility episodes (home health, hospice)
    hipps: str = ""             # the HIPPS system whose code the episode's PPS line (0022, 0023) bills: "pdpm", "pdgm"
    visits: str = ""            # the visit_disciplines setting of the episode's visit lines ("" none)
    rounds: StayRounds | None = None    # clinicians' visits during the type's stays
    recurring: Recurring | None = None  # a monthly service billed on the type's claims
    visit_billing: str = ""     # who bills a visit of the type: "performer", "hospital", "supplier"
    repetitive: tuple[str, ...] = ()    # revenue centers (prefixes) of repetitive services, billed on one claim a
    #                                     month with each line on its day (IOM 100-04 ch. 1 §50.2.2)
    ccw_claims: int = 0         # claims with a code that show a chronic condition (CCW rule): 1, 2 on
    #                             different dates, 0 when the type does not count
    target: Target | None = None
