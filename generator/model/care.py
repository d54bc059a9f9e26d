"""Care events for one beneficiary: who was admitted, seen, supplied and dispensed what, and when.

The person's conditions, frailty and enrollment drive everything: admissions pick DRGs the person's
conditions make likely, a SNF stay follows only a qualifying inpatient stay of 3+ days, home health
follows discharges (or a community referral), hospice comes before death, Part D fills only happen in
Part D months, and nothing happens after death or outside enrollment. Every chronic condition shows on
at least two professional claims on different dates (the CCW rule), so prevalence computed from the
claims alone matches the profile.

Output: `Encounter`s (dates as day ordinals; model/records.py), priced into claim records by
model/pricing.py. Random numbers come from the shard's block-buffered `Draws` (model/draws.py); the code
tables come indexed from model/care_tables.py.
"""
from __future__ import annotations

import math

import numpy as np

from generator.claim_types import TYPES
from generator.claim_types.spec import Billed, ClaimType, StayRounds, TypeOfBill
from generator.model.care_tables import (ESRD_CKD_CODE, VisitKind, acute_codes, drg_choices, drugs_by_condition,
                                         eligible_kinds, pick_weighted)
from generator.model.dates import month_end
from generator.model.draws import Draws, below, sample, weighted_index
from generator.model.providers import clinician, pick
from generator.model.records import (Encounter, Fill, HomeHealthPeriod, HospiceMonth, InpatientStay, Person, Provider,
                                     SnfStay)

CARRIER, DME, HHA, HOSPICE = TYPES["carrier"], TYPES["dme"], TYPES["hha"], TYPES["hospice"]
INPATIENT, OUTPATIENT, PDE, SNF = TYPES["inpatient"], TYPES["outpatient"], TYPES["pde"], TYPES["snf"]

# Hospice: use and length (realism.md §3: median ≈18 days, a long tail)
HOSPICE_LOS = (math.log(18), 1.6)            # lognormal (log median, sigma) of a hospice stay's days
HOSPICE_MAX_DAYS = 3 * 365        # the lognormal's tail cut: no hospice stay runs longer (an estimate)
HOSPICE_PERIODS = (90, 60)       # days of the first two hospice benefit periods, and of each one after them
HOSPICE_REASONS = ("lung_cancer", "colorectal_cancer", "dementia", "heart_failure", "copd", "ckd", "stroke")
# Inpatient stays
IN_HOSPITAL_DEATH_SHARE = 0.35   # decedents without hospice who die in hospital
LOS_SHIFT, LOS_SIGMA = 0.18, 0.6  # a stay's lognormal days: log(DRG mean) - shift, so the mean lands near the DRG's
SURGICAL_ELECTIVE = 0.6          # surgical admissions that are elective (admission type 3)
EMERGENCY_SHARE = 0.85           # other admissions that are emergencies (type 1; the rest urgent, type 2)
QUALIFYING_SHARE = 0.7           # stays of 3+ days, which qualify for SNF care
ADMISSIONS_PER_USER = 1.5        # inpatient admissions per person admitted
SNF_CALIBRATION = 0.65           # repeat stays and readmissions make users fewer than qualifying discharges
HOME_HEALTH_DISCHARGES = 0.2     # discharges (not to a SNF) to home health
OTHER_DISCHARGES = ("01", "01", "01", "01", "62", "02", "07", "50")  # home ×4, rehab, hospital, left AMA, hospice
# SNF and home health
SNF_LOS = (math.log(22), 0.6)    # lognormal days, 3 to 100 (realism.md §6: mean ≈25)
SNF_DAYS = (3, 100)
HH_PERIOD_DAYS = 30
HH_MORE_PERIODS = 0.6            # geometric p of the periods after the first (plus a coin flip for one more)
HH_VISITS = (4, 11)              # 4 + below(11) visits a period
LUPA_VISITS = 5                  # fewer visits than this: a low-utilization period
# Professional, outpatient, DME
ACUTE_OUTPATIENT = ("chest_pain", "fall_injury", "uti", "abdominal_pain", "dizziness", "back_pain", "syncope",
                    "cellulitis", "pneumonia")
FOLLOW_UP = ("99213", "11")      # the office visit that adds a second visit date for the CCW rule
FOLLOW_UP_DAYS = 7
DME_USERS = 0.25                 # share of beneficiaries with DME claims (at average intensity)
# Part D
TREATED_SHARE = 0.8              # share of a condition's patients on a maintenance drug for it
FILLS_PER_DRUG_YEAR = 7.6        # a maintenance drug's fills in a year: 30- and 90-day supplies, refill gaps
NINETY_DAY_SHARE = 0.33          # maintenance drugs filled 90 days at a time
REFILL_GAP_DAYS = 6              # a refill comes 0..5 days after the supply runs out


def _day_in(rng, window: tuple[int, int]) -> int:
    return window[0] + below(rng, window[1] - window[0] + 1)


def _nb(rng, mean: float, k: float = 1.5) -> int:
    """A negative binomial count with the given mean and dispersion k."""
    if mean <= 0:
        return 0
    return int(rng.poisson(rng.gamma(k, mean / k)))


def _years(window) -> float:
    return 0.0 if window is None else (window[1] - window[0] + 1) / 365.25


def hospice_benefit_period(elapsed: int) -> int:
    """The hospice benefit period a day falls in, `elapsed` days after the election: two periods of 90 days,
    then periods of 60 days without limit (42 CFR 418.21)."""
    first, later = HOSPICE_PERIODS
    if elapsed < 2 * first:
        return 1 + elapsed // first
    return 3 + (elapsed - 2 * first) // later


def _frequency(bill: TypeOfBill, first: bool, last: bool) -> str:
    """The type-of-bill frequency of one claim of an episode: the type's own for an episode billed whole (or in one
    claim), else its interim code for the first, a continuing or the last claim."""
    if bill.interim is None or (first and last):
        return bill.frequency
    return bill.interim[0] if first else bill.interim[2] if last else bill.interim[1]


def _units(billed: tuple[Billed, ...], days: int = 0, visits: int = 0) -> list[tuple[str, str, float]]:
    """An episode's lines (revenue center, HCPCS, units): one per claim, the days billed, or a share of the
    visits (the last visit line takes the rest)."""
    last_visit = next((b for b in reversed(billed) if b.per == "visit"), None)
    lines, taken = [], 0
    for b in billed:
        if b.per == "day":
            units = days
        elif b.per != "visit":
            units = 1
        elif b is last_visit:
            units = max(1, visits - taken)
        else:
            share = int(visits * b.share)
            taken += share
            units = max(1, share)
        lines.append((b.revenue, b.hcpcs, float(units)))
    return lines


class CareModel:
    """Turns a Person into Encounters, using a profile's utilization rates and the shard's random stream."""

    def __init__(self, profile, rng: np.random.Generator | Draws, ccw_visits: bool = True):
        """`ccw_visits`: give everyone with a chronic condition two visits on different dates (the CCW rule
        over a year); off for short windows (`medisynth advance`), where it would inflate visit counts."""
        self.u = profile.utilization
        self.rng = Draws.of(rng)
        self.ccw_visits = ccw_visits
        # general (non-condition) drugs fill the gap between condition drugs and the profile's fill rate
        by_cond = drugs_by_condition()
        treated = TREATED_SHARE * sum(v for c, v in profile.conditions.items() if c in by_cond)
        self.general_drugs = max(0.2, self.u["pde_fills_per_enrollee"] / FILLS_PER_DRUG_YEAR - treated)

    # The public entry point ------------------------------------------------------------------------
    def encounters(self, p: Person, intensity: float) -> list[Encounter]:
        out: list[Encounter] = []
        stays: list[tuple[int, int]] = []          # inpatient/SNF/hospice days: no office visits then
        if p.window_a:
            hospice_start = self._hospice(p, out)
            self._inpatient(p, intensity, out, stays, hospice_start)
            self._community_home_health(p, intensity, out, stays)
        if p.window_b:
            self._professional(p, intensity, out, stays)
            self._outpatient(p, intensity, out)
            self._dme(p, intensity, out)
        self._part_d(p, intensity, out)
        return out

    # Inpatient, SNF, home health, hospice -------------------------------------------------------------
    def _hospice(self, p: Person, out: list) -> int | None:
        rng = self.rng
        if p.death is None or rng.random() >= self.u["hospice_share_of_decedents"]:
            return None
        length = min(HOSPICE_MAX_DAYS, max(1, int(rng.lognormal(*HOSPICE_LOS))))
        elected = p.death - length          # the hospice election, which may precede the enrollment window
        start = max(p.window_a[0], elected)
        agency = pick(rng, p.pool.by_kind["hospice"])
        dx = [self._hospice_reason(p), *self._secondary(p, 4)]
        month_start = start
        while month_start <= p.death:
            through = min(p.death, month_end(month_start))
            days = through - month_start + 1
            last = through == p.death
            month = HospiceMonth(days=days, benefit_period=hospice_benefit_period(month_start - elected),
                                 frequency=_frequency(HOSPICE.type_of_bill, month_start == start, last),
                                 discharge_status="40" if last else "30")
            out.append(Encounter(HOSPICE, month_start, through, dx, _units(HOSPICE.episode, days=days), agency,
                                 facts=month))
            month_start = through + 1
        return start

    def _hospice_reason(self, p: Person) -> str:
        for cond in HOSPICE_REASONS:
            if cond in p.chronic_codes:
                return p.chronic_codes[cond]
        return self._acute("respiratory_failure")

    def _inpatient(self, p, intensity, out, stays, hospice_start):
        rng, u = self.rng, self.u
        first, last = p.window_a
        if hospice_start is not None:
            last = hospice_start - 1
        if last < first:
            return
        mean = u["inpatient_admissions_per_1000"] / 1000 * _years((first, last)) * intensity
        n = int(rng.poisson(mean))
        dies_in_hospital = p.death is not None and hospice_start is None and rng.random() < IN_HOSPITAL_DEATH_SHARE
        starts = sorted(_day_in(rng, (first, last)) for _ in range(n))
        if dies_in_hospital:
            starts.append(max(first, p.death - 1 - below(rng, 7)))
        free_from = first
        for i, start in enumerate(starts):
            final = dies_in_hospital and i == len(starts) - 1
            start = max(start, free_from)
            if start > last and not final:
                break
            drg = self._choose_drg(p)
            los = max(1, round(rng.lognormal(math.log(float(drg["los_mean"])) - LOS_SHIFT, LOS_SIGMA)))
            end = min(start + los, last if not final else p.death)
            if final:
                end = p.death
            if end < start:
                continue
            status = "20" if final else self._discharge_status(end - start)
            adm_type = "3" if drg["surgical"] == "Y" and rng.random() < SURGICAL_ELECTIVE else (
                "1" if rng.random() < EMERGENCY_SHARE else "2")
            dx = [drg["principal"]] + ([drg["secondary"]] if drg["secondary"] else []) + self._secondary(p, 8)
            stay = InpatientStay(drg=drg["drg"], drg_weight=float(drg["weight"]), procedure=drg["pcs"],
                                 admission_type=adm_type, admission_source="7" if adm_type == "1" else "1",
                                 discharge_status=status, days=max(1, end - start))
            attending = clinician(rng, p.pool, "11")
            operating = clinician(rng, p.pool, "02") if drg["pcs"] else None
            out.append(Encounter(INPATIENT, start, end, _dedupe(dx), [], p.hospital, attending=attending,
                                 operating=operating, facts=stay))
            stays.append((start, end))
            if p.window_b:
                self._rounds(INPATIENT.rounds, p, start, end, dx, attending, out)
            free_from = end + 1
            if status == "03" and end - start >= 3:
                free_from = self._snf(p, end, last, dx, drg["drg"], out, stays)
            elif status == "06":
                self._home_health(p, end + 1, out, stays, referral="after_stay")

    def _choose_drg(self, p: Person) -> dict:
        rows, cumulative = drg_choices(tuple(p.chronic_codes))
        return rows[weighted_index(self.rng, cumulative)]

    def _discharge_status(self, los: int) -> str:
        rng, u = self.rng, self.u
        # P(SNF | qualifying stay) chosen so SNF users land on the profile's share
        qualifying_users = QUALIFYING_SHARE * u["inpatient_admissions_per_1000"] / 1000 / ADMISSIONS_PER_USER
        p_snf = min(0.9, SNF_CALIBRATION * u["snf_users"] / max(qualifying_users, 1e-9)) if los >= 3 else 0.0
        r = rng.random()
        if r < p_snf:
            return "03"
        r = rng.random()
        if r < HOME_HEALTH_DISCHARGES:
            return "06"
        return OTHER_DISCHARGES[below(rng, len(OTHER_DISCHARGES))]

    def _snf(self, p, discharge: int, last: int, dx, drg: str, out, stays) -> int:
        rng = self.rng
        start = discharge
        los = min(SNF_DAYS[1], max(SNF_DAYS[0], int(rng.lognormal(*SNF_LOS))))
        end = min(start + los, last)
        if end <= start:
            return discharge + 1
        snf = pick(rng, p.pool.by_kind["snf"])
        attending = clinician(rng, p.pool, "11")
        stay = SnfStay(qualifying_stay=(stays[-1][0], stays[-1][1]), drg=drg, admission_type="3", admission_source="4",
                       discharge_status="01" if end < last or p.death is None else ("20" if end == p.death else "30"),
                       days=end - start)
        out.append(Encounter(SNF, start, end, dx[:1] + self._secondary(p, 6), [], snf, attending=attending, facts=stay))
        stays.append((start, end))
        if p.window_b:
            self._rounds(SNF.rounds, p, start, end, dx, attending, out)
        return end + 1

    def _rounds(self, rounds: StayRounds, p: Person, start: int, end: int, dx: list[str], attending: Provider,
                out: list) -> None:
        """The attending's visits during a stay, on professional claims."""
        spec = TYPES[rounds.claim_type]
        first = start + rounds.offset
        for day in range(first, end, rounds.every or max(1, (end - start) // rounds.per_stay)):
            out.append(self._clinician_visit(spec, day, rounds.later if day > first else rounds.first, rounds.pos,
                                             dx[:rounds.diagnoses], attending))

    def _home_health(self, p, start: int, out, stays, referral: str) -> None:
        rng = self.rng
        last = p.window_a[1] if p.death is None else min(p.window_a[1], p.death)
        periods = 1 + int(rng.geometric(HH_MORE_PERIODS)) - 1 + (rng.random() < 0.5)
        agency = pick(rng, p.pool.by_kind["hha"])
        dx = self._secondary(p, 5) or [self._acute("fall_injury")]
        for _ in range(periods):
            end = min(start + HH_PERIOD_DAYS - 1, last)
            if end < start:
                return
            visits = HH_VISITS[0] + below(rng, HH_VISITS[1])
            period = HomeHealthPeriod(visits=visits, referral="1" if referral == "community" else "2",
                                      low_use=visits < LUPA_VISITS, discharge_status="30" if end < last else "01")
            out.append(Encounter(HHA, start, end, dx, _units(HHA.episode, visits=visits), agency, attending=p.pcp,
                                 facts=period))
            start = end + 1

    def _community_home_health(self, p, intensity, out, stays):
        rng, u = self.rng, self.u
        after_stay = u["inpatient_admissions_per_1000"] / 1000 * HOME_HEALTH_DISCHARGES / ADMISSIONS_PER_USER
        p_comm = max(0.0, u["hha_users"] - after_stay) * _years(p.window_a) * min(intensity, 3)
        if rng.random() < p_comm:
            self._home_health(p, _day_in(rng, p.window_a), out, stays, referral="community")

    # Professional (carrier), outpatient, DME -----------------------------------------------------------
    def _professional(self, p, intensity, out, stays):
        rng = self.rng
        n = _nb(rng, self.u["carrier_claims_per_bene"] * _years(p.window_b) * intensity)
        need = 2 if p.conditions and self.ccw_visits else 0     # CCW: two claims on different dates per condition
        n = max(n, need)
        kinds = eligible_kinds(CARRIER, tuple(p.chronic_codes))
        dates = sorted(self._free_day(p.window_b, stays) for _ in range(n))
        encs = [self._visit(p, self._choose_kind(kinds), d) for d in dates]
        self._show_conditions(p, encs, dates)
        out.extend(encs)

    def _outpatient(self, p, intensity, out):
        rng = self.rng
        n = _nb(rng, self.u["outpatient_claims_per_bene"] * _years(p.window_b) * intensity)
        kinds = eligible_kinds(OUTPATIENT, tuple(p.chronic_codes))
        for _ in range(n):
            out.append(self._visit(p, self._choose_kind(kinds), _day_in(rng, p.window_b)))
        recurring = OUTPATIENT.recurring
        if p.esrd:        # dialysis: one claim a month
            day = p.window_b[0]
            while day <= p.window_b[1]:
                end = min(month_end(day), p.window_b[1])
                sessions = max(1, round((end - day + 1) * recurring.per_30_days / 30))
                out.append(Encounter(OUTPATIENT, day, end, [p.chronic_codes.get("ckd", ESRD_CKD_CODE)],
                                     [(recurring.line.revenue, recurring.line.hcpcs, float(sessions))], p.hospital))
                day = end + 1

    def _dme(self, p, intensity, out):
        rng = self.rng
        kinds = eligible_kinds(DME, tuple(p.chronic_codes))
        user_p = min(0.9, DME_USERS * intensity)
        if not kinds[0] or rng.random() >= user_p * min(1.0, _years(p.window_b) * 1.5):
            return
        per_user = self.u["dme_claims_per_bene"] / DME_USERS
        n = max(1, _nb(rng, per_user * _years(p.window_b)))
        supplier = pick(rng, p.pool.by_kind["dme"])
        kind = self._choose_kind(kinds)
        for d in sorted(_day_in(rng, p.window_b) for _ in range(n)):
            out.append(self._visit(p, kind, d, supplier))

    def _choose_kind(self, eligible: tuple[tuple[VisitKind, ...], tuple[float, ...]]) -> VisitKind:
        kinds, cumulative = eligible
        return kinds[weighted_index(self.rng, cumulative)]

    def _visit(self, p: Person, kind: VisitKind, day: int, supplier: Provider | None = None) -> Encounter:
        rng = self.rng
        random = rng.random
        main = kind.main
        lines = [main[int(len(main) * random())]]
        for extra in kind.extra:
            if random() < kind.extra_p:
                lines.append(extra)
        chronic = p.chronic_codes
        relevant = [chronic[c] for c in kind.conditions if c in chronic]
        if kind.reason == "acute" or not p.conditions:
            dx = [self._acute(ACUTE_OUTPATIENT[int(len(ACUTE_OUTPATIENT) * random())])]
        elif kind.reason == "wellness":
            dx = [self._acute("wellness")]
        else:
            dx = relevant[:1] or self._secondary(p, 1)
        more = int(3 * random())
        dx = list(dict.fromkeys(dx + relevant[1:] + self._secondary(p, more))) if more or len(relevant) > 1 else dx
        if kind.specialty == "pcp":
            performer = p.pcp
        elif kind.specialty == "dme":
            performer = None
        else:
            performer = clinician(rng, p.pool, kind.specialty)
        billing = kind.spec.visit_billing
        provider = performer if billing == "performer" else (p.hospital if billing == "hospital" else supplier)
        return Encounter(kind.spec, day, day, dx, lines, provider, performing=performer, pos=kind.pos or "")

    @staticmethod
    def _clinician_visit(spec: ClaimType, day: int, hcpcs: str, pos: str, dx: list[str],
                         performer: Provider) -> Encounter:
        """A clinician's visit with one code, billed by the clinician."""
        return Encounter(spec, day, day, list(dx), [("", hcpcs, 1.0)], performer, performing=performer, pos=pos)

    def _show_conditions(self, p: Person, encs: list[Encounter], dates: list[int]) -> None:
        """Make each chronic condition appear on two claims with different dates (CCW's rule)."""
        if not encs:
            return
        distinct = sorted(set(dates))
        first_on: dict[int, Encounter] = {}
        for e in encs:
            first_on.setdefault(e.start, e)
        for code in p.chronic_codes.values():
            picks = sample(self.rng, distinct, 2)
            for day in picks:
                enc = first_on[day]
                if code not in enc.dx:
                    enc.dx.insert(1, code)      # right after the principal: never cut by the claim's dx limit
        if len(distinct) < 2 and p.conditions and self.ccw_visits:
            # only one visit date: add a follow-up visit on another day
            later = distinct[0] + FOLLOW_UP_DAYS
            day = later if later <= p.window_b[1] else distinct[0] - FOLLOW_UP_DAYS
            if p.window_b[0] <= day <= p.window_b[1]:
                hcpcs, pos = FOLLOW_UP
                encs.append(self._clinician_visit(CARRIER, day, hcpcs, pos,
                                                  list(p.chronic_codes.values())[:CARRIER.diagnoses.limit], p.pcp))

    def _free_day(self, window, stays) -> int:
        if not stays:
            return _day_in(self.rng, window)
        for _ in range(4):
            d = _day_in(self.rng, window)
            if not any(a <= d <= b for a, b in stays):
                return d
        return d

    # Part D ------------------------------------------------------------------------------------------
    def _part_d(self, p: Person, intensity, out):
        if not p.part_d_days:
            return
        rng = self.rng
        drugs = self._regimen(p)
        prescriber = p.pcp
        random = rng.random
        for drug in drugs:
            supply = 90 if random() < NINETY_DAY_SHARE else 30
            lines = [("", drug["ndc"], drug["qty_30"] * supply / 30)]     # the same for every fill (read only)
            for first, last in p.part_d_days:
                day = first + int(supply * random())
                refill = 0
                while day <= last:
                    out.append(Encounter(PDE, day, day, [], lines, p.pharmacy, performing=prescriber,
                                         facts=Fill(drug=drug, days_supply=supply, refill=refill)))
                    refill += 1
                    day += supply + int(REFILL_GAP_DAYS * random())

    def _regimen(self, p: Person) -> list[dict]:
        """The maintenance drugs this person takes: most conditions bring one, a few bring two."""
        rng = self.rng
        by_cond = drugs_by_condition()
        treated = [c for c in p.conditions if c in by_cond and rng.random() < TREATED_SHARE]
        chosen = [pick_weighted(rng, *by_cond[c]) for c in treated]
        general = by_cond.get("")
        if general:
            n_general = int(rng.poisson(self.general_drugs))
            chosen += [pick_weighted(rng, *general) for _ in range(n_general)]
        seen, out = set(), []
        for d in chosen:
            if d["ndc"] not in seen:
                seen.add(d["ndc"])
                out.append(d)
        return out

    # Codes -------------------------------------------------------------------------------------------
    def _acute(self, reason: str) -> str:
        items, p = acute_codes()[reason]
        return pick_weighted(self.rng, items, p)

    def _secondary(self, p: Person, k: int) -> list[str]:
        if not p.chronic_codes or k <= 0:
            return []
        return sample(self.rng, p.chronic_codes.values(), k)


def _dedupe(xs: list[str]) -> list[str]:
    return list(dict.fromkeys(xs))


