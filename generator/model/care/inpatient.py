"""Inpatient stays and what follows from them: who is admitted and how often, which DRG, how long, how the stay
ends and where the discharge leads (another hospital, rehab, SNF, home health, hospice, a readmission), and the
professionals' claims around it (ED physician, ambulance, surgeon, anesthesia, the attending's rounds).

Rates: share of FFS beneficiaries with a stay ≈13–15% and ≈1.7 stays per user (realism.md §3, realism-detail.md
§2.3); 30-day readmissions ≈15.4% of discharges (MedPAC 2024, the profile's inpatient_readmission_rate);
discharge destinations after HCUP/MedPAC: home ≈50%, SNF ≈20%, home health ≈17%, rehab ≈4%, another hospital
≈2%, against advice ≈1%, hospice ≈3% (realism-detail.md §4.3).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache

from generator import tables
from generator.claim_types import TYPES
from generator.claim_types.spec import StayRounds
from generator.model.care.common import CareBase, calendar_day, calendar_draw, dedupe, nb, years
from generator.model.care_tables import cumulative, em_levels, pick_weighted
from generator.model.care.drg import Drg, choose, severity, stay_codes
from generator.model.draws import below
from generator.model.providers import clinician, pick
from generator.model.records import Encounter, InpatientStay, Person, Provider, still_a_patient

INPATIENT, CARRIER = TYPES["inpatient"], TYPES["carrier"]

STAYS_PER_USER = 1.7            # stays per beneficiary with one (realism-detail.md §2.3)
ADMISSION_DISPERSION = 0.3       # negative binomial k of index admissions: a few people have most stays
# Decedents' last months: ≈1.3 admissions per decedent in the last six months of life and ≈3.8× survivors'
# spending (Dartmouth Atlas end-of-life measures [U]; KFF 2014, realism-detail.md §4.2): admissions beyond their
# ordinary rate, most in the final weeks
TERMINAL_DAYS = 180
TERMINAL_ADMISSIONS = 0.8        # further index admissions in the last TERMINAL_DAYS before death or hospice
TERMINAL_MEAN_DAYS = 90.0        # exponential mean of their days before death
IN_HOSPITAL_DEATH_SHARE = 0.3    # decedents without hospice who die in hospital
HOSPICE_FROM_HOSPITAL = 0.45     # hospice elections that follow a hospital stay (discharge status 50/51)
LOS_SIGMA = 0.74                 # lognormal σ of a stay's days around the DRG's geometric mean (realism-detail §2.3)
SURGICAL_ELECTIVE = 0.6          # surgical admissions that are elective (admission type 3)
EMERGENCY_SHARE = 0.85           # other admissions that are emergencies (type 1; the rest urgent, type 2)
AMBULANCE_SHARE = 0.55           # emergency admissions arriving by ambulance (with the ED visits' 25%: ≈215 emergency
#                                  transports per 1,000 FFS beneficiaries, A0427 + A0429 in realism-detail.md §1b)
RESPIRATORY_DRGS = frozenset(("177", "178", "179", "189", "190", "191", "192", "193", "194", "195", "202", "871",
                              "872"))   # respiratory and sepsis DRGs with the stronger winter peak (§5)
READMIT_DAYS = (1, 30)
READMIT_CALIBRATION = 0.1        # a person's index admissions also fall within 30 days of each other: the chance of
#                                  a planned readmission is this share of the profile's measured rate
READMIT_EARLY = 12.0             # exponential mean days to a readmission (most come in the first two weeks)
ICU_SHARE = {2: 0.45, 1: 0.15, 0: 0.05}   # stays with ICU days by their DRG's severity
DESTINATIONS = (("03", 0.34), ("06", 0.17), ("62", 0.045), ("02", 0.025), ("07", 0.01))  # the rest home (01)
SNF_MIN_DAYS = 3                 # a SNF stay needs a qualifying stay of 3+ days
TRANSFER_SOURCE = "4"            # point of origin: transfer from a hospital
POST_ACUTE_LOS_SIGMA = 0.3       # lognormal σ of an IRF or LTCH stay's days around its case-mix group's mean
POST_ACUTE_ROUNDS = {
    # an IRF's rehabilitation physician sees the patient face to face at least 3 days a week (42 CFR
    # 412.622(a)(3)(iv)), at the IRF's place of service 61; an LTCH's attending daily; neither has the acute
    # stay's consultant
    "irf": replace(INPATIENT.rounds, every=2, pos="61", consult_share=0.0),
    "ltch": replace(INPATIENT.rounds, consult_share=0.0),
}
IRF_HOME_HEALTH = 0.4            # IRF discharges home with home health (status 06; MedPAC: ≈40% [U])
# LTCH: ≈0.5% of acute discharges (realism.md §2.3: 63 ≈0.5%), from the stays that meet the LTCH criteria for the
# standard rate: 3+ days in intensive care before the transfer (42 CFR 412.522(b)); ≈16% of stays have ICU days and
# 3+ days (measured on the default profile), so ≈3.5% of them go on to an LTCH
LTCH_AFTER_ICU = 0.035
LTCH_HOME_HEALTH = 0.25          # LTCH discharges home with home health (status 06) [U]
ED_CODES = ("99285", "99285", "99285", "99284", "99284", "99283")
CRITICAL_CARE = "99291"          # critical care, first 30-74 minutes
CRITICAL_CARE_DAYS = 3           # ICU days with critical care: 1 to this many (99291 ≈180 per 1,000 FFS
#                                  beneficiaries, realism-detail.md §1b, S1 2023)


def terminal_rate(profile) -> float:
    """Decedents' terminal admissions per person-year the profile's deaths bring (the ordinary admission rate
    leaves room for them, so the profile's admissions per 1,000 hold): its crude death rate (age bands and the
    mean sex and dual multipliers) × TERMINAL_ADMISSIONS."""
    pop = profile.population
    rates, young = pop["annual_mortality"], pop["under_65_share"]
    aged = sum(share * rates[band] for band, share in pop["age_bands"].items())
    mult = pop["mortality_multiplier"]
    dual = young * pop["dual_share"]["under_65"] + (1 - young) * pop["dual_share"]["aged"]
    sex = pop["female_share"] + (1 - pop["female_share"]) * mult["male"]
    deaths = (young * rates["under-65"] + (1 - young) * aged) * sex * (1 + dual * (mult["dual"] - 1))
    return deaths * TERMINAL_ADMISSIONS


def _season(row: Drg) -> str:
    """The calendar pattern of an admission for the DRG: respiratory infections and sepsis peak twice as much in
    winter as all causes (realism-detail.md §5)."""
    return "admission_respiratory" if row.drg in RESPIRATORY_DRGS else "admission"


@dataclass(frozen=True, slots=True)
class CaseMix:
    """A case-mix group of a hospital paid outside the IPPS (the post_acute_case_mix table): an IRF's CMG or
    comorbidity tier, an LTCH's MS-LTC-DRG."""
    code: str
    weight: float
    mean_days: float
    principal: str
    drgs: tuple[str, ...]       # the claim's MS-DRG with no, a CC and an MCC secondary diagnosis


@cache
def _case_mixes(system: str) -> tuple[tuple[tuple[str, ...], tuple[CaseMix, ...], tuple[float, ...]], ...]:
    """(acute principal-diagnosis prefixes, the groups they lead to, their cumulative shares) of a system."""
    groups: dict[tuple[str, ...], list] = {}
    for r in tables.table("post_acute_case_mix"):
        if r["system"] == system:
            row = CaseMix(r["code"], float(r["weight"]), float(r["mean_days"]), r["principal"],
                          tuple(r["drgs"].split("|")))
            groups.setdefault(tuple(r["after"].split("|")) if r["after"] else (), []).append((row, float(r["share"])))
    return tuple((after, tuple(g for g, _ in rows), cumulative(w for _, w in rows)) for after, rows in groups.items())


@cache
def _case_mix(system: str, acute_principal: str) -> tuple[tuple[CaseMix, ...], tuple[float, ...]]:
    """The groups (with cumulative shares) a stay of the system takes after an acute stay with this principal
    diagnosis: those of its prefix, else those for the rest."""
    rest: tuple = ((), ())
    for after, rows, weights in _case_mixes(system):
        if not after:
            rest = (rows, weights)
        elif acute_principal.startswith(after):
            return rows, weights
    return rest


@cache
def procedures() -> dict[str, dict]:
    return {r["pcs"]: r for r in tables.table("procedures")}


class Inpatient(CareBase):
    """The inpatient part of the care model (it hands discharges to the post-acute and hospice parts)."""

    terminal_rate: float        # terminal admissions per person-year (`terminal_rate`)
    consultants: dict[str, Provider]

    def _inpatient(self, p, intensity, out, stays, hospice_start):
        rng, u = self.rng, self.u
        self.consultants = {}       # the person's consultants by specialty: the same doctors across their stays
        first, last = p.window_a
        if hospice_start is not None:
            last = hospice_start - 1
        if last < first:
            return
        readmit = u["inpatient_readmission_rate"] * READMIT_CALIBRATION
        ordinary = max(0.0, u["inpatient_admissions_per_1000"] / 1000 * (1 - readmit) - self.terminal_rate)
        mean = ordinary * years((first, last)) * intensity
        n = nb(rng, mean, ADMISSION_DISPERSION)
        dies_in_hospital = p.death is not None and hospice_start is None and rng.random() < IN_HOSPITAL_DEATH_SHARE
        rows = [self._index_drg(p) for _ in range(n)]
        starts = [(calendar_day(rng, (first, last), _season(row)), row) for row in rows]
        if p.death is not None:
            starts += self._terminal_admissions(p, first, last)
        starts.sort(key=lambda s: s[0])
        final = None
        if dies_in_hospital:
            final = max(first, p.death - 1 - below(rng, 7))
        elif hospice_start is not None and hospice_start > first and rng.random() < HOSPICE_FROM_HOSPITAL:
            final = max(first, hospice_start - 1 - below(rng, 6))
        free_from = first
        for start, row in starts:
            start = max(start, free_from)
            for elected, ended in self.elections:     # the hospice gives its patient's care: admitted after it
                if elected <= start <= ended:
                    start = ended + 1
            if start > last or (final is not None and start >= final):
                break
            free_from = self._episode(p, start, row, self._before_election(start, last), out, stays, readmit, final)
        if final is not None and final >= free_from:
            self._stay(p, final, last, out, stays, "1", ending="20" if dies_in_hospital else "5")

    def _index_drg(self, p: Person) -> Drg:
        return choose(self.rng, p.chronic_codes, self.prevalence, dying=False)

    def _terminal_admissions(self, p: Person, first: int, last: int) -> list[tuple[int, Drg]]:
        """A decedent's further admissions in the months before death (or hospice): their days (most in the last
        weeks: exponential back from `last`, within TERMINAL_DAYS and the window, in their DRG's season) and DRGs."""
        rng = self.rng
        span = min(TERMINAL_DAYS, last - first + 1)
        n = int(rng.poisson(TERMINAL_ADMISSIONS * span / TERMINAL_DAYS))

        def back() -> int:
            return last - min(span - 1, int(-TERMINAL_MEAN_DAYS * math.log(1.0 - rng.random())))

        rows = [self._index_drg(p) for _ in range(n)]
        return [(calendar_draw(rng, back, _season(row)), row) for row in rows]

    def _episode(self, p, start, row, last, out, stays, readmit, final) -> int:
        """An admission (for the DRG `row`) and its readmissions; the day after the last of them (or of its
        post-acute care)."""
        rng = self.rng
        day = start
        while True:
            end, status, free = self._stay(p, day, last, out, stays, None, row=row)
            row = None
            if status in ("20", "30") or rng.random() >= readmit:
                return free
            wait = min(READMIT_DAYS[1] - 1, int(-READMIT_EARLY * math.log(1.0 - rng.random())))   # exponential
            back = max(free, end + READMIT_DAYS[0] + wait)
            if back > last or (final is not None and back >= final):
                return free
            day = back

    def _stay(self, p: Person, start: int, last: int, out: list, stays: list, adm_type: str | None,
              ending: str = "", source: str = "", hospital: Provider | None = None, row: Drg | None = None):
        """One acute stay from `start`: (its last day, discharge status, the first day free after it and its
        post-acute care). `ending` "20": the person dies in it, "5": discharged to hospice on the election day."""
        rng = self.rng
        if row is None:
            row = choose(rng, p.chronic_codes, self.prevalence, dying=ending == "20")
        natural = start + max(1, round(rng.lognormal(math.log(row.gmlos), LOS_SIGMA)))
        if ending == "20":
            end = p.death
        elif ending == "5":
            end = last + 1            # the hospice election day
        else:
            end = max(start, min(natural, last))
        if adm_type is None:
            adm_type = "3" if row.surgical and rng.random() < SURGICAL_ELECTIVE else (
                "1" if rng.random() < EMERGENCY_SHARE else "2")
        icu = rng.random() < ICU_SHARE[row.allows if row.secondary else 0]
        status = ending if ending == "20" else ("50" if rng.random() < 0.8 else "51") if ending == "5" else (
            self._discharge_status(end - start, icu))
        if p.death is not None and end >= p.death:
            end, status = p.death, "20"
        elif natural > end == p.window_a[1] and not ending:
            status = "30"        # still a patient at the end of the period
        elif end == last < p.window_a[1] and not ending:
            status = "50" if rng.random() < 0.8 else "51"    # the hospice election follows the stay's last day
        if status == "02" and all(h is p.hospital for h in p.pool.by_kind["hospital"]):
            status = "01"        # no other hospital in the state to transfer to: discharged home
        dx, pcs = stay_codes(rng, row, self._secondary(p, 8), p.chronic_codes)
        proc = procedures().get(pcs)
        stay = InpatientStay(drg=row.drg, drg_weight=row.weight, procedure=pcs, admission_type=adm_type,
                             admission_source=source or ("7" if adm_type == "1" else "1"), discharge_status=status,
                             days=max(1, end - start), icu=icu,
                             implant=bool(proc and proc["implant"] == "Y"))
        attending = clinician(rng, p.pool, "11")
        surgeon = clinician(rng, p.pool, proc["specialty"]) if proc else None
        hospital = hospital or p.hospital
        out.append(Encounter(INPATIENT, start, end, dx, [], hospital, attending=attending,
                             operating=surgeon or (clinician(rng, p.pool, "02") if pcs else None), facts=stay))
        stays.append((start, end))
        if p.window_b:
            if adm_type == "1" and not source:
                self._arrival(p, start, dx, out)
            if proc:
                self._surgery(p, start if adm_type == "3" else min(end, start + 1), dx, proc, surgeon, out)
            self._rounds(INPATIENT.rounds, p, start, end, dx, attending, out,
                         discharged=not still_a_patient(end, self.period_end, status))
            if stay.icu:
                self._critical_care(start, end, dx, attending, out)
        return end, status, self._after(p, row, start, end, status, last, dx, out, stays, pcs)

    def _after(self, p, row, start, end, status, last, dx, out, stays, pcs="") -> int:
        """Where a discharge leads; the first day free after it."""
        if status == "02" and end < last:
            receiving = pick(self.rng, tuple(h for h in p.pool.by_kind["hospital"] if h is not p.hospital)
                             or p.pool.by_kind["hospital"])
            return self._stay(p, end, last, out, stays, "1", source=TRANSFER_SOURCE, hospital=receiving, row=row)[2]
        if status in ("62", "63") and end < last:
            return self._post_acute_hospital(p, "irf" if status == "62" else "ltch", end, last, dx[0], out, stays)
        if status == "03" and end - start >= SNF_MIN_DAYS:
            return self._snf(p, end, last, dx, row.drg, out, stays)
        if status == "06":
            self._home_health(p, end + 1, out, stays, referral="after_stay", stay_dx=dx, pcs=pcs)
        return end + 1

    def _post_acute_hospital(self, p, kind: str, day: int, last: int, acute_principal: str, out, stays) -> int:
        """The stay of an inpatient rehabilitation facility (paid by its CMG, the HIPPS code of its 0024 line) or a
        long-term care hospital (paid by its MS-LTC-DRG) from the acute discharge day, on an inpatient claim of the
        facility; the first day free after it (and the home health it discharges to)."""
        rng = self.rng
        row = pick_weighted(rng, *_case_mix(kind, acute_principal))
        tier = pick_weighted(rng, *_case_mix("irf_tier", "")) if kind == "irf" else None
        end = min(last, day + max(3, round(rng.lognormal(math.log(row.mean_days), POST_ACUTE_LOS_SIGMA))))
        dx = dedupe([row.principal, *self._secondary(p, 6)])
        sev = severity()
        drg = row.drgs[max((sev.get(c, 0) for c in dx[1:]), default=0)]     # as the grouper gives it
        home_health = IRF_HOME_HEALTH if kind == "irf" else LTCH_HOME_HEALTH
        if p.death is not None and end >= p.death:
            end, status = p.death, "20"
        elif end >= last:
            status = "30"
        else:
            status = "06" if rng.random() < home_health else "01"
        stay = InpatientStay(drg=drg, drg_weight=row.weight * (tier.weight if tier else 1.0), procedure="",
                             admission_type="3" if kind == "irf" else "1", admission_source=TRANSFER_SOURCE,
                             discharge_status=status, days=max(1, end - day), pps=kind,
                             hipps=tier.code + row.code if tier else "", mean_days=row.mean_days)
        hospital = pick(rng, p.pool.by_kind[kind])
        attending = clinician(rng, p.pool, "11")
        out.append(Encounter(INPATIENT, day, end, dx, [], hospital, attending=attending, facts=stay))
        stays.append((day, end))
        if p.window_b:
            self._rounds(POST_ACUTE_ROUNDS[kind], p, day, end, dx, attending, out,
                         discharged=not still_a_patient(end, self.period_end, status))
        if status == "06":
            self._home_health(p, end + 1, out, stays, referral="after_stay", stay_dx=dx)
        return end + 1

    def _discharge_status(self, los: int, icu: bool) -> str:
        r = self.rng.random()
        for status, share in DESTINATIONS:
            if r < share:
                return status if status != "03" or los >= SNF_MIN_DAYS else "01"   # no SNF benefit: home
            r -= share
        if icu and los >= SNF_MIN_DAYS and r < LTCH_AFTER_ICU:      # of the eligible stays, whatever the draw
            return "63"
        return "01"

    def _arrival(self, p: Person, day: int, dx: list[str], out: list) -> None:
        """An emergency admission's ED physician claim, and the ambulance that brought the person (sometimes)."""
        rng = self.rng
        doctor = clinician(rng, p.pool, "93")
        out.append(self._clinician_visit(CARRIER, day, ED_CODES[below(rng, len(ED_CODES))], "23", dx[:4], doctor))
        if rng.random() < AMBULANCE_SHARE:
            self._ambulance(p, day, dx, out)

    def _surgery(self, p: Person, day: int, dx: list[str], proc: dict, surgeon: Provider, out: list) -> None:
        """The surgeon's and the anesthesia claims of a stay's procedure."""
        rng = self.rng
        out.append(self._clinician_visit(CARRIER, day, proc["cpt"], "21", dx[:4], surgeon))
        minutes = float(max(15, round(float(proc["minutes"]) * rng.lognormal(0, 0.25))))
        self._anesthesia(p, day, dx, proc["anesthesia"], minutes, "21", out)

    def _rounds(self, rounds: StayRounds, p: Person, start: int, end: int, dx: list[str], attending: Provider,
                out: list, discharged: bool) -> None:
        """The attending's visits during a stay (and the discharge-day visit when the person is `discharged`, not
        still a patient at the period's end: `records.still_a_patient`), and a consultant's on some stays, on
        professional claims."""
        spec = TYPES[rounds.claim_type]
        first = start + rounds.offset
        shown = dx[:rounds.diagnoses]
        for day in range(first, end, rounds.every or max(1, (end - start) // rounds.per_stay)):
            out.append(self._clinician_visit(spec, day, self._code(rounds.later if day > first else rounds.first),
                                             rounds.pos, shown, attending))
        if rounds.discharge and end > first and discharged:
            out.append(self._clinician_visit(spec, end, self._code(rounds.discharge), rounds.pos, shown, attending))
        if rounds.consult_share and self.rng.random() < rounds.consult_share:
            specialty = next(s for prefix, s in rounds.consultants if dx[0].startswith(prefix))
            consultant = self.consultants.get(specialty) or clinician(self.rng, p.pool, specialty)
            self.consultants[specialty] = consultant
            for day in range(first, end, rounds.consult_every):
                out.append(self._clinician_visit(spec, day, self._code(rounds.later if day > first else rounds.first),
                                                 rounds.pos, shown, consultant))

    def _critical_care(self, start: int, end: int, dx: list[str], attending: Provider, out: list) -> None:
        """An ICU stay's critical care (99291) on its first days, by the attending."""
        for day in range(start, min(end, start + below(self.rng, CRITICAL_CARE_DAYS)) + 1):
            out.append(self._clinician_visit(CARRIER, day, CRITICAL_CARE, "21", dx[:3], attending))

    def _code(self, code_or_family: str) -> str:
        """A visit's code: the literal HCPCS, or one drawn from an em_levels family by its national mix."""
        levels = em_levels()
        return pick_weighted(self.rng, *levels[code_or_family]) if code_or_family in levels else code_or_family
