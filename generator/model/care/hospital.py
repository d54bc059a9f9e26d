"""Hospital outpatient care beyond visits and tests: observation stays after an ED visit, procedures hospitals
perform on outpatients (the hospital_services table: cataract, cardiac catheterization and PCI, pacemakers,
ablation, joint replacement, injections…), and radiation therapy courses (the radiation_courses table).

Each follows from a reason the person has: an ED visit for chest pain, syncope… becomes an observation stay
(G0378 hours on revenue center 0762, after the ED visit on the same claim) instead of a release home; a procedure
needs the chronic condition it treats, whose code is principal on the hospital's claim and on the professional
claim of the clinician who performs it (carrier, POS 22); a radiation course needs the cancer. Hospitals bill a
course's fractions monthly (repetitive services), each fraction line on its own weekday, and the radiation
oncologist bills the plan (77263) and weekly management (77427, one per five fractions). A hospital lab draw
(and some clinic visits) adds the monitoring tests of the chronic conditions on its claim (the lab_panels table:
HbA1c with diabetes, TSH with hypothyroidism…), each once, paid on the clinical laboratory fee schedule without cost
sharing.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from generator import tables
from generator.claim_types import TYPES
from generator.model.care.ambulatory import OUTPATIENT_POS, Ambulatory
from generator.model.care.common import calendar_day, dedupe, monthly_bills, years
from generator.model.care_tables import (ESRD_CKD_CODE, VisitKind, acute_codes, em_levels, line_spec,
                                         pick_weighted)
from generator.model.dates import weekday
from generator.model.draws import below
from generator.model.providers import clinician
from generator.model.records import Encounter, Person

CARRIER, OUTPATIENT = TYPES["carrier"], TYPES["outpatient"]

# Observation: ≈1.5 M Medicare observation stays in 2012 (HHS OIG OEI-02-12-00040), ≈50-60 per 1,000 FFS
# beneficiaries a year since [U]; most follow an ED visit for chest pain, syncope, dizziness or abdominal pain
# (the ED reasons' shares below [U]); CMS pays observation of 8+ hours as C-APC 8011 (opps_rates)
OBSERVATION_SHARE = {"chest_pain": 0.45, "syncope": 0.45, "dizziness": 0.2, "abdominal_pain": 0.12,
                     "cellulitis": 0.1, "pneumonia": 0.15, "symptom": 0.04}
OBSERVATION = ("0762", "G0378")
OBSERVATION_HOURS = (8, 48)          # C-APC 8011 needs 8 hours; most stays end within two days (median ≈20 h)
OBSERVATION_TESTS = {"chest_pain": (("0300", "84484", 2.0), ("0730", "93000", 1.0)),
                     "syncope": (("0730", "93000", 1.0), ("0350", "70450", 1.0))}
ESRD = "esrd"                        # a hospital_services condition: ESRD entitlement (dialysis), code N18.6
HOSPITALIST = "11"                   # internal medicine: the observation's initial and discharge-day visits
RADIATION_ONCOLOGY = "92"
RADIATION_REVENUE = "0333"
PLANNING, MANAGEMENT = "77263", "77427"   # radiation oncologist: the course's plan; management per 5 fractions
FRACTIONS_PER_MANAGEMENT = 5
LAB_KIND, LAB_REVENUE = "lab", "0300"       # a hospital outpatient lab draw (a referred specimen) and its lines
CLINIC_KIND, CLINIC_DRAW = "clinic", 0.35   # a hospital clinic visit with blood drawn for its conditions' tests [U]


@dataclass(frozen=True, slots=True)
class Service:
    """A hospital outpatient procedure (a hospital_services row)."""
    conditions: tuple[str, ...]
    per_year: float
    lines: tuple[tuple[str, str, float], ...]
    professional: str
    specialty: str
    sides: bool
    most: int


@dataclass(frozen=True, slots=True)
class RadiationCourse:
    """A radiation therapy course for a cancer (a radiation_courses row)."""
    condition: str
    per_year: float
    fractions: tuple[int, int]
    delivery: str
    planning: tuple[str, ...]


@cache
def hospital_services() -> tuple[Service, ...]:
    return tuple(Service(tuple(r["conditions"].split("|")), float(r["per_year"]), line_spec(r["lines"])[0],
                         r["professional"], r["specialty"], r["sides"] == "Y", int(r["most"]))
                 for r in tables.table("hospital_services"))


@cache
def radiation_courses() -> tuple[RadiationCourse, ...]:
    return tuple(RadiationCourse(r["condition"], float(r["per_year"]),
                                 (int(r["fractions_low"]), int(r["fractions_high"])), r["delivery"],
                                 tuple(r["planning"].split("|")))
                 for r in tables.table("radiation_courses"))


@cache
def lab_panels() -> dict[str, tuple[tuple[str, float], ...]]:
    """The monitoring tests of each chronic condition with their chances per lab draw (the lab_panels table)."""
    out: dict[str, list[tuple[str, float]]] = {}
    for r in tables.table("lab_panels"):
        out.setdefault(r["condition"], []).append((r["hcpcs"], float(r["share"])))
    return {k: tuple(v) for k, v in out.items()}


@cache
def _observation_reasons() -> dict[str, str]:
    """The ED reason of each code that may lead to observation."""
    return {code: reason for reason in OBSERVATION_SHARE for code in acute_codes()[reason][0]}


class Hospital(Ambulatory):
    """Observation stays, hospital outpatient procedures and radiation courses (with their professional claims)."""

    def _hospital(self, p: Person, intensity: float, out: list[Encounter], stays: list[tuple[int, int]]) -> None:
        self._procedures(p, intensity, out, stays)
        self._radiation(p, out, stays)

    def _hospital_tests(self, p: Person, kind: VisitKind, visit: Encounter) -> None:
        """A lab draw's monitoring tests for the chronic conditions on its claim, each test once and within its repeat
        limit (a clinic visit's, when blood is drawn at it)."""
        random = self.rng.random
        if kind.kind != LAB_KIND and (kind.kind != CLINIC_KIND or random() >= CLINIC_DRAW):
            return
        panels = lab_panels()
        on_claim = set(visit.dx)
        billed = {hcpcs for _, hcpcs, _ in visit.lines}
        for condition, code in p.chronic_codes.items():
            if code in on_claim and condition in panels:
                for hcpcs, share in panels[condition]:
                    if hcpcs not in billed and random() < share and self.repeats.take(hcpcs, visit.start):
                        billed.add(hcpcs)
                        visit.lines.append((LAB_REVENUE, hcpcs, 1.0))

    def _professional_component(self, p: Person, visit: Encounter, out: list[Encounter]) -> None:
        """An ED visit for a reason that calls for it becomes an observation stay on the same claim."""
        super()._professional_component(p, visit, out)
        reason = _observation_reasons().get(visit.dx[0]) if visit.lines[0][0] == "0450" else None
        if reason is None or self.rng.random() >= OBSERVATION_SHARE[reason]:
            return
        rng = self.rng
        low, high = OBSERVATION_HOURS
        hours = float(min(high, low + round(rng.lognormal(2.4, 0.6))))
        visit.lines.extend(t for t in OBSERVATION_TESTS.get(reason, ()) if all(t[1] != line[1] for line in visit.lines))
        visit.lines.append((*OBSERVATION, hours))
        visit.end = visit.start + (1 if hours + 24 * rng.random() > 24 else 0)
        doctor = clinician(rng, p.pool, HOSPITALIST)
        dx = visit.dx[:4]
        levels = em_levels()
        out.append(self._clinician_visit(CARRIER, visit.start, pick_weighted(rng, *levels["inpatient_initial"]),
                                         OUTPATIENT_POS, dx, doctor))
        if visit.end > visit.start:
            out.append(self._clinician_visit(CARRIER, visit.end, pick_weighted(rng, *levels["discharge"]),
                                             OUTPATIENT_POS, dx, doctor))

    def _procedures(self, p: Person, intensity: float, out: list[Encounter], stays: list[tuple[int, int]]) -> None:
        rng = self.rng
        span = years(p.window_b) * intensity
        busy = self._and_elections(stays)
        for svc in hospital_services():
            code = ESRD_CKD_CODE if p.esrd and ESRD in svc.conditions else next(
                (p.chronic_codes.get(c) or p.other_codes.get(c) for c in svc.conditions
                 if c in p.chronic_codes or c in p.other_codes), None)
            if code is None:
                continue
            n = min(svc.most, int(rng.poisson(svc.per_year * span)))
            sides = ["-RT", "-LT"] if rng.random() < 0.5 else ["-LT", "-RT"]
            surgeon = clinician(rng, p.pool, svc.specialty)
            for i in range(n):
                side = sides[i % 2] if svc.sides else ""
                (rev, hcpcs, qty), *rest = svc.lines
                if (day := self._free_day(p.window_b, busy)) is None or not self.repeats.take(hcpcs + side, day):
                    continue        # … or the eye's lens was removed already (the ASC's surgeon: ambulatory.py)
                dx = dedupe([code, *self._secondary(p, 1 + below(rng, 3))])
                lines = [(rev, hcpcs + side, qty), *(line for line in rest if self.repeats.take(line[1], day))]
                out.append(Encounter(OUTPATIENT, day, day, dx, lines, p.hospital, performing=surgeon,
                                     pos=OUTPATIENT_POS))
                out.append(self._clinician_visit(CARRIER, day, svc.professional + side, OUTPATIENT_POS, dx[:4],
                                                 surgeon))

    def _radiation(self, p: Person, out: list[Encounter], stays: list[tuple[int, int]]) -> None:
        rng = self.rng
        if p.window_b is None:
            return
        first, last = p.window_b
        for course in radiation_courses():
            code = p.chronic_codes.get(course.condition)
            if code is None or rng.random() >= course.per_year * years(p.window_b):
                continue
            sim = calendar_day(rng, (first, last), "office")     # simulation and plan; fractions a week later
            low, high = course.fractions
            fractions = _weekdays(sim + 7, low + below(rng, high - low + 1), last)
            oncologist = clinician(rng, p.pool, RADIATION_ONCOLOGY)
            dx = dedupe([code, *self._secondary(p, below(rng, 3))])
            out.append(self._clinician_visit(CARRIER, sim, PLANNING, OUTPATIENT_POS, dx[:4], oncologist))
            for k, day in enumerate(fractions, start=1):
                if k % FRACTIONS_PER_MANAGEMENT == 0:     # weekly management: one for each five fractions
                    out.append(self._clinician_visit(CARRIER, day, MANAGEMENT, OUTPATIENT_POS, dx[:4], oncologist))
            dated = [*((sim, hcpcs) for hcpcs in course.planning), *((day, course.delivery) for day in fractions)]
            for billed in monthly_bills(dated):
                out.append(Encounter(OUTPATIENT, billed[0][0], billed[-1][0], dx,
                                     [(RADIATION_REVENUE, hcpcs, 1.0) for _, hcpcs in billed], p.hospital,
                                     performing=oncologist, pos=OUTPATIENT_POS, line_days=tuple(d for d, _ in billed)))


def _weekdays(start: int, n: int, last: int) -> list[int]:
    """n weekdays from `start` (a fraction a weekday), none after `last`."""
    out: list[int] = []
    day = start
    while len(out) < n and day <= last:
        if weekday(day) < 5:        # Monday..Friday
            out.append(day)
        day += 1
    return out
