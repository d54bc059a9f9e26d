"""Hospice: who elects it before death, for how long, and its monthly claims by benefit period."""
from __future__ import annotations

import math

from generator.claim_types import TYPES
from generator.claim_types.spec import TypeOfBill
from generator.model.care.common import CareBase, units
from generator.model.dates import month_end
from generator.model.draws import below
from generator.model.providers import pick
from generator.model.records import Encounter, HospiceMonth, Person

HOSPICE = TYPES["hospice"]

# Hospice: use and length (realism.md §3: median ≈18 days, a long tail)
HOSPICE_LOS = (math.log(18), 1.6)            # lognormal (log median, sigma) of a hospice stay's days
HOSPICE_MAX_DAYS = 3 * 365        # the lognormal's tail cut: no hospice stay runs longer (an estimate)
HOSPICE_PERIODS = (90, 60)       # days of the first two hospice benefit periods, and of each one after them
TERMINAL_CANCER = 0.2           # hospice users without a cancer condition whose terminal diagnosis is cancer
LIVE_SURVIVORS = 0.0065          # survivors (per unit of frailty) with a hospice stay ending in a live discharge
LIVE_BEFORE_DEATH = 0.08         # decedents whose hospice care began with an earlier stay ended alive
LIVE_DAYS = (20, 150)            # a live-discharged stay's days: 20 + below(150)
HOSPICE_REASONS = ("lung_cancer", "colorectal_cancer", "dementia", "heart_failure", "copd", "ckd", "stroke")


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


class Hospice(CareBase):
    """The hospice part of the care model."""

    def _hospice(self, p: Person, out: list) -> int | None:
        """Hospice care: the election before death (its start returned), an earlier stay ended alive for some, and
        for a few survivors a stay that ends in a live discharge (they got better or chose treatment)."""
        rng = self.rng
        agency = pick(rng, p.pool.by_kind["hospice"])
        if p.death is None:
            if rng.random() < LIVE_SURVIVORS * min(3.0, p.frailty):
                length = LIVE_DAYS[0] + below(rng, LIVE_DAYS[1])
                end = p.window_a[1] - below(rng, 60)
                start = max(p.window_a[0], end - length)
                if start < end:
                    self._hospice_stay(p, start, end, start, "01", agency, out)
            return None
        if rng.random() >= self.u["hospice_share_of_decedents"]:
            return None
        length = min(HOSPICE_MAX_DAYS, max(1, int(rng.lognormal(*HOSPICE_LOS))))
        elected = p.death - length          # the hospice election, which may precede the enrollment window
        start = max(p.window_a[0], elected)
        if rng.random() < LIVE_BEFORE_DEATH:     # an earlier election ended alive, then re-elected
            end = start - 30 - below(rng, 90)
            first = max(p.window_a[0], end - LIVE_DAYS[0] - below(rng, LIVE_DAYS[1]))
            if first < end:
                used = self._hospice_stay(p, first, end, first, "01", agency, out)
                first_days, later_days = HOSPICE_PERIODS    # a new election begins the next benefit period
                elected -= first_days * min(used, 2) + later_days * max(0, used - 2)
        self._hospice_stay(p, start, p.death, elected, "40", agency, out)
        return start

    def _hospice_stay(self, p: Person, start: int, end: int, elected: int, ending: str, agency, out: list) -> int:
        """A hospice stay billed monthly from `start` to `end`, which ends in `ending` (40 died, 01 discharged); the
        benefit periods it used."""
        period = 1
        dx = [self._hospice_reason(p), *self._secondary(p, 4)]
        month_start = start
        while month_start <= end:
            through = min(end, month_end(month_start))
            days = through - month_start + 1
            last = through == end
            period = hospice_benefit_period(month_start - elected)
            month = HospiceMonth(days=days, benefit_period=period,
                                 frequency=_frequency(HOSPICE.type_of_bill, month_start == start, last),
                                 discharge_status=ending if last else "30")
            out.append(Encounter(HOSPICE, month_start, through, dx, units(HOSPICE.episode, days=days), agency,
                                 attending=p.pcp, facts=month))
            month_start = through + 1
        return period

    def _hospice_reason(self, p: Person) -> str:
        """The terminal diagnosis: a cancer the person has, else cancer for some (≈25% of hospice users have
        cancer, realism-detail.md §4.3), else their gravest chronic condition."""
        chronic = p.chronic_codes
        cancer = next((c for c in HOSPICE_REASONS if c.endswith("cancer") and c in chronic), None)
        if cancer is not None:
            return chronic[cancer]
        if self.rng.random() < TERMINAL_CANCER:
            return self._acute("terminal_cancer")
        grave = next((c for c in HOSPICE_REASONS if c in chronic), None)
        return chronic[grave] if grave else self._acute("respiratory_failure")
