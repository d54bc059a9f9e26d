"""What every part of the care model shares: the random stream, the profile's rates, date and count draws,
and the codes a visit or stay reports besides its reason.

Dates follow the calendar of their kind of care (the calendar table): office care on weekdays, admissions with a
winter peak, flu vaccinations in the autumn (`calendar_day`)."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from functools import cache
from typing import TypeVar

import numpy as np

from generator import tables

from generator.claim_types import TYPES
from generator.claim_types.spec import Billed, ClaimType
from generator.model.care_tables import acute_codes, pick_weighted
from generator.model.dates import month_end, weekday
from generator.model.draws import Draws, below, sample
from generator.model.care.repeats import Repeats
from generator.model.providers import clinician
from generator.model.records import Encounter, Person, Provider

T = TypeVar("T")


def within(day: int, spans) -> bool:
    """Whether the day falls in one of the (first, last) spans, inclusive: a person's stays or hospice elections."""
    return any(first <= day <= last for first, last in spans)


def monthly_bills(dated: Iterable[tuple[int, T]]) -> list[list[tuple[int, T]]]:
    """Dated lines of a repetitive service (radiation fractions, therapy visits) grouped into the month each falls
    in, a hospital's one claim a month, in date order."""
    months: dict[int, list[tuple[int, T]]] = {}
    for day, line in dated:
        months.setdefault(month_end(day), []).append((day, line))
    return list(months.values())


def day_in(rng, window: tuple[int, int]) -> int:
    """A uniform day of a window (first, last), inclusive."""
    return window[0] + below(rng, window[1] - window[0] + 1)


@cache
def _calendar(pattern: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A pattern's (weekday weights Monday..Sunday, month weights January..December), each scaled to a maximum of
    1 (a unit the pattern leaves out weighs evenly)."""
    rows = [r for r in tables.table("calendar") if r["pattern"] == pattern]
    if not rows:
        raise ValueError(f"no calendar pattern {pattern!r} (add its rows to the calendar table)")

    def unit(name: str, n: int, first: int) -> tuple[float, ...]:
        weights = [1.0] * n
        for r in rows:
            if r["unit"] == name:
                weights[int(r["key"]) - first] = float(r["weight"])
        top = max(weights)
        return tuple(w / top for w in weights)

    return unit("weekday", 7, 0), unit("month", 12, 1)


@cache
def _day_weight(pattern: str, ordinal: int) -> float:
    weekdays, months = _calendar(pattern)
    return weekdays[weekday(ordinal)] * months[dt.date.fromordinal(ordinal).month - 1]


CALENDAR_TRIES = 32


def calendar_day(rng, window: tuple[int, int], pattern: str) -> int:
    """A day of a window (first, last) drawn with the calendar pattern's weights (by rejection: a uniform day is
    kept with its weight; after CALENDAR_TRIES draws the last one stands)."""
    return calendar_draw(rng, lambda: day_in(rng, window), pattern)


def calendar_draw(rng, draw: Callable[[], int], pattern: str) -> int:
    """A day from `draw` reweighted by the calendar pattern (by rejection, as `calendar_day`)."""
    random = rng.random
    for _ in range(CALENDAR_TRIES):
        day = draw()
        if random() < _day_weight(pattern, day):
            return day
    return day


def nb(rng, mean: float, k: float = 1.5) -> int:
    """A negative binomial count with the given mean and dispersion k."""
    if mean <= 0:
        return 0
    return int(rng.poisson(rng.gamma(k, mean / k)))


def years(window) -> float:
    """The length of an enrollment window in years (0 for none)."""
    return 0.0 if window is None else (window[1] - window[0] + 1) / 365.25


def dedupe(xs: list[str]) -> list[str]:
    """The codes in order, each once."""
    return list(dict.fromkeys(xs))


def units(billed: tuple[Billed, ...], days: int = 0, visits: int = 0) -> list[tuple[str, str, float]]:
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


AMBULANCE_CODES = ("A0427", "A0427", "A0427", "A0429", "A0429")   # ALS : BLS emergency ≈ 127 : 88 (S1 2023)
AMBULANCE_MILES = (math.log(7), 0.6)
ANESTHESIA_DIRECTED = 0.35       # anesthesia cases medically directed (QK) with a CRNA (QX); the rest personally (AA)


class CareBase:
    """The state every care part reads: the profile's utilization rates and the shard's random stream."""

    u: dict
    rng: Draws
    elections: list[tuple[int, int]]    # the person's hospice elections (first and last days), in date order
    repeats: Repeats                    # the person's dates of services with a repeat limit
    period_end: int
    prevalence: tuple[tuple[str, float], ...]     # the profile's chronic-condition prevalences

    def __init__(self, profile, rng: np.random.Generator | Draws, ccw_visits: bool = True):
        """`ccw_visits`: give everyone with a chronic condition two visits on different dates (the CCW rule
        over a year); off for short windows (`medisynth advance`), where it would inflate visit counts."""
        self.u = profile.utilization
        self.rng = Draws.of(rng)
        self.ccw_visits = ccw_visits
        self.period_end = profile.period_end.toordinal()     # the period's last day (a stay open then is billed open)
        self.elections = []
        self.repeats = Repeats()

    def _in_election(self, day: int) -> bool:
        """Whether the day falls in one of the person's hospice elections (whose terminal-condition care the hospice
        gives: no hospital stay or home health period begins then, 42 CFR 418.24(d))."""
        return within(day, self.elections)

    def _and_elections(self, stays: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The days a person's routine ambulatory care keeps away from: their stays and their hospice elections. In
        an election the hospice plans and gives the care of the terminal illness and its related conditions, its
        attending physician (the PCP here: their visits carry GV/GW) sees the patient, and office visits to
        specialists, ancillary tests (labs, imaging, therapy), screening and preventive services, office drug courses
        and hospital outpatient clinic visits and tests no longer happen: a terminally ill patient stops routine
        care (42 CFR 418.24(d), 418.56; hospices give vaccines themselves)."""
        return stays + self.elections if self.elections else stays

    def _before_election(self, day: int, last: int) -> int:
        """`last`, or the day before the first hospice election that begins after `day` and by `last`: care that
        begins on `day` ends before the election."""
        return min([last] + [first - 1 for first, _ in self.elections if day < first <= last])

    def _acute(self, reason: str) -> str:
        items, p = acute_codes()[reason]
        return pick_weighted(self.rng, items, p)

    def _secondary(self, p: Person, k: int) -> list[str]:
        if not p.chronic_codes or k <= 0:
            return []
        return sample(self.rng, p.chronic_codes.values(), k)

    def _ambulance(self, p: Person, day: int, dx: list[str], out: list,
                   transport: tuple[tuple[str, ...], str] = (AMBULANCE_CODES, "RH")) -> None:
        """An ambulance transport: by default an emergency one to the hospital (residence to hospital, RH); else
        `transport` names the base rate codes to draw from and the origin-destination modifier. The base rate and
        the loaded miles."""
        rng = self.rng
        codes, modifier = transport
        services = p.pool.by_kind["ambulance"]
        supplier = services[int(p.hospital["npi"]) % len(services)]     # the service that serves the person's hospital
        miles = float(max(1, round(rng.lognormal(*AMBULANCE_MILES))))
        lines = [("", codes[below(rng, len(codes))], 1.0), ("", "A0425", miles)]
        out.append(Encounter(TYPES["carrier"], day, day, dx[:2], lines, supplier, performing=supplier, pos="41",
                             modifiers=(modifier,)))

    def _anesthesia(self, p: Person, day: int, dx: list[str], code: str, minutes: float, pos: str,
                    out: list) -> None:
        """The anesthesia claims of a procedure (its minutes in the line's units): the anesthesiologist's alone
        (AA), or medically directed (QK) with the CRNA's (QX)."""
        rng = self.rng
        anesthesiologist = clinician(rng, p.pool, "05")
        line = [("", code, minutes)]
        if rng.random() < ANESTHESIA_DIRECTED:
            out.append(Encounter(TYPES["carrier"], day, day, dx[:4], line, anesthesiologist,
                                 performing=anesthesiologist, pos=pos, modifiers=("QK",)))
            crna = clinician(rng, p.pool, "43")
            out.append(Encounter(TYPES["carrier"], day, day, dx[:4], line, crna, performing=crna, pos=pos,
                                 modifiers=("QX",)))
        else:
            out.append(Encounter(TYPES["carrier"], day, day, dx[:4], line, anesthesiologist,
                                 performing=anesthesiologist, pos=pos, modifiers=("AA",)))

    @staticmethod
    def _clinician_visit(spec: ClaimType, day: int, hcpcs: str, pos: str, dx: list[str],
                         performer: Provider) -> Encounter:
        """A clinician's visit with one code, billed by the clinician."""
        return Encounter(spec, day, day, list(dx), [("", hcpcs, 1.0)], performer, performing=performer, pos=pos)
