"""Courses of Part B drugs given in a physician's office on a schedule, for the condition that calls for them (the
courses table): anti-VEGF injections into the eye with exudative macular degeneration or diabetic macular edema,
denosumab every six months with osteoporosis, immunotherapy infusions with lung cancer, skin substitutes applied
weekly to a chronic ulcer, a physical therapist's plan of care after arthritis or a stroke.

A treated person stays on one drug, with one clinician of the course's specialty; each dose is a carrier claim on
its day (a weekday, not during a stay) with the drug line, its administration and the course's diagnosis first. An
eye course bills its administration on the treated eye (RT, LT, both eyes with twice the drug's units), the side
of the person's diagnosis code.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from generator import tables
from generator.claim_types import TYPES
from generator.model.care.ambulatory import ORDERED
from generator.model.care.common import CareBase, within
from generator.model.care_tables import line_spec
from generator.model.dates import weekday
from generator.model.draws import below, weighted_index
from generator.model.providers import pick
from generator.model.records import Encounter, Person

CARRIER = TYPES["carrier"]
SIDES = {"RT": ("RT",), "LT": ("LT",), "RTLT": ("RT", "LT"), "": ("",)}
SATURDAY = 5                    # the weekday of a Saturday (Monday 0)


@dataclass(frozen=True, slots=True)
class Course:
    """A row of the courses table."""
    name: str
    condition: str
    share: float                                # the share of people with the condition who are treated
    every: int                                  # days between doses
    jitter: int                                 # ± days around `every`
    doses: int                                  # 0: all period; else a course of 1 to `doses` doses
    dx: tuple[tuple[str, str], ...]             # (code, side) it treats; () the person's code for the condition
    drugs: tuple[str, ...]                      # alternatives for the drug line (HCPCS with modifiers)
    drug_weights: tuple[float, ...]             # their cumulative weights
    admin: tuple[str, ...]                      # lines billed with every dose
    extra: tuple[str, ...]                      # lines billed with a dose at chance extra_p
    extra_p: float
    units: tuple[int, int]                      # the drug line's units, low and high
    specialty: str                              # CMS specialty of the clinician, "pcp" the person's own
    pos: str


@cache
def courses() -> tuple[Course, ...]:
    out = []
    for r in tables.table("courses"):
        drugs, weights = line_spec(r["drug"])
        low, _, high = r["units"].partition("-")
        out.append(Course(
            name=r["course"], condition=r["condition"], share=float(r["share"]), every=int(r["every_days"]),
            jitter=int(r["jitter_days"]), doses=int(r["doses"]),
            dx=tuple((code, side) for code, _, side in (d.partition(":") for d in filter(None, r["dx"].split("|")))),
            drugs=tuple(hcpcs for _, hcpcs, _ in drugs), drug_weights=weights,
            admin=tuple(filter(None, r["admin"].split("|"))), extra=tuple(filter(None, r["extra"].split("|"))),
            extra_p=float(r["extra_p"]), units=(int(low), int(high or low)), specialty=r["specialty"], pos=r["pos"]))
    return tuple(out)


class Courses(CareBase):
    """The scheduled office drug part of the care model."""

    def _courses(self, p: Person, out: list, stays: list[tuple[int, int]]) -> None:
        rng = self.rng
        for course in courses():
            code = p.chronic_codes.get(course.condition) or p.other_codes.get(course.condition)
            if code is None:
                continue
            if course.dx:
                sides = dict(course.dx)
                if code not in sides:       # a subgroup of the condition: the person's code must be of its family
                    family = [c for c, _ in course.dx if c[:3] == code[:3]]
                    if not family:
                        continue
                    code = family[below(rng, len(family))]
                side = sides[code]
            else:
                side = ""
            if rng.random() >= course.share:
                continue
            self._course(p, course, code, side, out, stays)

    def _course(self, p: Person, course: Course, code: str, side: str, out: list,
                stays: list[tuple[int, int]]) -> None:
        rng = self.rng
        first, last = p.window_b
        if p.death is not None:
            last = min(last, p.death)
        drug = course.drugs[weighted_index(rng, course.drug_weights)] if len(course.drugs) > 1 else course.drugs[0]
        low, high = course.units
        eyes = SIDES[side]
        units = float((low + below(rng, high - low + 1)) * len(eyes))
        admin = [f"{line}-{eye}" if eye else line for line in course.admin for eye in eyes]
        if course.specialty == "pcp":
            doctor = p.pcp
        else:
            doctor = pick(rng, p.pool.by_specialty.get(course.specialty) or (p.pcp,))
        if course.doses:            # a course that began before the period, or begins in it
            n = 1 + below(rng, course.doses)
            day = first - below(rng, course.every * n) + below(rng, last - first + 1)
        else:                       # on the drug all period
            n = 0
            day = first + below(rng, course.every)
        dx = [code]
        referring = p.pcp if course.specialty in ORDERED else None     # therapy on the PCP's order
        busy = self._and_elections(stays)       # no doses in a stay or a hospice election
        given = 0
        while day <= last and (not n or given < n):
            week_day = weekday(day)
            dose_day = day + (7 - week_day if week_day >= SATURDAY else 0)
            if first <= dose_day <= last and not within(dose_day, busy):
                lines = [("", drug, units), *[("", line, 1.0) for line in admin]]
                lines += [("", line, 1.0) for line in course.extra if rng.random() < course.extra_p]
                out.append(Encounter(CARRIER, dose_day, dose_day, list(dx), lines, doctor, performing=doctor,
                                     pos=course.pos, referring=referring))
            given += 1
            day += course.every + (below(rng, 2 * course.jitter + 1) - course.jitter if course.jitter else 0)

