"""Hospice: who elects it (before death, or alive and still in care at the period's end), for how long, how it ends,
and its monthly claims by benefit period: the routine home care days at the patient's site, the visits of nurses,
social workers and aides on their days, the attending physician's visits, and more nursing in the last week."""
from __future__ import annotations

import math
from functools import cache

from generator import tables
from generator.claim_types import TYPES
from generator.claim_types.spec import TypeOfBill
from generator.model.care.common import CareBase, nb
from generator.model.care.facility_visits import visit_lines
from generator.model.care_tables import _acute_rows, cumulative, pick_weighted
from generator.model.dates import month_end
from generator.model.draws import below, weighted_index
from generator.model.providers import pick
from generator.model.records import Encounter, HospiceMonth, Person

HOSPICE, CARRIER = TYPES["hospice"], TYPES["carrier"]

# Length of a hospice election by terminal diagnosis (realism-detail.md §4.3, NHPCO 2022: median 18 days overall,
# mean ≈90-97; medians dementia 56, heart disease 33, cancer 17 days; a long tail): lognormal (log median, sigma)
HOSPICE_LOS = {"cancer": (math.log(17), 1.4), "dementia": (math.log(56), 1.6), "heart": (math.log(33), 1.6),
               "other": (math.log(12), 1.8)}
HOSPICE_MAX_DAYS = 3 * 365        # the lognormal's tail cut: no hospice stay runs longer (an estimate)
HOSPICE_PERIODS = (90, 60)       # days of the first two hospice benefit periods, and of each one after them
TERMINAL_CANCER = 0.21           # hospice users without a cancer condition whose terminal diagnosis is cancer
# Live discharges (≈17-18% of discharges, realism-detail.md §4.3, S16): survivors discharged alive, and decedents
# whose care began with an earlier election that ended alive (revoked, or no longer terminally ill)
LIVE_SURVIVORS = 0.006          # survivors (by their frailty's risk) with a stay ending in a live discharge
LIVE_BEFORE_DEATH = 0.10         # decedents whose hospice care began with an earlier stay ended alive
LIVE_DAYS = (20, 150)            # a live-discharged stay's days: 20 + below(150)
ONGOING = 0.010                  # survivors (by their frailty's risk) still in hospice care at the period's end
HOSPICE_REASONS = ("lung_cancer", "colorectal_cancer", "dementia", "heart_failure", "copd", "ckd", "stroke")
# A terminal diagnosis for someone with none of those: their heart disease, a cancer or diabetes of this list, else one
# of the non-cancer terminal illnesses outside the chronic-condition list (acute_codes "terminal_other": Parkinson's,
# pulmonary fibrosis, cirrhosis, cardiomyopathy, ALS; NHPCO 2022's "other" diagnoses), not a symptom or an acute code
LATER_REASONS = ("ischemic_heart_disease", "atrial_fibrillation", "breast_cancer", "prostate_cancer", "diabetes")
LOS_GROUP = {"dementia": "dementia", "heart_failure": "heart"}
# Visits (MedPAC March 2024: 3.9 visits a week), the attending's monthly visit, the last week of life
VISITS_PER_WEEK = 3.9
VISIT_DISPERSION = 6.0           # negative binomial k of a month's visits
ATTENDING_VISIT = 0.25           # months with a visit by the attending physician (revenue 0657)
ATTENDING_LINE = ("0657", "99349")
LAST_WEEK_NURSING = (2, 4)       # extra nurse visits in the last 7 days of life: 2 + below(4)
POST_MORTEM = 0.3                # deaths followed by a nurse's post-mortem visit that day (modifier PM)
NURSING_LINE = ("0551", "G0299")


def hospice_benefit_period(elapsed: int) -> int:
    """The hospice benefit period a day falls in, `elapsed` days after the election: two periods of 90 days,
    then periods of 60 days without limit (42 CFR 418.21)."""
    first, later = HOSPICE_PERIODS
    if elapsed < 2 * first:
        return 1 + elapsed // first
    return 3 + (elapsed - 2 * first) // later


def _frequency(bill: TypeOfBill, first: bool, last: bool, ongoing: bool) -> str:
    """The type-of-bill frequency of one claim of an episode: the type's own for an episode billed whole (or in one
    claim), else its interim code for the first, a continuing or the last claim (an episode still under way at the
    period's end has no last claim yet)."""
    if bill.interim is None or (first and last and not ongoing):
        return bill.frequency
    return bill.interim[0] if first else bill.interim[2] if last and not ongoing else bill.interim[1]


@cache
def _sites() -> tuple[tuple[str, ...], tuple[float, ...]]:
    rows = tables.table("hospice_sites")
    return tuple(r["hcpcs"] for r in rows), cumulative(float(r["share"]) for r in rows)


@cache
def _unlisted_cancers() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The terminal cancers outside the chronic-condition list's cancers (someone dying of one of those has the
    condition, and their claims show it from the start: the chronic codes give it)."""
    listed = {r["icd10"][:3] for r in tables.table("condition_codes") if r["condition"].endswith("cancer")}
    rows = [(code, weight) for code, weight in _acute_rows()["terminal_cancer"] if code[:3] not in listed]
    return tuple(code for code, _ in rows), cumulative(weight for _, weight in rows)


class Hospice(CareBase):
    """The hospice part of the care model."""

    def _hospice(self, p: Person, out: list) -> int | None:
        """Hospice care: the election before death (its start returned), an earlier stay ended alive for some; for
        a few survivors a stay that ends in a live discharge (they got better or chose treatment), for others one
        still under way at the period's end (its start returned)."""
        rng = self.rng
        agency = pick(rng, p.pool.by_kind["hospice"])
        first_day, last_day = p.window_a
        if p.death is None:
            frail = math.exp(min(3.0, p.frailty) - 0.5)      # the frailty score's risk, 1 on average
            draw = rng.random()
            if draw < LIVE_SURVIVORS * frail:
                length = LIVE_DAYS[0] + below(rng, LIVE_DAYS[1])
                end = last_day - below(rng, 60)
                start = max(first_day, end - length)
                if start < end:
                    self._hospice_stay(p, start, end, start, "01", agency, out)
            elif draw < (LIVE_SURVIVORS + ONGOING) * frail:
                dx = self._hospice_reason(p)
                elected = last_day - below(rng, self._length(p, dx[0], under_way=True))
                start = max(first_day, elected)
                self._hospice_stay(p, start, last_day, elected, "30", agency, out, dx)
                return start
            return None
        if rng.random() >= self.u["hospice_share_of_decedents"]:
            return None
        dx = self._hospice_reason(p)
        elected = p.death - self._length(p, dx[0])   # the hospice election, which may precede the enrollment window
        start = max(first_day, elected)
        if rng.random() < LIVE_BEFORE_DEATH:     # an earlier election ended alive, then re-elected
            end = start - 30 - below(rng, 90)
            first = max(first_day, end - LIVE_DAYS[0] - below(rng, LIVE_DAYS[1]))
            if first < end:
                used = self._hospice_stay(p, first, end, first, "01", agency, out)
                first_days, later_days = HOSPICE_PERIODS    # a new election begins the next benefit period
                elected -= first_days * min(used, 2) + later_days * max(0, used - 2)
        self._hospice_stay(p, start, p.death, elected, "40", agency, out, dx)
        return start

    def _length(self, p: Person, terminal: str, under_way: bool = False) -> int:
        """An election's days, by the terminal diagnosis's group; `under_way`: of an election found under way on a
        given day, which is more likely a long one (length-biased: a lognormal's size-biased law is the lognormal
        with its log median raised by sigma squared)."""
        group = "cancer" if terminal.startswith("C") else next(
            (g for c, g in LOS_GROUP.items() if p.chronic_codes.get(c) == terminal), "other")
        log_median, sigma = HOSPICE_LOS[group]
        if under_way:
            log_median += sigma * sigma
        return min(HOSPICE_MAX_DAYS, max(1, int(self.rng.lognormal(log_median, sigma))))

    def _hospice_stay(self, p: Person, start: int, end: int, elected: int, ending: str, agency, out: list,
                      dx: list[str] | None = None) -> int:
        """A hospice stay billed monthly from `start` to `end`, which ends in `ending` (40 died, 01 discharged, 30
        still under way at the period's end); the benefit periods it used."""
        rng = self.rng
        self.elections.append((start, end))
        period = 1
        dx = dx or self._hospice_reason(p)
        sites, weights = _sites()
        site = sites[weighted_index(rng, weights)]
        days_line = HOSPICE.episode[0]
        month_start = start
        while month_start <= end:
            through = min(end, month_end(month_start))
            days = through - month_start + 1
            last = through == end
            period = hospice_benefit_period(month_start - elected)
            month = HospiceMonth(days=days, benefit_period=period,
                                 frequency=_frequency(HOSPICE.type_of_bill, month_start == start, last,
                                                      ending == "30"),
                                 discharge_status=ending if last else "30", elapsed=month_start - elected)
            billed = [(month_start, days_line.revenue, site, float(days))]
            visits = nb(rng, days * VISITS_PER_WEEK / 7, VISIT_DISPERSION)
            billed += visit_lines(rng, HOSPICE.visits, month_start, through, visits)
            if rng.random() < ATTENDING_VISIT:
                billed.append((month_start + below(rng, days), *ATTENDING_LINE, 1.0))
            if last and ending == "40":
                billed += self._last_week(max(month_start, through - 6), through)
            billed[1:] = sorted(billed[1:])
            out.append(Encounter(HOSPICE, month_start, through, dx, [b[1:] for b in billed], agency,
                                 attending=p.pcp, facts=month, line_days=tuple(b[0] for b in billed)))
            month_start = through + 1
        return period

    @staticmethod
    def _hospice_modifiers(p: Person, out: list[Encounter]) -> None:
        """Professional claims during a hospice election are billed outside the hospice benefit with a modifier
        (CMS IOM 100-04 ch. 11 §40.1.3): GV for the attending physician's care of the terminal condition, GW for
        care not related to it."""
        spans = [(e.start, e.end, e.dx[0]) for e in out if e.spec is HOSPICE]
        if not spans:
            return
        attending = p.pcp["npi"]
        for e in out:
            if e.spec is not CARRIER or not e.dx:
                continue
            terminal = next((dx for first, last, dx in spans if first <= e.start <= last), None)
            if terminal is None:
                continue
            own = e.performing is not None and e.performing["npi"] == attending and e.dx[0] == terminal
            modifier = "GV" if own else "GW"
            if e.modifiers:     # modifiers of every line (anesthesia's) replace the lines' own
                e.modifiers = (*e.modifiers, modifier)
            else:
                e.lines = [(rev, f"{code}-{modifier}", qty) for rev, code, qty in e.lines]

    def _last_week(self, first: int, death: int) -> list[tuple[int, str, str, float]]:
        """The extra nursing of the last days of life, and a nurse's post-mortem visit on the day of death for some."""
        rng = self.rng
        revenue, hcpcs = NURSING_LINE
        lines = [(first + below(rng, death - first + 1), revenue, hcpcs, float(2 + below(rng, 6)))
                 for _ in range(LAST_WEEK_NURSING[0] + below(rng, LAST_WEEK_NURSING[1]))]
        if rng.random() < POST_MORTEM:
            lines.append((death, revenue, hcpcs + "-PM", float(2 + below(rng, 3))))
        return lines

    def _hospice_reason(self, p: Person) -> list[str]:
        """The diagnoses: the terminal one first — a cancer the person has, else cancer for some (≈25% of hospice
        users have cancer, realism-detail.md §4.3), else their gravest chronic condition (a cancer for someone
        with no grave one: another terminal illness) — then others they have."""
        chronic = p.chronic_codes
        cancer = next((c for c in HOSPICE_REASONS if c.endswith("cancer") and c in chronic), None)
        if cancer is not None:
            terminal = chronic[cancer]
        elif self.rng.random() < TERMINAL_CANCER:
            terminal = pick_weighted(self.rng, *_unlisted_cancers())
        else:
            grave = next((c for c in HOSPICE_REASONS + LATER_REASONS if c in chronic), None)
            terminal = chronic[grave] if grave else self._acute("terminal_other")
        return [terminal, *(c for c in self._secondary(p, 4) if c != terminal)]
