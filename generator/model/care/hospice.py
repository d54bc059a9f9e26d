"""Hospice: who elects it before death, for how long, and its monthly claims by benefit period."""
from __future__ import annotations

import math

from generator.claim_types import TYPES
from generator.claim_types.spec import TypeOfBill
from generator.model.care.common import CareBase, units
from generator.model.dates import month_end
from generator.model.providers import pick
from generator.model.records import Encounter, HospiceMonth, Person

HOSPICE = TYPES["hospice"]

# Hospice: use and length (realism.md §3: median ≈18 days, a long tail)
HOSPICE_LOS = (math.log(18), 1.6)            # lognormal (log median, sigma) of a hospice stay's days
HOSPICE_MAX_DAYS = 3 * 365        # the lognormal's tail cut: no hospice stay runs longer (an estimate)
HOSPICE_PERIODS = (90, 60)       # days of the first two hospice benefit periods, and of each one after them
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
            out.append(Encounter(HOSPICE, month_start, through, dx, units(HOSPICE.episode, days=days), agency,
                                 facts=month))
            month_start = through + 1
        return start

    def _hospice_reason(self, p: Person) -> str:
        for cond in HOSPICE_REASONS:
            if cond in p.chronic_codes:
                return p.chronic_codes[cond]
        return self._acute("respiratory_failure")
