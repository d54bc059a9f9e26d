"""Ambulatory care: visits to a person's regular clinicians, ancillary professional services, preventive services
on their schedules, and hospital outpatient visits (dialysis: care/dialysis.py; DME: care/dme.py).

A person has a few regular clinicians (their PCP and the specialists their conditions call for, the visits
table's "office" kinds); a visit goes to one of them, at most once a day, and addresses the conditions that
clinician treats, bundled on one claim. The first visit to a clinician the person is new to bills a new-patient
E/M code; the E/M level follows the national mix (em_levels table). Preventive services follow the preventive
table's eligibility and frequency rules; orders need their reasons (a kind's conditions), and the diagnoses
respect the Medicare Code Editor's sex edits.
"""
from __future__ import annotations

import datetime as dt

from generator.claim_types import TYPES
from generator.model.care.common import CareBase, calendar_day, day_in, nb, years
from generator.model.care_tables import (Preventive, VisitKind, acute_codes_for, eligible_kinds,
                                         em_levels, office_kinds, pick_weighted, preventive_services)
from generator.model.coding import hcpcs_table
from generator.model.dates import month_end, year_of
from generator.model.draws import below, sample, weighted_index
from generator.model.providers import clinician
from generator.model.records import Encounter, Person, Provider

CARRIER, OUTPATIENT = TYPES["carrier"], TYPES["outpatient"]

ACUTE_OUTPATIENT = ("chest_pain", "fall_injury", "uti", "abdominal_pain", "dizziness", "back_pain", "syncope",
                    "cellulitis", "pneumonia")
FOLLOW_UP = ("99213", "11")      # the office visit that adds a second visit date for the CCW rule
FOLLOW_UP_DAYS = 7

# Regular clinicians' visits (calibrated to ≈6 office E/M per FFS beneficiary-year, realism-detail.md §1)
OFFICE_SCALE = 0.88              # visits a year scale over the visits table's office weights
PCP_PER_CONDITION = 0.12         # each chronic condition adds this share of PCP visits
PCP_ACUTE = 0.2                  # share of PCP visits for an acute problem
NEW_TO_PCP = 0.2                 # chance a person is new to their PCP within the period
NEW_TO_SPECIALIST = 0.6          # … to a specialist (new : established office visits ≈ 1 : 8.2)
TELEHEALTH = 0.04                # established E/M by real-time audio/video (POS 10, modifier 95)
TELEHEALTH_POS = "10"
PROCEDURE_KINDS = frozenset({"procedure", "eye"})   # a same-day procedure puts modifier 25 on the E/M
ANCILLARY_SHARE = 0.5            # ancillary professional claims, as a share of the profile's carrier claims

# The professional claim beside a hospital outpatient service: the ED physician, the radiologist's reading
ED_PHYSICIAN = ("93", "23")      # emergency medicine at POS 23 (hospital ED)
READING = ("30", "22")           # diagnostic radiology, outpatient hospital, professional component (26)
OFFICE_EM, NEW_PATIENT, ESTABLISHED = ("9920", "9921"), "9920", "9921"    # office E/M code stems
SEASON_START = 8                 # flu seasons run August..July (named by their autumn's year)


ORDERED = frozenset({"69", "30", "65", "dme"})
"""Visit kinds (by specialty) that the person's own clinician orders: labs, imaging, therapy, equipment."""

class Ambulatory(CareBase):
    """The professional, preventive and outpatient part of the care model."""

    def _professional(self, p, intensity, out, stays):
        rng = self.rng
        window = p.window_b
        conditions = _condition_names(p)
        visits = self._office(p, conditions, intensity, stays)
        n = nb(rng, self.u["carrier_claims_per_bene"] * ANCILLARY_SHARE * years(window) * intensity)
        kinds = eligible_kinds(CARRIER, conditions)
        visits += [self._visit(p, self._choose_kind(kinds), self._free_day(window, stays)) for _ in range(n)]
        self._show_conditions(p, visits, [e.start for e in visits])
        visits.sort(key=lambda e: e.start)
        out.extend(_office_edits(visits))
        self._preventive(p, out)

    def _office(self, p: Person, conditions: tuple[str, ...], intensity: float, stays) -> list[Encounter]:
        """Visits to the person's regular clinicians (one per specialty): one claim per clinician and day, the
        first one new-patient when the person is new to the clinician."""
        rng = self.rng
        span = years(p.window_b) * intensity * OFFICE_SCALE
        doctors: dict[str, Provider] = {}
        planned: dict[str, list[tuple[int, VisitKind, list[str]]]] = {}     # by NPI: (day, kind, codes treated)
        for kind in office_kinds(conditions):
            pcp = kind.specialty == "pcp"
            if not pcp and rng.random() >= kind.panel:
                continue
            n = nb(rng, kind.weight * span * (1 + PCP_PER_CONDITION * len(p.conditions) if pcp else 1))
            if not n:
                continue
            doctor = p.pcp if pcp else doctors.get(kind.specialty) or clinician(rng, p.pool, kind.specialty)
            doctors[kind.specialty] = doctor
            treats = _codes_for(p, kind.conditions) if kind.conditions else list(p.chronic_codes.values())
            visits = planned.setdefault(doctor["npi"], [])
            taken = {day for day, _, _ in visits}
            visits += [(day, kind, treats) for day in {self._free_day(p.window_b, stays) for _ in range(n)}
                       if day not in taken]
        out: list[Encounter] = []
        by_npi = {d["npi"]: d for d in (p.pcp, *doctors.values())}
        for npi, visits in planned.items():
            visits.sort(key=lambda v: v[0])
            new = rng.random() < (NEW_TO_PCP if by_npi[npi] is p.pcp else NEW_TO_SPECIALIST)
            for i, (day, kind, treats) in enumerate(visits):
                out.append(self._office_visit(p, kind, day, by_npi[npi], new and i == 0, treats))
        return out

    def _office_visit(self, p: Person, kind: VisitKind, day: int, doctor: Provider, new: bool,
                      treats: list[str]) -> Encounter:
        rng = self.rng
        random = rng.random
        extra = [line for line in kind.extra if random() < kind.extra_p]
        pos = kind.pos
        if kind.main:
            first = kind.main[weighted_index(rng, kind.main_weights)]
        else:
            code = pick_weighted(rng, *em_levels()["office_new" if new else "office_established"])
            if not new and not extra and random() < TELEHEALTH:
                code, pos = code + "-95", TELEHEALTH_POS
            elif any(hcpcs_table()[hcpcs]["kind"] in PROCEDURE_KINDS for _, hcpcs, _ in extra):
                code += "-25"
            first = ("", code, 1.0)
        if kind.specialty == "pcp" and (random() < PCP_ACUTE or not treats):
            dx = [self._reason(p, ACUTE_OUTPATIENT[below(rng, len(ACUTE_OUTPATIENT))])]
            dx += sample(rng, treats, min(len(treats), below(rng, 3)))
        elif kind.specialty == "pcp":
            dx = sample(rng, treats, min(len(treats), 1 + below(rng, 4)))
        else:       # a specialist sees what they treat; someone with none of it comes for an acute reason
            dx = (treats[:CARRIER.diagnoses.limit]
                  or [self._reason(p, ACUTE_OUTPATIENT[below(rng, len(ACUTE_OUTPATIENT))])])
        return Encounter(CARRIER, day, day, dx, [first, *extra], doctor, performing=doctor, pos=pos)

    def _preventive(self, p: Person, out: list) -> None:
        """Preventive services by the preventive table's rules: eligibility by sex and age, at most one service of a
        group (a row's name up to its first "_") per season, once, or per interval of days. (`Person.age` is the
        age at the period's end: eligible means eligible all year.)"""
        groups: dict[str, list[Preventive]] = {}
        for svc in preventive_services():
            if (svc.sex and (svc.sex == "female") != p.female) or not svc.ages[0] <= p.age - 1 <= svc.ages[1]:
                continue
            groups.setdefault(svc.service.split("_")[0], []).append(svc)
        for rows in groups.values():
            for day, svc in self._schedule(p.window_b, rows):
                doctor = p.pcp if svc.specialty == "pcp" else clinician(self.rng, p.pool, svc.specialty)
                out.append(Encounter(CARRIER, day, day, list(svc.dx[:1]), [("", code, 1.0) for code in svc.lines],
                                     doctor, performing=doctor, pos=svc.pos))

    def _schedule(self, window: tuple[int, int], rows: list[Preventive]) -> list[tuple[int, Preventive]]:
        """The days of one group's services in the window and which row each is."""
        rng = self.rng
        first, last = window
        interval = rows[0].interval
        uptake = [svc.uptake for svc in rows]

        def which() -> Preventive | None:
            u, acc = rng.random(), 0.0
            for svc, share in zip(rows, uptake):
                acc += share
                if u < acc:
                    return svc
            return None

        if interval == "season":
            out = []
            year = year_of(first) - 1
            while _ordinal(year, SEASON_START, 1) <= last:
                svc = which()
                if svc is not None:
                    month = svc.months[0][weighted_index(rng, svc.months[1])]
                    y = year if month >= SEASON_START else year + 1
                    start = _ordinal(y, month, 1)
                    day = start + below(rng, month_end(start) - start + 1)
                    if first <= day <= last:
                        out.append((day, svc))
                year += 1
            return out
        svc = which()
        if svc is None:
            return []
        if interval == "once":
            return [(day_in(rng, window), svc)]
        days, gap = [], int(interval)
        day = first + below(rng, min(gap, last - first + 1))
        while day <= last:
            days.append((day, svc))
            day += gap + below(rng, 60)
        return days

    def _outpatient(self, p, intensity, out):
        rng = self.rng
        n = nb(rng, self.u["outpatient_claims_per_bene"] * years(p.window_b) * intensity)
        kinds = eligible_kinds(OUTPATIENT, _condition_names(p))
        for _ in range(n):
            visit = self._visit(p, self._choose_kind(kinds), day_in(rng, p.window_b))
            out.append(visit)
            self._professional_component(p, visit, out)

    def _professional_component(self, p: Person, visit: Encounter, out: list) -> None:
        """The ED physician's claim for an ED visit; the radiologist's reading (modifier 26) of hospital imaging."""
        rng = self.rng
        hcpcs = visit.lines[0][1]
        kind = hcpcs_table()[hcpcs]["kind"]
        if kind == "em_ed":
            specialty, pos = ED_PHYSICIAN
            code = pick_weighted(rng, *em_levels()["ed"])
        elif kind == "imaging":
            specialty, pos = READING
            code = hcpcs.split("-")[0] + "-26"
        else:
            return
        out.append(self._clinician_visit(CARRIER, visit.start, code, pos, visit.dx[:4],
                                         clinician(rng, p.pool, specialty)))

    def _choose_kind(self, eligible: tuple[tuple[VisitKind, ...], tuple[float, ...]]) -> VisitKind:
        kinds, cumulative = eligible
        return kinds[weighted_index(self.rng, cumulative)]

    def _reason(self, p: Person, reason: str) -> str:
        """A code of an acute reason, among those valid for the person's sex."""
        return pick_weighted(self.rng, *acute_codes_for(reason, p.female))

    def _visit(self, p: Person, kind: VisitKind, day: int, supplier: Provider | None = None) -> Encounter:
        rng = self.rng
        random = rng.random
        lines = [kind.main[weighted_index(rng, kind.main_weights)]]
        for extra in kind.extra:
            # a HCPCS code once per claim, whatever revenue center bills it (its units count more)
            if random() < kind.extra_p and all(extra[1] != line[1] for line in lines):
                lines.append(extra)
        relevant = _codes_for(p, kind.conditions)
        if kind.reason == "acute" or not (p.conditions or relevant):
            dx = [self._reason(p, ACUTE_OUTPATIENT[int(len(ACUTE_OUTPATIENT) * random())])]
        elif kind.reason == "gi":
            dx = [self._reason(p, "gi")]
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
        return Encounter(kind.spec, day, day, dx, lines, provider, performing=performer, pos=kind.pos or "",
                         referring=p.pcp if kind.specialty in ORDERED else None)

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
            return calendar_day(self.rng, window, "office")
        for _ in range(4):
            d = calendar_day(self.rng, window, "office")
            if not any(a <= d <= b for a, b in stays):
                return d
        return d


def _office_edits(visits: list[Encounter]) -> list[Encounter]:
    """The payer's office E/M edits over a person's visits in date order: one office E/M per clinician and day
    (a second one on that day is dropped), and a new-patient code only on the first visit to a clinician (a later
    one bills the established code of the same level)."""
    seen: set[str] = set()
    today: set[tuple[str, int]] = set()
    out = []
    for e in visits:
        code = e.lines[0][1]
        if code[:4] in OFFICE_EM and e.performing is not None:
            npi = e.performing["npi"]
            if (npi, e.start) in today:
                continue
            today.add((npi, e.start))
            if npi in seen and code[:4] == NEW_PATIENT:
                e.lines[0] = ("", ESTABLISHED + code[4:], e.lines[0][2])
            seen.add(npi)
        out.append(e)
    return out


def _condition_names(p: Person) -> tuple[str, ...]:
    """The person's chronic and other conditions (the keys visit kinds and drugs name)."""
    return tuple(p.chronic_codes) + tuple(p.other_codes)


def _codes_for(p: Person, conditions: tuple[str, ...]) -> list[str]:
    """The person's codes for those of `conditions` they have, in the kind's order."""
    chronic, other = p.chronic_codes, p.other_codes
    return [chronic.get(c) or other[c] for c in conditions if c in chronic or c in other]


def _ordinal(year: int, month: int, day: int) -> int:
    return dt.date(year, month, day).toordinal()
