"""The vocabulary of an ExplanationOfBenefit's shape, as a claim type's spec declares it (data-model.md §5–§9).

Each record describes a part of the resource and where its values come from (values.py); the FHIR writer
compiles a type's `FhirShape` into byte templates once, at import (generator/fhir/layout.py), and reads
nothing else about the type. Key order follows BFD's v2 responses.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from .values import Source

# --- header extensions ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Extension:
    """A header extension named by a CCW variable: `{"url": …/variables/<variable>, value[x]: <the source's>}`."""
    variable: str
    source: Source
    kind: str = "coding"        # "coding" (with the codebook's display), "identifier", "date", "quantity", "money"


# --- supportingInfo ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Category:
    """A supportingInfo category: HL7's `info` (or a CARIN supporting-info type), then the CCW variable's slot."""
    variable: str | None = None
    carin: tuple[str, str] | None = None   # (code, display) of the C4BBSupportingInfoType coding


@dataclass(frozen=True, slots=True)
class Code:
    """`"code"`: the CCW coding of the source's code (no entry when the code is empty or not text)."""
    variable: str
    source: Source
    strip_zero: bool = False    # written without leading zeros, as BFD stores some codes


@dataclass(frozen=True, slots=True)
class BlankCode:
    """`"code"` naming the variable's system only: a code BB2 sends blank (e.g. Medicare is the primary payer)."""
    variable: str


@dataclass(frozen=True, slots=True)
class Concept:
    """`"code"`: a coding of `system` chosen by the source's value among `codes` ((value, code, display), …)."""
    source: Source
    system: str
    codes: tuple[tuple[Any, str, str], ...]


@dataclass(frozen=True, slots=True)
class TimingDate:
    """`"timingDate"`: the source's date (no entry without one)."""
    source: Source


@dataclass(frozen=True, slots=True)
class TimingPeriod:
    """`"timingPeriod"`: from the start source to the end source (start only when `end` is None)."""
    start: Source
    end: Source | None = None


@dataclass(frozen=True, slots=True)
class TimingSpan:
    """`"timingPeriod"` of a (start, end) pair the source holds (no entry when it holds none)."""
    source: Source


@dataclass(frozen=True, slots=True)
class Quantity:
    """`"valueQuantity"`: {"value": the source's number} (no entry without one), with its UCUM unit when given."""
    source: Source
    unit: tuple[str, str] | None = None     # (unit, UCUM code), e.g. ("pint", "[pt_us]")


InfoValue = Code | BlankCode | Concept | TimingDate | TimingPeriod | TimingSpan | Quantity


@dataclass(frozen=True, slots=True)
class Info:
    """One supportingInfo entry: its category and its value."""
    category: Category
    value: InfoValue


# --- money -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Adjudication:
    """An item's adjudication slice: a CARIN/HL7 category, the CCW variable it carries, the amount's source."""
    category: str               # submitted, eligible, deductible, benefit, coinsurance, paidtoprovider, …
    variable: str
    source: Source
    extension: tuple[str, str] | None = None   # (variable, code) of a fixed coding extension on the slice


@dataclass(frozen=True, slots=True)
class Total:
    """A total: its category (with the CCW variable when it names one) and the amount's source."""
    category: str               # as Adjudication's, or "other" (CARIN's payer adjudication status)
    source: Source
    variable: str | None = None


@dataclass(frozen=True, slots=True)
class Balance:
    """A benefitBalance financial entry named by a CCW variable: money, or a count of days."""
    variable: str
    source: Source
    count: bool = False         # usedUnsignedInt (an integer) instead of usedMoney


# --- who -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CareTeam:
    """How the careTeam is built: the claim's providers first, then each line's performer, once each."""
    heads: tuple[tuple[str, str], ...]   # (claim key, careTeam role) of the first members, in order
    heads_qualified: bool               # head members carry their NUCC taxonomy
    performers_credentialed: bool       # performers carry participation, responsibility and their CMS specialty
    line_performers: bool = False       # lines name their performing clinician (professional claims)
    supplier_performs: bool = False     # lines without a performer are performed by the billing provider
    billing_primary: bool = False       # the billing provider closes the team as primary, every line links to it
    performer_type: bool = False        # performers carry carr_line_prvdr_type_cd: "0" a group bills for them, "1" solo
    performed_by: tuple[tuple[str, str], ...] = ()  # institutional: (revenue-center prefix, claim key) a line of
    #                                     such a revenue center is rendered by that provider (rev_cntr_rndrg_physn_npi)


# --- the shape -----------------------------------------------------------------------------------------------


class ProfessionalShape(TypedDict):
    """The FhirShape fields the professional-form types share (common.PROFESSIONAL_SHAPE, spread into a spec's)."""
    subtype: str | None
    id_variable: str
    supporting_info: tuple[Info, ...]
    totals: tuple[Total, ...]
    balances: tuple[Balance, ...]
    facility: str | None
    line_extensions: tuple[tuple[str, str], ...]


class InstitutionalShape(TypedDict):
    """The FhirShape fields the institutional-form types share (common.INSTITUTIONAL_SHAPE)."""
    id_variable: str
    totals: tuple[Total, ...]
    care_team: CareTeam
    provider: str
    facility: str | None
    final_bill: bool



@dataclass(frozen=True, slots=True, eq=False)
class FhirShape:
    """Everything that differs between claim types' ExplanationOfBenefits."""
    profile: str                # the C4BB profile's name (after "C4BB-")
    eob_type: str               # the Blue Button eob-type code
    category: str               # HL7 claim-type: "professional", "institutional", "pharmacy"
    nch_type: str | None        # nch_clm_type_cd (None: the type has none)
    subtype: str | None         # C4BB institutional claim subtype
    coverage_part: str          # the Coverage the EOB names: "a", "b", "d"
    id_variable: str            # the variable of the claim id identifier
    diagnosis_style: str        # "professional" (principal, secondary) | "institutional" (Principal Diagnosis, other)
    header: tuple[Extension, ...]
    supporting_info: tuple[Info, ...]
    line_amounts: tuple[Adjudication, ...]
    totals: tuple[Total, ...]
    care_team: CareTeam
    provider: str               # "contained" (the facility as a contained Organization), "billing_npi",
    #                             "practitioner" (typed, with its display), "npi"
    facility: str | None        # "bill_type" (the facility type of the type of bill), "pharmacy", None
    balances: tuple[Balance, ...] = ()   # none: no benefitBalance
    payment: str = "amount"     # "amount" (Medicare's payment) | "date" (when the plan paid)
    products: str = "hcpcs"     # the code system of the items' products: "hcpcs" | "ndc"
    disposition: str | None = None
    final_bill: bool = False    # billablePeriod carries claim_query_cd 3 (final bill)
    poa: bool = False           # diagnoses carry numbered present-on-admission indicators
    procedures: bool = False    # ICD-10-PCS procedures are written
    line_date: bool = False     # items carry their servicedDate
    hcpcs_cd_coding: bool = False        # products carry the hcpcs_cd coding before the HCPCS one
    revenue_deductible_coding: bool = False  # revenue codes carry the deductible/coinsurance codings
    revenue_status: Source | None = None     # an item's OPPS status indicator (None: no status extension)
    line_extensions: tuple[tuple[str, str], ...] = ()   # (variable, code) fixed coding extensions of every item
    line_units: str | None = None   # professional items carry their units: "carr_line_mtus" (count and indicator
    #                                 codings) | "dmerc_line_mtus" (a count quantity with the indicator as its code)
    supplier_lines: bool = False    # DME items carry the supplier's number and type, the pricing state, screen savings
    pricing_location: bool = False  # carrier items' locations carry the fee schedule locality, lab lines the CLIA
    line_reasons: tuple[tuple[str, Source], ...] = ()   # (variable, code source read from the line): an item's
    #                                 denial-reason adjudications (no entry where the code is None)
    visit_reason: bool = False      # the principal diagnosis is also the patient's reason for an ED or clinic visit
