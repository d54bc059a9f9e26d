"""Care events for one beneficiary: who was admitted, seen, supplied and dispensed what, and when.

The person's conditions, frailty and enrollment drive everything: admissions pick DRGs the person's
conditions make likely, a SNF stay follows only a qualifying inpatient stay of 3+ days, home health
follows discharges (or a community referral), hospice comes before death, Part D fills only happen in
Part D months, and nothing happens after death or outside enrollment. Every chronic condition shows on
at least two professional claims on different dates (the CCW rule), so prevalence computed from the
claims alone matches the profile.

One module per setting of care (hospice, inpatient, post_acute, ambulatory, hospital, courses, dme, dialysis,
part_d), each a part of `CareModel`; common.py holds what they share. Output: `Encounter`s (dates as day ordinals;
model/records.py), priced into claim records by model/pricing.py. Random numbers come from the shard's
block-buffered `Draws` (model/draws.py); the code tables come indexed from model/care_tables.py.
"""
from __future__ import annotations

import numpy as np

from generator.model.care.courses import Courses
from generator.model.care.dialysis import Dialysis
from generator.model.care.dme import Supplies
from generator.model.care.hospital import Hospital
from generator.model.care.hospice import Hospice, hospice_benefit_period
from generator.model.care.inpatient import Inpatient, terminal_rate
from generator.model.care.part_d import PartD, general_drug_rate
from generator.model.care.post_acute import PostAcute
from generator.model.care.repeats import Repeats
from generator.model.draws import Draws
from generator.model.records import Encounter, Person

__all__ = ["CareModel", "hospice_benefit_period"]


class CareModel(Hospice, Inpatient, PostAcute, Hospital, Courses, Supplies, Dialysis, PartD):
    """Turns a Person into Encounters, using a profile's utilization rates and the shard's random stream."""

    def __init__(self, profile, rng: np.random.Generator | Draws, ccw_visits: bool = True):
        super().__init__(profile, rng, ccw_visits)
        self.general_drugs = general_drug_rate(profile)
        self.terminal_rate = terminal_rate(profile)
        self.prevalence = tuple(sorted(profile.conditions.items()))

    def encounters(self, p: Person, intensity: float) -> list[Encounter]:
        out: list[Encounter] = []
        stays: list[tuple[int, int]] = []          # inpatient, IRF/LTCH and SNF stays: no visits then
        self.elections = []
        self.repeats = Repeats()
        if p.window_a:
            hospice_start = self._hospice(p, out)
            self._inpatient(p, intensity, out, stays, hospice_start)
            self._community_home_health(p, intensity, out, stays)
        if p.window_b:
            self._professional(p, intensity, out, stays)
            self._courses(p, out, stays)
            self._outpatient(p, intensity, out, stays)
            self._hospital(p, intensity, out, stays)
            self._dialysis(p, out)
            self._dme(p, intensity, out)
            self._hospice_modifiers(p, out)
        self._part_d(p, intensity, out)
        return out
