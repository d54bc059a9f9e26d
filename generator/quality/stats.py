"""`medisynth stats DIR`: population, condition and utilization statistics of a dataset vs its profile.

Everything is computed from the files alone (Patient, Coverage, EOB), streamed line by line: memory
grows with the number of beneficiaries, never with the number of claims. A condition counts only the
way CMS's Chronic Conditions Warehouse finds it (realism.md §2.1): one inpatient/SNF/HHA claim, or two
carrier/outpatient claims on different dates, carrying one of its codes (each claim type's spec says which).
Rates are per beneficiary-year of fee-for-service enrollment (Parts A and B, no Part C); Part D fills per Part D
enrollee-year.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import orjson

from dataset_contract import CLAIM_TYPES, Dataset, DatasetError, open_dataset
from dataset_contract.systems import BB_VARIABLES, HCPCS_SYSTEM, NDC_SYSTEM
from generator.fhir.read import (
    adjudication_amounts, diagnosis_codes, eob_type, extension_value,
    monthly_values, parse_date, product_codes, ref_id, supporting_code,
)
from generator.claim_types import BY_RANK, TYPES
from generator.model.ccw import condition_by_code, see_claim
from generator.quality.joint import AREAS
from generator.quality.rows import TOLERANCE, Row, _Bene, _row, fmt_value, range_row  # noqa: F401 (re-exported)
from generator.tables import table
from generator.profile import AGE_BANDS, load_profile

ESRD_STATUS = frozenset({"11", "21", "31"})
NOT_DUAL = frozenset({"", "NA", "00", "09", "99"})
NOT_ENROLLED = frozenset({"", "0", "N", "None"})
LIS_GROUPS = frozenset(f"{n:02d}" for n in range(1, 9))
"""cstshrMM 01-08: a low-income subsidy cost-sharing group (09 none, 00 not in Part D)."""
MULTIMORBIDITY = (("0-1", 0, 1, 0.31), ("2-3", 2, 3, 0.29), ("4-5", 4, 5, 0.22), ("6+", 6, 99, 0.18))
"""Condition-count bins and their national shares (realism.md §2.2, 2018), shown as information."""

_PTD_HISTORY = re.compile(re.escape(BB_VARIABLES) + r"ptdcntrct\d\d/(\d{4})-(\d{1,2})$")
TOP_N = 10


@dataclass
class StatsReport:
    dataset: Dataset
    profile_name: str
    rows: list[Row] = field(default_factory=list)
    beneficiaries: int = 0
    ffs_years: float = 0.0
    part_d_years: float = 0.0
    claims_by_type: Counter = field(default_factory=Counter)
    payment_by_type: dict = field(default_factory=dict)       # claim type -> mean payment per claim
    claims_per_bene_by_type: dict = field(default_factory=dict)
    top_drgs: list = field(default_factory=list)              # [(code, display, count)]
    top_hcpcs: list = field(default_factory=list)
    top_drugs: list = field(default_factory=list)
    age_sex: Counter = field(default_factory=Counter)          # ("female"|"male", 5-year band start) -> benes
    states: Counter = field(default_factory=Counter)           # USPS code -> beneficiaries
    claims_per_bene_hist: dict = field(default_factory=dict)   # claim type -> Counter(claims -> beneficiaries)
    payment_bins: dict = field(default_factory=dict)           # claim type -> Counter(log10 bin -> claims)

    @property
    def ok(self) -> bool:
        return all(r.ok is not False for r in self.rows)

    def row(self, name: str) -> Row:
        return next(r for r in self.rows if r.name == name)

    def render_text(self) -> str:
        ds = self.dataset
        out = [f"Realism report for {ds.directory}: profile {self.profile_name}, {self.beneficiaries:,} beneficiaries, "
               f"period {ds.period_start}..{ds.period_end}",
               f"  {self.ffs_years:,.1f} fee-for-service beneficiary-years, {self.part_d_years:,.1f} Part D "
               "enrollee-years", "",
               f"  {'metric':<44} {'target':>9} {'observed':>9}  {'tolerance':<9}  ok"]
        group = None
        for r in self.rows:
            if r.group != group:
                group = r.group
                out.append(f"  {group}")
            mark = "" if r.ok is None else "ok" if r.ok else "✗"
            out.append(f"    {r.name:<42} {fmt_value(r.target, r.percent):>9} {fmt_value(r.observed, r.percent):>9}  "
                       f"{r.tolerance:<9}  {mark}")
        checked = [r for r in self.rows if r.ok is not None]
        out += ["", f"  {sum(r.ok for r in checked)} of {len(checked)} checked metrics within tolerance", "",
                f"  {'claim type':<12} {'claims':>10} {'per bene':>9} {'mean payment':>13}"]
        for t in CLAIM_TYPES:
            out.append(f"  {t:<12} {self.claims_by_type.get(t, 0):>10,} {self.claims_per_bene_by_type.get(t, 0):>9.2f} "
                       f"{self.payment_by_type.get(t, 0):>13,.2f}")
        for title, top in (("DRGs", self.top_drgs), ("HCPCS", self.top_hcpcs), ("drugs", self.top_drugs)):
            out += ["", f"  top {title}:"] + [f"    {n:>8,}  {code}  {display}"[:110] for code, display, n in top]
        return "\n".join(out)




def dataset_stats(directory) -> StatsReport:
    """Read the dataset in `directory` and compare it with its profile's targets."""
    ds = open_dataset(directory, required=("Patient",))
    profile = load_profile(ds.manifest.profile)
    benes = _read_patients(ds)
    _read_coverage(ds, benes)
    claims = _Claims(benes, _condition_by_code())
    areas = [area() for area in AREAS]
    for number, raw in ds.lines("ExplanationOfBenefit"):
        eob = _load(raw, ds, "ExplanationOfBenefit", number)
        claims.see(eob)
        bene = benes.get(ref_id(eob.get("patient"), "Patient/") or "")
        for area in areas:
            area.see(eob, bene)
    report = StatsReport(dataset=ds, profile_name=profile.name, beneficiaries=len(benes))
    ffs_ids = _compare(report, profile, benes, claims, _period_months(ds))
    for area in areas:
        report.rows += area.rows(benes, ffs_ids, report.ffs_years)
    return report


def _load(raw: bytes, ds: Dataset, rtype: str, number: int) -> dict:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise DatasetError(f"{ds.files[rtype].name}:{number}: not JSON (run `medisynth validate`)") from None


def _read_patients(ds: Dataset) -> dict[str, _Bene]:
    benes = {}
    for number, raw in ds.lines("Patient"):
        p = _load(raw, ds, "Patient", number)
        birth = parse_date(p.get("birthDate"))
        age = None
        if birth:
            end = ds.period_end
            age = end.year - birth.year - ((end.month, end.day) < (birth.month, birth.day))
        benes[str(p.get("id"))] = _Bene(
            female=p.get("gender") == "female", age=age, race=extension_value(p, "race") or "0",
            death=parse_date(p.get("deceasedDateTime")),
            dual=any(code not in NOT_DUAL for code in monthly_values(p, "dual_").values()),
            esrd=False, months_ab={"A": set(), "B": set()}, months_c=set(), months_d=set(), ccw={}, pending={},
            state=str(((p.get("address") or [{}])[0] or {}).get("state") or ""))
    return benes


def _period_months(ds: Dataset) -> list[tuple[int, int]]:
    months, (y, m) = [], (ds.period_start.year, ds.period_start.month)
    while (y, m) <= (ds.period_end.year, ds.period_end.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _read_coverage(ds: Dataset, benes: dict[str, _Bene]) -> None:
    """Which months each beneficiary had Parts A, B (periods), C and D (monthly extensions) in force."""
    months = _period_months(ds)
    for number, raw in ds.lines("Coverage"):
        c = _load(raw, ds, "Coverage", number)
        bene = benes.get(ref_id(c.get("beneficiary"), "Patient/") or "")
        part = str(c.get("id", ""))[5:6].upper()
        if bene is None or part not in "ABCD":
            continue
        if part in "AB":
            if c.get("status", "active") == "active" or (c.get("period") or {}).get("end"):
                bene.months_ab[part].update(_months_in_period(c.get("period") or {}, months))
            if part == "A":
                bene.esrd = extension_value(c, "ms_cd") in ESRD_STATUS or extension_value(c, "esrd_ind") == "Y"
        elif part == "C":
            bene.months_c.update(_monthly_enrolled(c, "ptc_cntrct_id_", months))
        else:
            bene.months_d.update(_part_d_history(c, months) or _monthly_enrolled(c, "ptdcntrct", months))
            lis = {m for m, code in monthly_values(c, "cstshr").items() if code in LIS_GROUPS}
            bene.months_lis.update((y, m) for y, m in months if m in lis)


def _months_in_period(period: dict, months) -> list:
    start, end = parse_date(period.get("start")), parse_date(period.get("end"))
    return [(y, m) for y, m in months if (start is None or (start.year, start.month) <= (y, m))
            and (end is None or (y, m) <= (end.year, end.month))]


def _monthly_enrolled(c: dict, prefix: str, months) -> set:
    """Months enrolled by the `<prefix>01..12` extensions, applied to every year of the period."""
    enrolled = {m for m, code in monthly_values(c, prefix).items() if code not in NOT_ENROLLED}
    return {(y, m) for y, m in months if m in enrolled}


def _part_d_history(c: dict, months) -> set:
    """Part D months from the `ptdcntrctMM/YYYY-M` history extensions (exact for every year)."""
    wanted, out = set(months), set()
    for ext in c.get("extension") or ():
        match = _PTD_HISTORY.match(ext.get("url", ""))
        if match and (ext.get("valueCoding") or {}).get("code") not in NOT_ENROLLED:
            month = (int(match.group(1)), int(match.group(2)))
            if month in wanted:
                out.add(month)
    return out


class _Claims:
    """Streaming tallies over EOBs: counts, payments, users, CCW condition evidence, top codes."""

    def __init__(self, benes: dict[str, _Bene], condition_by_code: dict[str, str]):
        self.benes, self.condition_by_code = benes, condition_by_code
        self.count, self.paid = Counter(), Counter()
        self.users: dict[str, set] = defaultdict(set)
        self.per_bene: dict[str, Counter] = defaultdict(Counter)      # claim type -> patient -> claims
        self.payment_bins: dict[str, Counter] = defaultdict(Counter)  # claim type -> log10 bin -> claims
        self.drgs, self.hcpcs, self.drugs = Counter(), Counter(), Counter()
        self.displays: dict[str, str] = {}
        self.drg_titles = {row["drg"]: row["display"] for row in table("drg")}

    def see(self, eob: dict) -> None:
        claim_type, patient = eob_type(eob), ref_id(eob.get("patient"), "Patient/")
        self.count[claim_type] += 1
        payment = _payment(eob)
        self.paid[claim_type] += payment
        self.payment_bins[claim_type][payment_bin(payment)] += 1
        self.users[claim_type].add(patient)
        self.per_bene[claim_type][patient] += 1
        bene = self.benes.get(patient or "")
        spec = TYPES.get(claim_type)
        evidence = spec.ccw_claims if spec else 0
        if bene is not None and evidence:
            self._ccw(bene, evidence, parse_date((eob.get("billablePeriod") or {}).get("start")), diagnosis_codes(eob))
        drg, display = supporting_code(eob, "clm_drg_cd")
        if drg:
            self.drgs[drg] += 1
            self.displays.setdefault(f"DRG {drg}", display or self.drg_titles.get(drg, ""))
        drugs = spec is not None and spec.fhir.products == "ndc"
        for code, display in product_codes(eob, NDC_SYSTEM if drugs else HCPCS_SYSTEM):
            (self.drugs if drugs else self.hcpcs)[code] += 1
            self.displays.setdefault(code, display)

    def _ccw(self, bene: _Bene, evidence: int, day, codes) -> None:
        """Count the codes of a claim towards the CCW rule: `evidence` claims (1, or 2 on different dates)."""
        see_claim(bene.ccw, bene.pending, evidence, day, codes, self.condition_by_code)

    def top(self, counter: Counter, prefix: str = "") -> list:
        return [(code, self.displays.get(prefix + code, ""), n) for code, n in counter.most_common(TOP_N)]


def _payment(eob: dict) -> float:
    """Medicare's payment for the claim: payment.amount, or the Part D plan's paid amount for a PDE."""
    amount = ((eob.get("payment") or {}).get("amount") or {}).get("value")
    if amount is not None:
        return amount
    return sum(adjudication_amounts(item.get("adjudication")).get("cvrd_d_plan_pd_amt", 0)
               for item in eob.get("item") or ())


PAYMENT_BINS_PER_DECADE = 5


def payment_bin(amount: float) -> int:
    """The log-scale bin of a payment: bin b holds [10**(b/5), 10**((b+1)/5)); payments under $1 are bin -1."""
    return math.floor(math.log10(amount) * PAYMENT_BINS_PER_DECADE) if amount >= 1 else -1


def _condition_by_code() -> dict[str, str]:
    return condition_by_code()


def _compare(report: StatsReport, profile, benes: dict[str, _Bene], claims: _Claims, months) -> set[str]:
    """The marginal rows against the profile's targets; returns the fee-for-service beneficiaries' ids."""
    everyone = list(benes.values())
    aged = [b for b in everyone if b.age is not None and b.age >= 65]
    young = [b for b in everyone if b.age is not None and b.age < 65]
    ffs_ids, ffs_months, d_months = set(), 0, 0
    for pid, b in benes.items():
        alive = [m for m in months if b.death is None or m <= (b.death.year, b.death.month)]
        n_ffs = sum(1 for m in alive if m in b.months_ab["A"] and m in b.months_ab["B"] and m not in b.months_c)
        ffs_months += n_ffs
        d_months += sum(1 for m in alive if m in b.months_d)
        if n_ffs:
            ffs_ids.add(pid)
    ffs = [benes[pid] for pid in ffs_ids]
    report.ffs_years, report.part_d_years = ffs_months / 12, d_months / 12
    pop, rows = profile.population, report.rows

    def share(group, name, target, people, test, kind="share"):
        rows.append(_row(group, name, target, sum(map(test, people)) / len(people) if people else None, kind))

    share("population", "female share", pop["female_share"], everyone, lambda b: b.female)
    share("population", "under 65 share", pop["under_65_share"], everyone, lambda b: b.age is not None and b.age < 65)
    share("population", "ESRD share", pop["esrd_share"], everyone, lambda b: b.esrd)
    share("population", "dual share, under 65", pop["dual_share"]["under_65"], young, lambda b: b.dual)
    share("population", "dual share, 65+", pop["dual_share"]["aged"], aged, lambda b: b.dual)
    share("population", "Part D enrollment share", pop["part_d_share"], everyone, lambda b: bool(b.months_d))
    share("population", "Medicare Advantage share", pop["medicare_advantage_share"], everyone,
          lambda b: bool(b.months_c))
    for band in AGE_BANDS:
        share("age band (65+)", band, pop["age_bands"][band], aged, lambda b, band=band: _band(b.age) == band)
    for code, target in sorted(pop["race"].items()):
        share("race (RTI code)", f"race {code}", target, everyone, lambda b, code=code: b.race == code)
    for condition, target in profile.conditions.items():
        share("condition prevalence (CCW rule, FFS)", condition, target, ffs, lambda b, c=condition: c in b.ccw,
              "prevalence")
    for label, lo, hi, target in MULTIMORBIDITY:
        share("conditions per FFS beneficiary (information)", label, target, ffs,
              lambda b, lo=lo, hi=hi: lo <= len(b.ccw) <= hi, "info")
    report.age_sex = Counter(("female" if b.female else "male", min(b.age // 5 * 5, 95))
                             for b in everyone if b.age is not None)
    report.states = Counter(b.state for b in everyone if b.state)
    _utilization_rows(report, profile, {pid: benes[pid] for pid in ffs_ids}, claims)
    _claim_tables(report, claims)
    return ffs_ids


def _utilization_rows(report: StatsReport, profile, ffs: dict[str, _Bene], claims: _Claims) -> None:
    """Rates per FFS beneficiary-year (Part D fills per enrollee-year) for the FFS beneficiaries `ffs`."""
    ffs_decedents = {pid for pid, b in ffs.items() if b.death is not None}
    denominators = {"ffs_years": report.ffs_years, "part_d_years": report.part_d_years,
                    "ffs_decedents": len(ffs_decedents)}
    for spec in BY_RANK:
        target = spec.target
        if target is None:
            continue
        users = claims.users[spec.name]
        if target.measure == "claims":
            numerator = claims.count[spec.name]
        else:
            numerator = len(users & (ffs.keys() if target.measure == "users" else ffs_decedents))
        d = denominators[target.per]
        report.rows.append(_row("utilization", target.key, profile.utilization[target.key],
                                numerator / d * target.scale if d else None, "rate", target.percent))


def _claim_tables(report: StatsReport, claims: _Claims) -> None:
    report.claims_by_type = Counter({t: claims.count[t] for t in CLAIM_TYPES})
    report.claims_per_bene_by_type = {t: claims.count[t] / report.beneficiaries if report.beneficiaries else 0.0
                                      for t in CLAIM_TYPES}
    report.payment_by_type = {t: claims.paid[t] / claims.count[t] if claims.count[t] else 0.0 for t in CLAIM_TYPES}
    report.top_drgs, report.top_hcpcs = claims.top(claims.drgs, "DRG "), claims.top(claims.hcpcs)
    report.top_drugs = claims.top(claims.drugs)
    report.claims_per_bene_hist = {t: Counter(claims.per_bene[t].values()) for t in CLAIM_TYPES}
    for hist in report.claims_per_bene_hist.values():
        hist[0] = report.beneficiaries - sum(hist.values())
    report.payment_bins = {t: Counter(claims.payment_bins[t]) for t in CLAIM_TYPES}


def _band(age: int | None) -> str | None:
    if age is None or age < 65:
        return None
    return "85+" if age >= 85 else next(b for b in AGE_BANDS[:-1] if int(b[:2]) <= age <= int(b[3:]))
