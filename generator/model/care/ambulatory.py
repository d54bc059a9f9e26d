"""Ambulatory care: visits to a person's regular clinicians, ancillary professional services, preventive services
on their schedules, and hospital outpatient visits (dialysis: care/dialysis.py; DME: care/dme.py).

A person has a few regular clinicians (their PCP and the specialists their conditions call for, the visits
table's "office" kinds); a visit goes to one of them, at most once a day, and addresses the conditions that
clinician treats, bundled on one claim. The first visit to a clinician the person is new to bills a new-patient
E/M code; the E/M level follows the national mix (em_levels table). Preventive services follow the preventive
table's eligibility and frequency rules; orders need their reasons (a kind's conditions), and the diagnoses
respect the Medicare Code Editor's sex edits. A visit's diagnoses follow its kind's reasons (the visit_reasons
table: a dermatologist's skin lesions, a lab's monitored conditions or screening Z-codes), and a chronic
condition goes only on the claims of clinicians who treat it or order for it (the CCW pass included). Ancillary
services mostly return to the person's earlier lab, radiologist or therapist.
"""
from __future__ import annotations

import datetime as dt

from generator.claim_types import TYPES
from generator.model.care.common import CareBase, calendar_day, day_in, dedupe, nb, within, years
from generator.model.care_tables import (CONDITION, Preventive, Reasons, VisitKind, acute_codes_for,
                                         ambulatory_surgery, eligible_kinds, em_levels, imaging_region, injury_codes_in,
                                         office_kinds, pick_weighted, preventive_services, visit_reasons)
from generator.model.coding import hcpcs_table
from generator.model.dates import month_end, year_of
from generator.model.draws import below, sample, weighted_index
from generator.model.providers import clinician, pick
from generator.model.records import Encounter, Person, Provider, StatePool

CARRIER, OUTPATIENT = TYPES["carrier"], TYPES["outpatient"]

Carries = frozenset[str] | None
"""The chronic conditions a visit's claim may carry (None: any)."""

ACUTE_OUTPATIENT = ("chest_pain", "fall_injury", "uti", "abdominal_pain", "dizziness", "back_pain", "syncope",
                    "cellulitis", "pneumonia")
FOLLOW_UP = ("99213", "11")      # the office visit that adds a second visit date for the CCW rule
FOLLOW_UP_DAYS = 7
FOLLOW_UP_TRIES = 8                # weeks tried for them, around the person's stays

# Regular clinicians' visits (calibrated to ≈6 office E/M per FFS beneficiary-year, realism-detail.md §1)
OFFICE_SCALE = 0.88              # visits a year scale over the visits table's office weights
PCP_PER_CONDITION = 0.12         # each chronic condition adds this share of PCP visits
PCP_ACUTE = 0.2                  # share of PCP visits for an acute problem
NEW_TO_PCP = 0.3                 # chance a person is new to their PCP within the period
NEW_TO_SPECIALIST = 0.8          # … to a specialist (new : established office visits ≈ 1 : 8.2)
TELEHEALTH = 0.04                # established E/M by real-time audio/video (POS 10, modifier 95)
TELEHEALTH_POS = "10"
PROCEDURE_KINDS = frozenset({"procedure", "eye"})   # a same-day procedure puts modifier 25 on the E/M
ANCILLARY_SHARE = 0.5            # ancillary professional claims, as a share of the profile's carrier claims
SAME_CLINICIAN = 0.75            # chance an ancillary service goes to the clinician (lab, radiologist…) of the
                                 # person's earlier one of that specialty: a person uses a few labs and groups
COMORBID_TYPES = frozenset({"outpatient"})   # facility claims list the person's other chronic conditions

# The professional claim beside a hospital outpatient service: the ED physician, the radiologist's reading
ED_PHYSICIAN = ("93", "23")      # emergency medicine at POS 23 (hospital ED)
ED_AMBULANCE = 0.25              # ED visits (not admitted) that arrive by ambulance (inpatient.AMBULANCE_SHARE)
ED_REVENUE = "045"               # the hospital ED's revenue centers (0450-0459)
READING = ("30", "22")           # diagnostic radiology, outpatient hospital, professional component (26)
OUTPATIENT_POS = "22"            # outpatient hospital (clinicians' claims there, hospital-billed courses)
ASC_POS = "24"                   # ambulatory surgical center
OFFICE_EM, NEW_PATIENT, ESTABLISHED = ("9920", "9921"), "9920", "9921"    # office E/M code stems
NEW_LEVELS = frozenset("2345")   # the levels with a new-patient code (99211 has none: 99201 was deleted in 2021)
SEASON_START = 8                 # flu seasons run August..July (named by their autumn's year)


ORDERED = frozenset({"69", "30", "65", "dme"})
"""Visit kinds (by specialty) that the person's own clinician orders: labs, imaging, therapy, equipment."""

class Ambulatory(CareBase):
    """The professional, preventive and outpatient part of the care model."""

    def _professional(self, p, intensity, out, stays):
        rng = self.rng
        window = p.window_b
        conditions = _condition_names(p)
        team: dict[str, Provider] = {}
        busy = self._and_elections(stays)
        visits = self._office(p, conditions, intensity, stays, team)
        regular = {p.pcp["npi"], *(d["npi"] for d in team.values())}    # whose new-patient visits _office decided
        n = nb(rng, self.u["carrier_claims_per_bene"] * ANCILLARY_SHARE * years(window) * intensity)
        kinds = eligible_kinds(CARRIER, conditions)
        for _ in range(n):
            kind = self._choose_kind(kinds)
            if (day := self._free_day(window, busy)) is not None and (
                    visit := self._visit(p, kind, day, team=team)) is not None:
                visits.append((visit, _carries(kind)))
        encs = self._show_conditions(p, visits, stays)
        encs.sort(key=lambda e: e.start)
        out.extend(_office_edits(encs, regular, rng))
        for e in encs:
            if e.pos == ASC_POS:
                self._beside_surgery(p, e, out)
        self._preventive(p, out, busy)

    def _office(self, p: Person, conditions: tuple[str, ...], intensity: float, stays,
                team: dict[str, Provider]) -> list[tuple[Encounter, Carries]]:
        """Visits to the person's regular clinicians (one per specialty, kept in `team`): one claim per clinician
        and day, the first one new-patient when the person is new to the clinician; each with the chronic
        conditions its claim may carry (the PCP's: any; a specialist's: those the specialty treats)."""
        rng = self.rng
        span = years(p.window_b) * intensity * OFFICE_SCALE
        doctors = team
        busy = self._and_elections(stays)
        planned: dict[str, list[tuple[int, VisitKind, list[str]]]] = {}     # by NPI: (day, kind, codes treated)
        for kind in office_kinds(conditions):
            pcp = kind.specialty == "pcp"
            if not pcp and rng.random() >= kind.panel:
                continue
            n = nb(rng, kind.weight * span * (1 + PCP_PER_CONDITION * len(p.conditions) if pcp else 1))
            if not n:
                continue
            doctor = p.pcp if pcp else doctors.get(kind.specialty) or _specialist(rng, p.pool, kind.specialty)
            if doctor is None:      # no such specialist in the state: the PCP sees to it, unless it is procedural
                if kind.main:
                    continue
                doctor, pcp = p.pcp, True
            doctors[kind.specialty] = doctor
            treats = list(p.chronic_codes.values()) if pcp else _codes_for(p, kind.conditions)
            visits = planned.setdefault(doctor["npi"], [])
            taken = {day for day, _, _ in visits}
            away = stays if pcp else busy       # the PCP, the hospice's attending, sees the patient in an election
            visits += [(day, kind, treats) for day in {self._free_day(p.window_b, away) for _ in range(n)}
                       if day is not None and day not in taken]
        out: list[tuple[Encounter, Carries]] = []
        by_npi = {d["npi"]: d for d in (p.pcp, *doctors.values())}
        for npi, visits in planned.items():
            visits.sort(key=lambda v: v[0])
            new = rng.random() < (NEW_TO_PCP if by_npi[npi] is p.pcp else NEW_TO_SPECIALIST)
            for i, (day, kind, treats) in enumerate(visits):
                carries = None if kind.specialty == "pcp" else frozenset(kind.conditions)
                out.append((self._office_visit(p, kind, day, by_npi[npi], new and i == 0, treats), carries))
        return out

    def _office_visit(self, p: Person, kind: VisitKind, day: int, doctor: Provider, new: bool,
                      treats: list[str]) -> Encounter:
        rng = self.rng
        random = rng.random
        extra = [line for line in kind.extra if random() < kind.extra_p and self.repeats.take(line[1], day)]
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
        reasons = visit_reasons().get((kind.spec.name, kind.kind))
        if kind.specialty == "pcp" and (random() < PCP_ACUTE or not treats):
            dx = [self._acute_reason(p, reasons)]
            dx += sample(rng, treats, min(len(treats), below(rng, 3)))
        elif kind.specialty == "pcp":
            dx = sample(rng, treats, min(len(treats), 1 + below(rng, 4)))
        elif treats and (reasons is None or pick_weighted(rng, reasons.reasons, reasons.weights) == CONDITION):
            dx = treats[:CARRIER.diagnoses.limit]   # a specialist sees what they treat
        else:       # … or a problem of their field, with what they treat after it
            dx = dedupe([self._acute_reason(p, reasons), *treats[:CARRIER.diagnoses.limit - 1]])
        return Encounter(CARRIER, day, day, dx, [first, *_injury_imaging(extra, dx[0])], doctor, performing=doctor,
                         pos=pos)

    def _preventive(self, p: Person, out: list, busy: list[tuple[int, int]]) -> None:
        """Preventive services by the preventive table's rules: eligibility by sex and age, at most one service of a
        group (a row's name up to its first "_") per season, once, or per interval of days; none on a day of a stay
        (the facility's care then) or of a hospice election (`busy`: both). (`Person.age` is the age at the period's
        end: eligible means eligible all year.)"""
        groups: dict[str, list[Preventive]] = {}
        for svc in preventive_services():
            if (svc.sex and (svc.sex == "female") != p.female) or not svc.ages[0] <= p.age - 1 <= svc.ages[1]:
                continue
            groups.setdefault(svc.service.split("_")[0], []).append(svc)
        for rows in groups.values():
            for day, svc in self._schedule(p.window_b, rows):
                if within(day, busy):
                    continue
                doctor = p.pcp if svc.specialty == "pcp" else clinician(self.rng, p.pool, svc.specialty)
                out.append(Encounter(CARRIER, day, day, list(svc.dx[:1]), [("", code, 1.0) for code in svc.lines],
                                     doctor, performing=doctor, pos=svc.pos))
                for code in svc.lines:      # a screening colonoscopy counts toward the diagnostic ones' limit
                    self.repeats.take(code, day)
                self._beside_surgery(p, out[-1], out)

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

    def _outpatient(self, p, intensity, out, stays):
        rng = self.rng
        n = nb(rng, self.u["outpatient_claims_per_bene"] * years(p.window_b) * intensity)
        kinds = eligible_kinds(OUTPATIENT, _condition_names(p))
        busy = self._and_elections(stays)
        for _ in range(n):
            kind = self._choose_kind(kinds)
            if (day := self._free_day(p.window_b, busy, calendar=False)) is None:
                continue
            if (visit := self._visit(p, kind, day)) is None:
                continue
            self._hospital_tests(p, kind, visit)
            out.append(visit)
            self._professional_component(p, visit, out)

    def _hospital_tests(self, p: Person, kind: VisitKind, visit: Encounter) -> None:
        """The tests a hospital outpatient visit adds for the conditions on its claim (care/hospital.py)."""

    def _professional_component(self, p: Person, visit: Encounter, out: list) -> None:
        """The ED physician's claim for an ED visit; the radiologist's reading (modifier 26) of hospital imaging; the
        endoscopist's claim for an endoscopy in the outpatient department."""
        rng = self.rng
        hcpcs = visit.lines[0][1]
        kind = hcpcs_table()[hcpcs]["kind"]
        if kind == "em_ed":
            specialty, pos = ED_PHYSICIAN
            code = pick_weighted(rng, *em_levels()["ed"])
            dx = visit.dx[:4]
            if rng.random() < ED_AMBULANCE:
                self._ambulance(p, visit.start, visit.dx, out)
        elif kind == "imaging":     # the radiologist reports the reason for the study
            specialty, pos = READING
            code = hcpcs.split("-")[0] + "-26"
            dx = visit.dx[:1]
        elif kind == "procedure" and visit.performing is not None:     # the endoscopist bills the procedure itself
            out.append(self._clinician_visit(CARRIER, visit.start, hcpcs, OUTPATIENT_POS, visit.dx[:4],
                                             visit.performing))
            self._beside_surgery(p, out[-1], out)
            return
        else:
            return
        out.append(self._clinician_visit(CARRIER, visit.start, code, pos, dx, clinician(rng, p.pool, specialty)))

    def _beside_surgery(self, p: Person, surgeon: Encounter, out: list) -> None:
        """The claims beside a surgeon's procedure of the ambulatory_surgery table: at an ambulatory surgical center
        (POS 24) the center's own claim for the procedure on the same day (its facility fee; in the hospital's
        outpatient department the hospital's claim bills it), and on some cases the anesthesia professional's."""
        surgery = ambulatory_surgery().get(surgeon.lines[0][1].split("-")[0])
        if surgery is None or surgeon.performing is None:
            return
        rng = self.rng
        day, dx = surgeon.start, surgeon.dx[:4]
        if surgeon.pos == ASC_POS and surgery.asc:
            centers = p.pool.by_kind["asc"]
            center = centers[int(surgeon.performing["npi"]) % len(centers)]     # the center the surgeon operates at
            out.append(Encounter(CARRIER, day, day, list(dx), [surgeon.lines[0]], center, performing=center,
                                 pos=ASC_POS))
        if rng.random() < surgery.anesthesia_share:
            minutes = float(max(10, round(surgery.minutes * rng.lognormal(0, 0.25))))
            self._anesthesia(p, day, dx, surgery.anesthesia, minutes, surgeon.pos, out)

    def _choose_kind(self, eligible: tuple[tuple[VisitKind, ...], tuple[float, ...]]) -> VisitKind:
        kinds, cumulative = eligible
        return kinds[weighted_index(self.rng, cumulative)]

    def _reason(self, p: Person, reason: str, region: str | None = None) -> str:
        """A code of an acute reason, among those valid for the person's sex; for a study of a body region
        (`region`), an injury of that region when the reason has one (a forearm x-ray for a forearm injury)."""
        regional = injury_codes_in(reason, p.female, region) if region is not None else None
        return pick_weighted(self.rng, *(regional or acute_codes_for(reason, p.female)))

    def _visit(self, p: Person, kind: VisitKind, day: int, supplier: Provider | None = None,
               team: dict[str, Provider] | None = None) -> Encounter | None:
        """A visit of the kind on the day; None when a repeat limit refuses its service (repeats.py: the ED's care is
        not limited; a visit's further lines are kept only within their limits)."""
        rng = self.rng
        random = rng.random
        lines = [kind.main[weighted_index(rng, kind.main_weights)]]
        limited = not lines[0][0].startswith(ED_REVENUE)      # an ED visit's tests are the emergency's
        if limited and not self.repeats.take(lines[0][1], day):
            return None
        for extra in kind.extra:
            # a HCPCS code once per claim, whatever revenue center bills it (its units count more)
            if (random() < kind.extra_p and all(extra[1] != line[1] for line in lines)
                    and (not limited or self.repeats.take(extra[1], day))):
                lines.append(extra)
        reasons = visit_reasons().get((kind.spec.name, kind.kind))
        if reasons is not None:
            dx = self._reasoned_dx(p, kind, reasons, imaging_region(lines[0][1]))
        else:
            relevant = _codes_for(p, kind.conditions)
            if kind.reason == "acute" or not (p.conditions or relevant):
                dx = [self._reason(p, ACUTE_OUTPATIENT[int(len(ACUTE_OUTPATIENT) * random())])]
            elif kind.reason == "gi":
                dx = [self._reason(p, "gi")]
            else:
                dx = relevant[:1] or self._secondary(p, 1)
            more = int(3 * random())
            dx = dedupe(dx + relevant[1:] + self._secondary(p, more)) if more or len(relevant) > 1 else dx
        lines[1:] = _injury_imaging(lines[1:], dx[0])
        if kind.specialty == "pcp":
            performer = p.pcp
        elif kind.specialty == "dme":
            performer = None
        else:
            performer = self._ancillary_clinician(p, kind.specialty, team)
        billing = kind.spec.visit_billing
        provider = performer if billing == "performer" else (p.hospital if billing == "hospital" else supplier)
        return Encounter(kind.spec, day, day, dx, lines, provider, performing=performer, pos=kind.pos or "",
                         referring=p.pcp if kind.specialty in ORDERED else None)

    def _reasoned_dx(self, p: Person, kind: VisitKind, reasons: Reasons, region: str | None = None) -> list[str]:
        """A visit's diagnoses by its kind's reasons: the principal is the person's code for a condition the kind
        treats or an acute reason's code (an injury of the `region` an imaging study shows); then the other
        conditions it treats (all chronic ones for a kind that carries any, and on facility claims)."""
        rng = self.rng
        codes = _codes_for(p, kind.conditions) if reasons.carries is not None else list(p.chronic_codes.values())
        reason = pick_weighted(rng, reasons.reasons, reasons.weights)
        dx = [codes[below(rng, len(codes))] if reason == CONDITION and codes else
              self._acute_reason(p, reasons, region)]
        more = below(rng, 3)
        if reasons.carries is None or kind.spec.name in COMORBID_TYPES:
            dx += self._secondary(p, more)
        elif more:
            dx += codes
        return dedupe(dx)

    def _acute_reason(self, p: Person, reasons: Reasons | None, region: str | None = None) -> str:
        """A code of one of a kind's acute reasons (the general outpatient ones for a kind without any)."""
        rng = self.rng
        if reasons is None or not reasons.acute:
            return self._reason(p, ACUTE_OUTPATIENT[below(rng, len(ACUTE_OUTPATIENT))], region)
        return self._reason(p, pick_weighted(rng, reasons.acute, reasons.acute_weights), region)

    def _ancillary_clinician(self, p: Person, specialty: str, team: dict[str, Provider] | None) -> Provider:
        """The clinician of an ancillary service: mostly the one the person saw for that specialty before; the
        person's PCP when the state has no clinician of the specialty."""
        rng = self.rng
        if team is None:
            return clinician(rng, p.pool, specialty)
        known = team.get(specialty)
        if known is not None and rng.random() < SAME_CLINICIAN:
            return known
        doctor = _specialist(rng, p.pool, specialty) or p.pcp
        team.setdefault(specialty, doctor)
        return doctor

    def _show_conditions(self, p: Person, visits: list[tuple[Encounter, Carries]],
                         stays: list[tuple[int, int]]) -> list[Encounter]:
        """Make each chronic condition appear on two claims with different dates (CCW's rule), among the claims
        that may carry it (its specialists', the PCP's, the labs'); a condition without two such dates goes on
        follow-up PCP visits (at most two). The encounters, follow-ups included."""
        encs = [e for e, _ in visits]
        if not encs:
            return encs
        follow_ups: list[Encounter] = []
        for condition, code in p.chronic_codes.items():
            first_on: dict[int, Encounter] = {}
            for e, carries in visits:
                if carries is None or condition in carries:
                    first_on.setdefault(e.start, e)
            for day in sample(self.rng, sorted(first_on), 2):
                enc = first_on[day]
                if code not in enc.dx:
                    enc.dx.insert(1, code)      # right after the principal: never cut by the claim's dx limit
            if len(first_on) >= 2 or not self.ccw_visits:
                continue
            for enc in self._follow_ups(p, encs[0].start, set(first_on), follow_ups, 2 - len(first_on), stays):
                if code not in enc.dx:
                    enc.dx.append(code)
        return encs + [e for e in follow_ups if e.dx]

    def _follow_ups(self, p: Person, near: int, taken: set[int], follow_ups: list[Encounter], n: int,
                    stays: list[tuple[int, int]]) -> list[Encounter]:
        """n follow-up PCP visits on days other than `taken` (made once per person, at most two), a week apart from
        `near` and not on a day of a stay."""
        first, last = p.window_b
        made = {e.start for e in follow_ups}
        for k in range(1, FOLLOW_UP_TRIES + 1):
            if len(follow_ups) >= 2:
                break
            step = FOLLOW_UP_DAYS * k
            day = near + step if near + step <= last else near - step
            if not first <= day <= last:
                break
            if day in made or within(day, stays):
                continue
            hcpcs, pos = FOLLOW_UP
            follow_ups.append(self._clinician_visit(CARRIER, day, hcpcs, pos, [], p.pcp))
            made.add(day)
        return [e for e in follow_ups if e.start not in taken][:n]

    def _free_day(self, window, stays, calendar: bool = True) -> int | None:
        """A day of the window for a visit the person makes (on the office calendar's weekdays, or any day of
        the week) outside the spans `stays` (inpatient, IRF/LTCH and SNF days: care then is the facility's; for
        routine care, hospice elections too: `_and_elections`); None when four draws all fall inside them, and the
        visit does not happen."""
        rng = self.rng
        for _ in range(4 if stays else 1):
            d = calendar_day(rng, window, "office") if calendar else day_in(rng, window)
            if not within(d, stays):
                return d
        return None


def _office_edits(visits: list[Encounter], regular: set[str], rng) -> list[Encounter]:
    """The payer's office E/M edits over a person's visits in date order: one office E/M per clinician and day
    (a second one on that day is dropped), and a new-patient code only on the first visit to a clinician (a later
    one bills the established code of the same level). The first visit to a clinician outside the person's
    `regular` ones (their PCP and specialists, whose first visits `_office` made new or not: an urgent care
    clinician) is a new-patient visit of the same level when the person is new to the clinician and their group
    (NEW_TO_SPECIALIST: no visit in the past three years)."""
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
            elif (npi not in seen and npi not in regular and code[:4] == ESTABLISHED and code[4:5] in NEW_LEVELS
                  and rng.random() < NEW_TO_SPECIALIST):
                e.lines[0] = ("", NEW_PATIENT + code[4:], e.lines[0][2])
            seen.add(npi)
        out.append(e)
    return out


def _injury_imaging(extra: list[tuple[str, str, float]], principal: str) -> list[tuple[str, str, float]]:
    """A visit's further lines without the imaging of another body region than the injury it is for (its lines
    point at the principal diagnosis: a knee film is no study of a head injury)."""
    if principal[:1] != "S":
        return extra
    return [line for line in extra if imaging_region(line[1]) in (None, principal[1])]


def _specialist(rng, pool: StatePool, specialty: str) -> Provider | None:
    """A clinician of the specialty in the state's pool, None when it has none."""
    clinicians = pool.by_specialty.get(specialty)
    return pick(rng, clinicians) if clinicians else None


def _carries(kind: VisitKind) -> Carries:
    """The chronic conditions an ancillary visit's claim may carry (any for a kind without reasons of its own)."""
    reasons = visit_reasons().get((kind.spec.name, kind.kind))
    return None if reasons is None else reasons.carries


def _condition_names(p: Person) -> tuple[str, ...]:
    """The person's chronic and other conditions (the keys visit kinds and drugs name)."""
    return tuple(p.chronic_codes) + tuple(p.other_codes)


def _codes_for(p: Person, conditions: tuple[str, ...]) -> list[str]:
    """The person's codes for those of `conditions` they have, in the kind's order."""
    chronic, other = p.chronic_codes, p.other_codes
    return [chronic.get(c) or other[c] for c in conditions if c in chronic or c in other]


def _ordinal(year: int, month: int, day: int) -> int:
    return dt.date(year, month, day).toordinal()
