"""Read a generated dataset into the few facts the acceptance figures need, from the NDJSON files alone.

Independent of the generator and of `medisynth stats`: it imports only the dataset contract (which file holds
what, the code-system URLs) and orjson. Each EOB becomes a `Claim` (header facts) with its `Line`s; each
beneficiary a `Person` with their fee-for-service months, read from entitlement as CCW's beneficiary file
records it (the Part A Coverage's monthly buy-in indicator) and Part C contracts, not from Coverage.status.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import orjson

from dataset_contract import open_dataset
from dataset_contract.systems import BB_VARIABLES, HCPCS_SYSTEM, ICD10CM_SYSTEM, NDC_SYSTEM

A_AND_B_BUYIN = frozenset("3C")
"""MDCR_ENTLMT_BUYIN_IND: 3 Parts A and B, C Parts A and B with state buy-in (1/A: A only, 2/B: B only, 0: none)."""
PART_B_BUYIN = frozenset("23BC")
"""The buy-in indicators with Part B in force."""
LIS_CSTSHR = frozenset(f"{n:02d}" for n in range(1, 9))
"""CSTSHR_CD 01-08: a low-income subsidy cost-sharing group (09: no subsidy, 00: not in Part D)."""
ESRD_MS_CD = frozenset({"11", "21", "31"})


def day(text) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if isinstance(text, str) and len(text) >= 10 else None


def variable(url: str) -> str:
    """`…/variables/clm_drg_cd` -> `clm_drg_cd` (any other URL: its last segment)."""
    return url.rsplit("/", 1)[-1]


@dataclass(slots=True)
class Line:
    hcpcs: str                  # "" when the line has no HCPCS coding
    revenue: str                # revenue center code (institutional), ""
    pos: str                    # place of service (carrier/DME), ""
    day: dt.date | None         # the line's service date (else the claim's first day)
    modified: bool
    performer: str              # the performing clinician's NPI (carrier), else the billing NPI
    cost_sharing: float         # the line's deductible + coinsurance
    allowed: float
    product: str = ""           # the first productOrService code, of any system (a HIPPS code on 0022/0023)
    modifiers: tuple[str, ...] = ()
    quantity: float = 1.0
    dated: bool = False         # the line carries its own service date


@dataclass(slots=True)
class Claim:
    kind: str
    patient: str
    first: dt.date | None
    last: dt.date | None
    admitted: dt.date | None    # inpatient/SNF admission date
    processed: dt.date | None   # NCH weekly process date (else `created`)
    payment: float
    status: str                 # discharge status, two digits ("" when absent)
    drg: str
    ccn: str
    bill_type: str              # facility type + service classification ("72" for a dialysis facility)
    procedures: list[str]
    diagnoses: list[str]        # ICD-10-CM, dot-less, the principal first
    outlier: float
    lines: list[Line]
    specialties: list[str]      # the care team's CMS specialty codes (prvdr_spclty qualification codings)
    # PDE only
    drug: str = ""
    days_supply: float = 0.0
    patient_pay: float = 0.0
    other_troop: float = 0.0
    lics: float = 0.0
    above_threshold: float = 0.0


@dataclass(slots=True)
class Person:
    female: bool
    death: dt.date | None
    esrd: bool = False
    part_c: dict = field(default_factory=dict)     # month number -> Part C contract ("0": none)
    ffs_months: int = 0         # months with Parts A and B, no Part C, alive
    part_b: set = field(default_factory=set)       # (year, month) with Part B in force
    lis_years: set = field(default_factory=set)
    part_d_years: set = field(default_factory=set)


@dataclass
class Data:
    period_start: dt.date
    period_end: dt.date
    people: dict[str, Person]
    claims: list[Claim]
    patient_order: list[str]
    strict_errors: int
    sample_fields: dict         # claim type -> set of field paths of its first EOBs (fidelity)


def _codings(concept) -> list:
    return (concept or {}).get("coding") or []


def _amounts(adjudication) -> dict[str, float]:
    out = {}
    for adj in adjudication or ():
        value = (adj.get("amount") or {}).get("value")
        for coding in _codings(adj.get("category")):
            if str(coding.get("code", "")).startswith(BB_VARIABLES) and value is not None:
                out[variable(coding["code"])] = value
    return out


def _info(eob: dict) -> dict[str, dict]:
    """supportingInfo by its CCW variable or CARIN category code (the last coding of its category)."""
    out = {}
    for info in eob.get("supportingInfo") or ():
        codings = _codings(info.get("category"))
        if codings:
            out[variable(str(codings[-1].get("code", "")))] = info
    return out


def _info_code(info: dict | None) -> str:
    for coding in _codings((info or {}).get("code")):
        if coding.get("code"):
            return str(coding["code"])
    return ""


def _extensions(node: dict) -> dict[str, dict]:
    return {variable(e.get("url", "")): e for e in node.get("extension") or ()}


def _ext_code(ext: dict | None) -> str:
    return str(((ext or {}).get("valueCoding") or {}).get("code") or "")


def _line(item: dict, claim_first, team: dict, billing: str) -> Line:
    hcpcs = next((c.get("code") or "" for c in _codings(item.get("productOrService"))
                  if c.get("system") == HCPCS_SYSTEM), "")
    revenue = next((c.get("code") or "" for c in _codings(item.get("revenue"))
                    if c.get("system", "").endswith("/rev_cntr")), "")
    pos = next((c.get("code") or "" for c in _codings(item.get("locationCodeableConcept"))
                if c.get("system", "").endswith("/line_place_of_srvc_cd")), "")
    served = day(item.get("servicedDate") or (item.get("servicedPeriod") or {}).get("start")) or claim_first
    performer = billing
    for seq in item.get("careTeamSequence") or ():
        member = team.get(seq) or {}
        if any(c.get("code") == "performing" for c in _codings(member.get("role"))):
            performer = ((member.get("provider") or {}).get("identifier") or {}).get("value") or billing
            break
    money = _amounts(item.get("adjudication"))
    shared = sum(money.get(k, 0.0) for k in ("line_bene_ptb_ddctbl_amt", "line_coinsrnc_amt",
                                              "rev_cntr_cash_ddctbl_amt", "rev_cntr_coinsrnc_wge_adjstd_c"))
    return Line(product=next((c.get("code") or "" for c in _codings(item.get("productOrService"))), ""),
                modifiers=tuple(c.get("code") or "" for m in item.get("modifier") or () for c in _codings(m)),
                quantity=(item.get("quantity") or {}).get("value", 1),
                dated=bool(item.get("servicedDate") or item.get("servicedPeriod")),
                hcpcs=hcpcs, revenue=revenue, pos=pos, day=served, modified=bool(item.get("modifier")),
                performer=performer, cost_sharing=shared,
                allowed=money.get("line_alowd_chrg_amt", 0.0))


def _claim(eob: dict) -> Claim:
    kind = eob["id"].split("-", 1)[0]
    period = eob.get("billablePeriod") or {}
    first, last = day(period.get("start")), day(period.get("end") or period.get("start"))
    info = _info(eob)
    header = _extensions(eob)
    facility = _extensions(eob.get("facility") or {})
    team = {m.get("sequence"): m for m in eob.get("careTeam") or ()}
    billing = ((eob.get("provider") or {}).get("identifier") or {}).get("value") or ""
    ccn = ""
    for res in eob.get("contained") or ():
        for ident in res.get("identifier") or ():
            if any(c.get("code") == "PRN" for c in _codings(ident.get("type"))):
                ccn = ident.get("value") or ""
    diagnoses = []
    for dx in sorted(eob.get("diagnosis") or (), key=lambda d: d.get("sequence", 0)):
        codes = [c["code"] for c in _codings(dx.get("diagnosisCodeableConcept"))
                 if c.get("system") == ICD10CM_SYSTEM and c.get("code")]
        if codes:
            principal = any(c.get("code") == "principal" for t in dx.get("type") or () for c in _codings(t))
            code = codes[0].replace(".", "")
            diagnoses.insert(0 if principal else len(diagnoses), code)
    outlier = 0.0
    for balance in eob.get("benefitBalance") or ():
        for fin in balance.get("financial") or ():
            if any(variable(str(c.get("code", ""))) == "nch_drg_outlier_aprvd_pmt_amt"
                   for c in _codings(fin.get("type"))):
                outlier = (fin.get("usedMoney") or {}).get("value") or 0.0
    admission = (info.get("admissionperiod") or {}).get("timingPeriod") or {}
    processed = day((info.get("nch_wkly_proc_dt") or {}).get("timingDate")) or day(eob.get("created"))
    status = _info_code(info.get("discharge-status"))
    claim = Claim(
        kind=kind, patient=((eob.get("patient") or {}).get("reference") or "").removeprefix("Patient/"),
        first=first, last=last, admitted=day(admission.get("start")), processed=processed,
        payment=((eob.get("payment") or {}).get("amount") or {}).get("value") or 0.0,
        status=status.zfill(2) if status else "", drg=_info_code(info.get("clm_drg_cd")), ccn=ccn,
        bill_type=_ext_code(facility.get("clm_fac_type_cd")) + _ext_code(header.get("clm_srvc_clsfctn_type_cd")),
        procedures=[c.get("code", "") for p in eob.get("procedure") or ()
                    for c in _codings(p.get("procedureCodeableConcept"))[:1]],
        diagnoses=diagnoses, outlier=outlier,
        lines=[_line(item, first, team, billing) for item in eob.get("item") or ()],
        specialties=[c.get("code", "") for m in team.values() for c in _codings(m.get("qualification"))
                     if c.get("system") == BB_VARIABLES + "prvdr_spclty"])
    if kind == "pde":
        item = (eob.get("item") or [{}])[0]
        money = _amounts(item.get("adjudication"))
        claim.drug = " ".join(c.get("display", "") for c in _codings(item.get("productOrService"))
                              if c.get("system") == NDC_SYSTEM)
        claim.days_supply = ((info.get("dayssupply") or {}).get("valueQuantity") or {}).get("value") or 0.0
        claim.patient_pay = money.get("ptnt_pay_amt", 0.0)
        claim.other_troop = money.get("othr_troop_amt", 0.0)
        claim.lics = money.get("lics_amt", 0.0)
        claim.above_threshold = money.get("gdc_abv_oopt_amt", 0.0)
    return claim


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    out, (y, m) = [], (start.year, start.month)
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _monthly(coverage: dict, prefix: str) -> dict[int, str]:
    """Month number -> code of the `<prefix>01..12` extensions."""
    out = {}
    for name, ext in _extensions(coverage).items():
        if name.startswith(prefix) and name[len(prefix):].isdigit() and len(name) == len(prefix) + 2:
            out[int(name[len(prefix):])] = _ext_code(ext) or str((ext.get("valueIdentifier") or {}).get("value", ""))
    return out


def _coverage(c: dict, person: Person, months) -> None:
    """Fee-for-service months from Part A's buy-in and Part C's contracts; ESRD; Part D and LIS years."""
    part = str(c.get("id", ""))[5:6]
    if part == "a":
        exts = _extensions(c)
        person.esrd = _ext_code(exts.get("ms_cd")) in ESRD_MS_CD or _ext_code(exts.get("esrd_ind")) == "Y"
        buyin = _monthly(c, "buyin")
        alive = [(y, m) for y, m in months if person.death is None or (y, m) <= (person.death.year,
                                                                                person.death.month)]
        person.ffs_months = sum(1 for y, m in alive if buyin.get(m, "0") in A_AND_B_BUYIN
                                and person.part_c.get(m, "0") in ("", "0"))
        person.part_b = {(y, m) for y, m in months if buyin.get(m, "0") in PART_B_BUYIN}
    elif part == "d":
        contracts, groups = _monthly(c, "ptdcntrct"), _monthly(c, "cstshr")
        for y, m in months:
            if contracts.get(m, "0") not in ("", "0", "N"):
                person.part_d_years.add(y)
                if groups.get(m, "") in LIS_CSTSHR:
                    person.lis_years.add(y)


def read(directory, sample: int = 1000, fields=None, strict=None) -> Data:
    """The dataset's people and claims. `fields(eob)` gives the field paths of an EOB (the first `sample` of each
    type are gathered); `strict(eob)` its count of strict-R4 errors."""
    ds = open_dataset(directory)
    months = _months(ds.period_start, ds.period_end)
    people: dict[str, Person] = {}
    order = []
    for _, raw in ds.lines("Patient"):
        p = orjson.loads(raw)
        people[p["id"]] = Person(female=p.get("gender") == "female", death=day(p.get("deceasedDateTime")))
        order.append(p["id"])
    coverages = [orjson.loads(raw) for _, raw in ds.lines("Coverage")]
    for c in coverages:      # Part C first: Part A's FFS months need to know the MA months
        person = people.get(((c.get("beneficiary") or {}).get("reference") or "").removeprefix("Patient/"))
        if person is not None and str(c.get("id", "")).startswith("part-c"):
            person.part_c = _monthly(c, "ptc_cntrct_id_")
    for c in coverages:
        person = people.get(((c.get("beneficiary") or {}).get("reference") or "").removeprefix("Patient/"))
        if person is not None:
            _coverage(c, person, months)
    claims, strict_errors, sample_fields, counts = [], 0, {}, {}
    for _, raw in ds.lines("ExplanationOfBenefit"):
        eob = orjson.loads(raw)
        claim = _claim(eob)
        claims.append(claim)
        if strict is not None:
            strict_errors += strict(eob)
        if fields is not None and counts.get(claim.kind, 0) < sample:
            counts[claim.kind] = counts.get(claim.kind, 0) + 1
            sample_fields.setdefault(claim.kind, set()).update(fields(eob))
    return Data(period_start=ds.period_start, period_end=ds.period_end, people=people, claims=claims,
                patient_order=order, strict_errors=strict_errors, sample_fields=sample_fields)
