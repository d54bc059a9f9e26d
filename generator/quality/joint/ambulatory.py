"""Ambulatory figures: office visits per provider, E/M levels, preventive frequency limits, orders that need a
reason, the carrier vocabulary and its modifiers, computed from the EOB JSON alone.

Each figure has the real range a source gives (the comment beside it): office E/M volume and level mix from
CMS's Physician & Other Practitioners file 2023 (realism-detail.md §1), the frequency and sex rules from
Medicare's coverage pages (realism-detail.md §6), the rest from the rule itself (a rule is met or broken).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from dataset_contract.systems import HCPCS_SYSTEM, NDC_SYSTEM
from generator.fhir.read import diagnosis_codes, eob_type, parse_date, ref_id
from generator.quality.rows import Row, _Bene, range_row

GROUP = "ambulatory care (joint, from the claims)"
NEW_OFFICE = frozenset({"99202", "99203", "99204", "99205"})
ESTABLISHED_OFFICE = ("99212", "99213", "99214", "99215")
OFFICE = NEW_OFFICE | frozenset(ESTABLISHED_OFFICE) | {"99211"}
FLU_ADMIN = "G0008"
FLU_PRODUCTS = frozenset({"90653", "90654", "90655", "90656", "90657", "90658", "90661", "90662", "90673", "90674",
                          "90682", "90685", "90686", "90687", "90688", "90694", "90756", "Q2035", "Q2036", "Q2037",
                          "Q2038", "Q2039"})
AWV = frozenset({"G0438", "G0439"})
MAMMOGRAPHY_SCREENING = frozenset({"77067", "77063"})
PSA_SCREENING = "G0103"
CPAP = frozenset({"E0601", "A7030", "A7031", "A7032", "A7033", "A7034", "A7035", "A7037", "A7038", "A7039"})
INR = "85610"
INR_REASONS = ("I48", "I26", "I82", "Z7901")     # AF, PE, DVT, long-term anticoagulant use
ANTICOAGULANTS = ("WARFARIN", "APIXABAN", "RIVAROXABAN", "DABIGATRAN", "EDOXABAN")
INSULIN = "INSULIN"
LEVELS = (("99212", 0.02, 0.05), ("99213", 0.30, 0.45), ("99214", 0.45, 0.62), ("99215", 0.04, 0.08))
VOCABULARY_BENES = 5000
SKIN_AND_SPINE = frozenset({"07", "35"})     # dermatology, chiropractic: CMS specialty codes
CARDIOPULMONARY = ("I50", "I25", "I48", "J44", "I110", "I130")   # heart failure, IHD, AF, COPD
SPECIALTY_SYSTEM = "https://bluebutton.cms.gov/resources/variables/prvdr_spclty"
NEW_PATIENT_YEARS = 3           # a new-patient code: no visit to the same clinician (or group) in 3 years (CPT rule)


@dataclass(slots=True)
class _Person:
    """What the ambulatory figures need of one beneficiary's claims."""
    dx: set = field(default_factory=set)                 # ICD-10-CM codes on any claim
    office: Counter = field(default_factory=Counter)    # (performer, date) -> office E/M lines
    seen: dict = field(default_factory=dict)            # performer -> [(date, new patient?)]
    clinicians: set = field(default_factory=set)        # carrier performing NPIs
    flu: Counter = field(default_factory=Counter)       # flu season (its September's year) -> administrations
    awv: list = field(default_factory=list)             # dates
    mammography: int = 0
    psa: int = 0
    cpap: int = 0
    inr: int = 0
    anticoagulant: bool = False
    insulin: bool = False
    fills: int = 0


def _season(day: dt.date) -> int:
    """The flu season a date falls in, named by the year of its autumn (August..July)."""
    return day.year if day.month >= 8 else day.year - 1


def _performer(eob: dict, item: dict) -> str:
    """The NPI of the line's first care-team member (the performing clinician), else the billing provider's."""
    team = {ct.get("sequence"): ct for ct in eob.get("careTeam") or ()}
    for seq in item.get("careTeamSequence") or ():
        npi = ((team.get(seq) or {}).get("provider") or {}).get("identifier", {}).get("value")
        if npi:
            return npi
    return ((eob.get("provider") or {}).get("identifier") or {}).get("value", "")


def _line_day(item: dict, eob: dict) -> dt.date | None:
    period = item.get("servicedPeriod") or {}
    return parse_date(item.get("servicedDate") or period.get("start")
                      or (eob.get("billablePeriod") or {}).get("start"))


def _hcpcs(item: dict) -> str:
    for coding in (item.get("productOrService") or {}).get("coding") or ():
        if coding.get("system") == HCPCS_SYSTEM:
            return coding.get("code", "")
    return ""


class Ambulatory:
    """Reads carrier, DME and PDE claims for the ambulatory figures."""

    def __init__(self):
        self.people: dict[str, _Person] = defaultdict(_Person)
        self.first: set[str] = set()                     # the first VOCABULARY_BENES beneficiaries seen
        self.carrier_codes: set[str] = set()
        self.icd_codes: set[str] = set()
        self.carrier_lines = self.modified_lines = 0
        self.flu_admin_claims = self.flu_with_product = 0
        self.levels: Counter = Counter()
        self.skin_spine_claims = self.skin_spine_cardiopulmonary = 0

    def see(self, eob: dict, bene: _Bene | None) -> None:
        pid = ref_id(eob.get("patient"), "Patient/") or ""
        kind = eob_type(eob)
        person = self.people[pid]
        codes = list(diagnosis_codes(eob))
        person.dx.update(codes)
        if len(self.first) < VOCABULARY_BENES:
            self.first.add(pid)
        counted = pid in self.first
        if counted:
            self.icd_codes.update(codes)
        if kind == "pde":
            self._fill(eob, person)
        elif kind == "carrier":
            self._carrier(eob, person, bene, counted)
        elif kind == "dme":
            person.cpap += sum(_hcpcs(item) in CPAP for item in eob.get("item") or ())

    def _fill(self, eob: dict, person: _Person) -> None:
        person.fills += 1
        for item in eob.get("item") or ():
            for coding in (item.get("productOrService") or {}).get("coding") or ():
                if coding.get("system") == NDC_SYSTEM:
                    name = (coding.get("display") or "").upper()
                    person.anticoagulant |= any(a in name for a in ANTICOAGULANTS)
                    person.insulin |= INSULIN in name

    def _carrier(self, eob: dict, person: _Person, bene: _Bene | None, counted: bool) -> None:
        female = bene.female if bene is not None else None
        if _specialties(eob) & SKIN_AND_SPINE:
            self.skin_spine_claims += 1
            self.skin_spine_cardiopulmonary += any(c.startswith(CARDIOPULMONARY) for c in diagnosis_codes(eob))
        codes = set()
        for item in eob.get("item") or ():
            code = _hcpcs(item)
            codes.add(code)
            self.carrier_lines += 1
            self.modified_lines += bool(item.get("modifier"))
            if counted and code:
                self.carrier_codes.add(code)
            npi = _performer(eob, item)
            person.clinicians.add(npi)
            day = _line_day(item, eob)
            if code in OFFICE and day is not None:
                self.levels[code] += 1
                person.office[(npi, day)] += 1
                person.seen.setdefault(npi, []).append((day, code in NEW_OFFICE))
            elif code == FLU_ADMIN and day is not None:
                person.flu[_season(day)] += 1
            elif code in AWV and day is not None:
                person.awv.append(day)
            elif code in MAMMOGRAPHY_SCREENING and female is False:
                person.mammography += 1
            elif code == PSA_SCREENING and female is True:
                person.psa += 1
            elif code == INR:
                person.inr += 1
        if FLU_ADMIN in codes:
            self.flu_admin_claims += 1
            self.flu_with_product += bool(codes & FLU_PRODUCTS)

    def rows(self, benes: dict[str, _Bene], ffs_ids: set[str], ffs_years: float) -> list[Row]:
        people = self.people
        ffs = [people[pid] for pid in ffs_ids if pid in people]
        office = Counter()
        for p in ffs:
            for n in p.office.values():
                office["lines"] += n
                office["duplicate"] += n - 1
        levels = Counter()
        new_repeat = new_lines = 0
        for p in people.values():
            for visits in p.seen.values():
                visits.sort()
                earlier = None
                for day, new in visits:
                    if new:
                        new_lines += 1
                        new_repeat += earlier is not None and (day - earlier).days < NEW_PATIENT_YEARS * 365
                    earlier = day
        for p in ffs:
            for visits in p.seen.values():
                levels.update(new for _, new in visits)
        users = [p for p in ffs if p.clinicians]
        flu_seasons = [n for p in people.values() for n in p.flu.values()]
        awv_users = [p for p in people.values() if p.awv]
        awv_early = sum(1 for p in awv_users for a, b in zip(sorted(p.awv), sorted(p.awv)[1:])
                        if _months_apart(a, b) < 12)
        inr_users = [p for p in people.values() if p.inr]
        inr_unreasoned = [p for p in inr_users if not p.anticoagulant and not _any_prefix(p.dx, INR_REASONS)]
        cpap_users = [p for p in people.values() if p.cpap]
        type1 = [p for p in people.values() if p.fills and _any_prefix(p.dx, ("E10",))]
        men_mammograms = float(sum(p.mammography for p in people.values()))
        women_psa = float(sum(p.psa for p in people.values()))
        rows = [
            # realism-detail.md §1 (S1): 7.1–7.5 office E/M per FFS beneficiary-year in 2023 (a lower bound:
            # small cells suppressed); issue 14 measured ≈6 as the target for the simulated population
            range_row(GROUP, "office E/M per FFS bene-year", 5.0, 7.5,
                      office["lines"] / ffs_years if ffs_years else None, percent=False),
            # Pham et al., NEJM 2007 (Medicare FFS): the median beneficiary saw 2 primary care physicians and
            # 5 specialists a year; carrier performers also include labs and radiologists [range: judgement]
            range_row(GROUP, "distinct carrier clinicians per user", 3.0, 10.0,
                      sum(len(p.clinicians) for p in users) / len(users) if users else None, percent=False),
            # a clinician bills one office E/M per patient per day (CMS IOM 100-04 ch. 12 §30.6.7)
            range_row(GROUP, "same-day repeat office E/M, one clinician", 0.0, 0.005,
                      office["duplicate"] / office["lines"] if office["lines"] else None),
            # CPT: new-patient codes only without a visit to the same clinician in 3 years
            range_row(GROUP, "new-patient E/M after a visit within 3 years", 0.0, 0.0,
                      new_repeat / new_lines if new_lines else None),
            # realism-detail.md §1: new : established office visits ≈ 1 : 8.2 (22.8 M : 187.1 M)
            range_row(GROUP, "new-patient share of office E/M", 0.07, 0.16,
                      levels[True] / (levels[True] + levels[False]) if levels else None),
        ]
        rows += self._levels()
        rows += [
            # Medicare covers one flu shot per flu season (realism-detail.md §6, S26)
            range_row(GROUP, "flu administrations per user-season", 1.0, 1.05,
                      sum(flu_seasons) / len(flu_seasons) if flu_seasons else None, percent=False),
            # a flu administration (G0008) is billed with its vaccine product code
            range_row(GROUP, "flu administrations with a product line", 0.95, 1.0,
                      self.flu_with_product / self.flu_admin_claims if self.flu_admin_claims else None),
            # AWV once every 12 months (11 full months since the month of the last; realism-detail.md §6, S19)
            range_row(GROUP, "AWVs within 11 months of the last", 0.0, 0.0,
                      awv_early / sum(len(p.awv) for p in awv_users) if awv_users else None),
            # screening mammography is covered for women; screening PSA for men (S19)
            range_row(GROUP, "screening mammograms on men", 0.0, 0.0, men_mammograms, percent=False),
            range_row(GROUP, "screening PSA tests on women", 0.0, 0.0, women_psa, percent=False),
            # CPAP devices and supplies need obstructive sleep apnea (DME MAC LCD L33718)
            range_row(GROUP, "CPAP users without sleep apnea", 0.0, 0.0,
                      sum(not _any_prefix(p.dx, ("G4733",)) for p in cpap_users) / len(cpap_users)
                      if cpap_users else None),
            # INR monitoring follows anticoagulation (warfarin) or its reasons (AF, VTE) [share: judgement]
            range_row(GROUP, "INR users without anticoagulant or AF/VTE", 0.0, 0.1,
                      len(inr_unreasoned) / len(inr_users) if inr_users else None),
            # type 1 diabetes needs insulin (ADA standards of care)
            range_row(GROUP, "type 1 diabetics on Part D without insulin", 0.0, 0.05,
                      sum(not p.insulin for p in type1) / len(type1) if type1 else None),
            # issue 14 [judgement]: real carrier lines carry modifiers (25, 26/TC, GP, RT/LT, 95…) on ≈20–40%
            range_row(GROUP, "carrier lines with a modifier", 0.2, 0.4,
                      self.modified_lines / self.carrier_lines if self.carrier_lines else None),
            # a claim's diagnoses are what its clinician treats: a dermatologist or chiropractor does not code
            # heart failure, IHD, AF or COPD (ICD-10-CM guidelines: code what the encounter addresses) [judgement]
            range_row(GROUP, "derm/chiro claims with a heart or lung chronic code", 0.0, 0.02,
                      self.skin_spine_cardiopulmonary / self.skin_spine_claims if self.skin_spine_claims else None),
        ]
        rows += self._vocabulary(len(benes))
        return rows

    def _levels(self) -> list[Row]:
        """The established office E/M level mix (realism-detail.md §1, S1 2023: 99212 3.4% · 99213 37.5% ·
        99214 53.1% · 99215 5.9%; ranges ≈±30% relative)."""
        total = sum(self.levels[c] for c in ESTABLISHED_OFFICE)
        return [range_row(GROUP, f"{code} share of established office E/M", low, high,
                          self.levels[code] / total if total else None)
                for code, low, high in LEVELS]

    def _vocabulary(self, n: int) -> list[Row]:
        """Distinct codes among the first 5,000 beneficiaries with claims (information in a smaller dataset)."""
        out = []
        # a real 5,000-beneficiary year bills hundreds to thousands of carrier HCPCS and thousands of ICD-10-CM
        # codes (CMS's 2023 PUF has 500 codes above its payment cut alone) [range: judgement]
        figures = (("distinct carrier HCPCS per 5,000 benes", len(self.carrier_codes), 300, 3000),
                   ("distinct ICD-10-CM codes per 5,000 benes", len(self.icd_codes), 1000, 12000))
        for name, observed, low, high in figures:
            if n >= VOCABULARY_BENES:
                out.append(range_row(GROUP, name, low, high, float(observed), percent=False))
            else:
                out.append(Row(group=GROUP, name=name + f" (seen: {n:,})", target=None, observed=float(observed),
                               kind="info", ok=None, percent=False))
        return out


def _specialties(eob: dict) -> set[str]:
    """The CMS specialty codes of the claim's care team."""
    return {coding.get("code", "") for member in eob.get("careTeam") or ()
            for coding in (member.get("qualification") or {}).get("coding") or ()
            if coding.get("system") == SPECIALTY_SYSTEM}


def _months_apart(a: dt.date, b: dt.date) -> int:
    """Calendar months from a's month to b's: an AWV is covered once 11 full months have passed since the month
    of the last one (42 CFR 410.15), that is from the 12th month on."""
    return (b.year - a.year) * 12 + b.month - a.month


def _any_prefix(codes: set, prefixes: tuple[str, ...]) -> bool:
    return any(c.startswith(prefixes) for c in codes)
