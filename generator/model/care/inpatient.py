"""Inpatient stays: how many, which DRG, how long, how they end, and the attending's rounds."""
from __future__ import annotations

import math

from generator.claim_types import TYPES
from generator.claim_types.spec import StayRounds
from generator.model.care.common import CareBase, day_in, dedupe, years
from generator.model.care_tables import drg_choices
from generator.model.draws import below, weighted_index
from generator.model.providers import clinician
from generator.model.records import Encounter, InpatientStay, Person, Provider

INPATIENT = TYPES["inpatient"]

IN_HOSPITAL_DEATH_SHARE = 0.35   # decedents without hospice who die in hospital
LOS_SHIFT, LOS_SIGMA = 0.18, 0.6  # a stay's lognormal days: log(DRG mean) - shift, so the mean lands near the DRG's
SURGICAL_ELECTIVE = 0.6          # surgical admissions that are elective (admission type 3)
EMERGENCY_SHARE = 0.85           # other admissions that are emergencies (type 1; the rest urgent, type 2)
QUALIFYING_SHARE = 0.7           # stays of 3+ days, which qualify for SNF care
ADMISSIONS_PER_USER = 1.5        # inpatient admissions per person admitted
SNF_CALIBRATION = 0.65           # repeat stays and readmissions make users fewer than qualifying discharges
HOME_HEALTH_DISCHARGES = 0.2     # discharges (not to a SNF) to home health
OTHER_DISCHARGES = ("01", "01", "01", "01", "62", "02", "07", "50")  # home ×4, rehab, hospital, left AMA, hospice


class Inpatient(CareBase):
    """The inpatient part of the care model (it hands discharges to the post-acute part)."""

    def _inpatient(self, p, intensity, out, stays, hospice_start):
        rng, u = self.rng, self.u
        first, last = p.window_a
        if hospice_start is not None:
            last = hospice_start - 1
        if last < first:
            return
        mean = u["inpatient_admissions_per_1000"] / 1000 * years((first, last)) * intensity
        n = int(rng.poisson(mean))
        dies_in_hospital = p.death is not None and hospice_start is None and rng.random() < IN_HOSPITAL_DEATH_SHARE
        starts = sorted(day_in(rng, (first, last)) for _ in range(n))
        if dies_in_hospital:
            starts.append(max(first, p.death - 1 - below(rng, 7)))
        free_from = first
        for i, start in enumerate(starts):
            final = dies_in_hospital and i == len(starts) - 1
            start = max(start, free_from)
            if start > last and not final:
                break
            drg = self._choose_drg(p)
            los = max(1, round(rng.lognormal(math.log(float(drg["los_mean"])) - LOS_SHIFT, LOS_SIGMA)))
            end = min(start + los, last if not final else p.death)
            if final:
                end = p.death
            if end < start:
                continue
            status = "20" if final else self._discharge_status(end - start)
            adm_type = "3" if drg["surgical"] == "Y" and rng.random() < SURGICAL_ELECTIVE else (
                "1" if rng.random() < EMERGENCY_SHARE else "2")
            dx = [drg["principal"]] + ([drg["secondary"]] if drg["secondary"] else []) + self._secondary(p, 8)
            stay = InpatientStay(drg=drg["drg"], drg_weight=float(drg["weight"]), procedure=drg["pcs"],
                                 admission_type=adm_type, admission_source="7" if adm_type == "1" else "1",
                                 discharge_status=status, days=max(1, end - start))
            attending = clinician(rng, p.pool, "11")
            operating = clinician(rng, p.pool, "02") if drg["pcs"] else None
            out.append(Encounter(INPATIENT, start, end, dedupe(dx), [], p.hospital, attending=attending,
                                 operating=operating, facts=stay))
            stays.append((start, end))
            if p.window_b:
                self._rounds(INPATIENT.rounds, p, start, end, dx, attending, out)
            free_from = end + 1
            if status == "03" and end - start >= 3:
                free_from = self._snf(p, end, last, dx, drg["drg"], out, stays)
            elif status == "06":
                self._home_health(p, end + 1, out, stays, referral="after_stay")

    def _choose_drg(self, p: Person) -> dict:
        rows, cumulative = drg_choices(tuple(p.chronic_codes))
        return rows[weighted_index(self.rng, cumulative)]

    def _discharge_status(self, los: int) -> str:
        rng, u = self.rng, self.u
        # P(SNF | qualifying stay) chosen so SNF users land on the profile's share
        qualifying_users = QUALIFYING_SHARE * u["inpatient_admissions_per_1000"] / 1000 / ADMISSIONS_PER_USER
        p_snf = min(0.9, SNF_CALIBRATION * u["snf_users"] / max(qualifying_users, 1e-9)) if los >= 3 else 0.0
        r = rng.random()
        if r < p_snf:
            return "03"
        r = rng.random()
        if r < HOME_HEALTH_DISCHARGES:
            return "06"
        return OTHER_DISCHARGES[below(rng, len(OTHER_DISCHARGES))]

    def _rounds(self, rounds: StayRounds, p: Person, start: int, end: int, dx: list[str], attending: Provider,
                out: list) -> None:
        """The attending's visits during a stay, on professional claims."""
        spec = TYPES[rounds.claim_type]
        first = start + rounds.offset
        for day in range(first, end, rounds.every or max(1, (end - start) // rounds.per_stay)):
            out.append(self._clinician_visit(spec, day, rounds.later if day > first else rounds.first, rounds.pos,
                                             dx[:rounds.diagnoses], attending))
