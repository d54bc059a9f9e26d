"""Dialysis for ESRD beneficiaries: the dialysis facility's monthly claim (outpatient, type of bill 72x: sessions on
revenue 0821, paid per treatment by the ESRD PPS; most months an ESA line, J0882 darbepoetin or Q5106 epoetin, inside
the bundle and not paid) and the nephrologist's monthly capitation claim (90960/90966) on carrier. Only ESRD-entitled
people dialyse, and their CKD code is N18.6."""
from __future__ import annotations

from generator.claim_types import TYPES
from generator.model.care.common import CareBase
from generator.model.care_tables import ESRD_CKD_CODE
from generator.model.dates import month_end
from generator.model.draws import below
from generator.model.providers import clinician, pick
from generator.model.records import DialysisMonth, Encounter, Person

OUTPATIENT, CARRIER = TYPES["outpatient"], TYPES["carrier"]
ESA_UNITS = {"J0882": 25.0, "Q5106": 4.0}   # units per session given (darbepoetin 1 mcg, epoetin 1,000 units)


class Dialysis(CareBase):
    """The dialysis part of the care model."""

    def _dialysis(self, p: Person, out: list) -> None:
        if not p.esrd or not p.window_b:
            return
        rng = self.rng
        recurring = OUTPATIENT.recurring
        facility = pick(rng, p.pool.by_kind["dialysis"])
        nephrologist = clinician(rng, p.pool, "39")
        drug = recurring.drugs[below(rng, len(recurring.drugs))] if recurring.drugs else None
        capitation = recurring.capitation[below(rng, len(recurring.capitation))] if recurring.capitation else ""
        dx = [ESRD_CKD_CODE, *[c for c in self._secondary(p, 3) if c != ESRD_CKD_CODE]]
        day = p.window_b[0]
        while day <= p.window_b[1]:
            end = min(month_end(day), p.window_b[1])
            sessions = max(1, round((end - day + 1) * recurring.per_30_days / 30))
            lines = [(recurring.line.revenue, recurring.line.hcpcs, float(sessions))]
            if drug is not None and rng.random() < recurring.drug_chance:
                lines.append((drug.revenue, drug.hcpcs, ESA_UNITS.get(drug.hcpcs, 1.0) * sessions))
            out.append(Encounter(OUTPATIENT, day, end, dx, lines, facility, facts=DialysisMonth(sessions=sessions)))
            if capitation and end - day >= 20:
                out.append(self._clinician_visit(CARRIER, end, capitation, "65", dx[:2], nephrologist))
            day = end + 1
