"""Courses of Part B drugs and therapy given on a schedule, for the condition that calls for them (the courses
table): in a physician's office, anti-VEGF injections into the eye with exudative macular degeneration or diabetic
macular edema, denosumab every six months with osteoporosis, immunotherapy infusions with lung cancer, skin
substitutes applied weekly to a chronic ulcer, a physical therapist's plan of care after arthritis or a stroke; in a
hospital outpatient department (claim type outpatient), biologic infusions for rheumatoid arthritis, iron infusions
for iron deficiency anemia, trastuzumab for breast cancer, and outpatient rehabilitation (physical, occupational
and speech therapy with their GP/GO/GN modifiers) on a plan of care after a stroke, a fragility fracture or with
arthritis.

A treated person stays on one drug, with one clinician of the course's specialty; each dose is a claim on its day
(a weekday, not during a stay) with the drug line, its administration and the course's diagnosis first: a carrier
claim the clinician bills, or a hospital's outpatient claim (revenue center lines; the clinician attends). A course's
first visit adds its `first` lines (a therapy evaluation). Services the hospital's claim type bills as repetitive
(its spec's `repetitive` revenue centers: therapy) go on one claim a month, each line on its visit's day. An eye
course bills its administration on the treated eye (RT, LT, both eyes with twice the drug's units), the side of the
person's diagnosis code.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from generator import tables
from generator.claim_types import TYPES
from generator.model.care.ambulatory import ORDERED, OUTPATIENT_POS
from generator.model.care.common import CareBase, monthly_bills, within
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
    claim_type: str = "carrier"                 # who bills a dose: the clinician (carrier), a hospital (outpatient)
    first: tuple[str, ...] = ()                 # lines billed on the course's first visit only (an evaluation)
    revenue: tuple[tuple[str, str], ...] = ()   # (HCPCS, revenue center) of each line a hospital bills
    same: frozenset[str] = frozenset()          # its drug codes without modifiers: a person takes one course of them


@cache
def courses() -> tuple[Course, ...]:
    out = []
    for r in tables.table("courses"):
        drugs, weights = line_spec(r["drug"])
        low, _, high = r["units"].partition("-")
        coded = {hcpcs: rev for rev, hcpcs, _ in (*drugs, *(line for column in ("admin", "extra", "first")
                                                               for line in line_spec(r[column])[0]))}
        out.append(Course(
            name=r["course"], condition=r["condition"], share=float(r["share"]), every=int(r["every_days"]),
            jitter=int(r["jitter_days"]), doses=int(r["doses"]),
            dx=tuple((code, side) for code, _, side in (d.partition(":") for d in filter(None, r["dx"].split("|")))),
            drugs=tuple(hcpcs for _, hcpcs, _ in drugs), drug_weights=weights,
            admin=_codes(r["admin"]), extra=_codes(r["extra"]), extra_p=float(r["extra_p"]),
            units=(int(low), int(high or low)), specialty=r["specialty"], pos=r["pos"], claim_type=r["claim_type"],
            first=_codes(r["first"]), revenue=tuple((h, rev) for h, rev in coded.items() if rev),
            same=frozenset(hcpcs.split("-")[0] for _, hcpcs, _ in drugs)))
    return tuple(out)


def _codes(text: str) -> tuple[str, ...]:
    """The HCPCS codes (with modifiers) of a `rev:hcpcs|…` column."""
    return tuple(hcpcs for _, hcpcs, _ in line_spec(text)[0])


class Courses(CareBase):
    """The scheduled office drug part of the care model."""

    def _courses(self, p: Person, out: list, stays: list[tuple[int, int]]) -> None:
        rng = self.rng
        plans: set[str] = set()
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
            if plans & course.same:         # courses sharing a drug (or therapy code) are alternatives: one of
                continue                    # them, in the office or at the hospital, one plan per discipline
            plans |= course.same
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
        spec = TYPES[course.claim_type]
        revenue = dict(course.revenue)
        visits: list[tuple[int, list[tuple[str, str, float]]]] = []
        given = 0
        while day <= last and (not n or given < n):
            week_day = weekday(day)
            dose_day = day + (7 - week_day if week_day >= SATURDAY else 0)
            if first <= dose_day <= last and not within(dose_day, busy):
                lines = [(drug, units), *[(line, 1.0) for line in admin]]
                lines += [(line, 1.0) for line in course.extra if rng.random() < course.extra_p]
                if given == 0:      # the course's first visit (not one before the period)
                    lines = [(line, 1.0) for line in course.first] + lines
                visits.append((dose_day, [(revenue.get(h, ""), h, q) for h, q in lines]))
            given += 1
            day += course.every + (below(rng, 2 * course.jitter + 1) - course.jitter if course.jitter else 0)
        if spec is CARRIER:
            out.extend(Encounter(CARRIER, d, d, list(dx), lines, doctor, performing=doctor, pos=course.pos,
                                 referring=referring) for d, lines in visits)
        elif any(rev.startswith(spec.repetitive) for _, lines in visits for rev, _, _ in lines):
            out.extend(Encounter(spec, billed[0][0], billed[-1][0], list(dx), [line for _, line in billed],
                                 p.hospital, performing=doctor, pos=OUTPATIENT_POS, referring=referring,
                                 attending=p.pcp, line_days=tuple(d for d, _ in billed))
                       for billed in monthly_bills((d, line) for d, lines in visits for line in lines))
        else:
            out.extend(Encounter(spec, d, d, list(dx), lines, p.hospital, performing=doctor, pos=OUTPATIENT_POS)
                       for d, lines in visits)
