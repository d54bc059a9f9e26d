"""Part D: each person's maintenance drugs and their fills, refills and supplies."""
from __future__ import annotations

from generator.claim_types import TYPES
from generator.model.care.common import CareBase
from generator.model.care_tables import drugs_by_condition, pick_weighted
from generator.model.fill_codes import days_supply
from generator.model.records import Encounter, Fill, Person

PDE = TYPES["pde"]

# Part D
TREATED_SHARE = 0.8              # share of a condition's patients on a maintenance drug for it
FILLS_PER_DRUG_YEAR = 7.6        # a maintenance drug's fills in a year: its supplies (days_supply), refill gaps
REFILL_GAP_DAYS = 6              # a refill comes 0..5 days after the supply runs out


def general_drug_rate(profile) -> float:
    """General (non-condition) drugs per person: they fill the gap between condition drugs and the profile's
    fill rate."""
    by_cond = drugs_by_condition()
    treated = TREATED_SHARE * sum(v for c, v in profile.conditions.items() if c in by_cond)
    return max(0.2, profile.utilization["pde_fills_per_enrollee"] / FILLS_PER_DRUG_YEAR - treated)


class PartD(CareBase):
    """The Part D part of the care model."""

    general_drugs: float

    def _part_d(self, p: Person, intensity, out):
        if not p.part_d_days:
            return
        rng = self.rng
        drugs = self._regimen(p)
        prescriber = p.pcp
        random = rng.random
        for drug in drugs:
            supply = days_supply(random())
            lines = [("", drug["ndc"], drug["qty_30"] * supply / 30)]     # the same for every fill (read only)
            for first, last in p.part_d_days:
                day = first + int(supply * random())
                refill = 0
                while day <= last:
                    out.append(Encounter(PDE, day, day, [], lines, p.pharmacy, performing=prescriber,
                                         facts=Fill(drug=drug, days_supply=supply, refill=refill)))
                    refill += 1
                    day += supply + int(REFILL_GAP_DAYS * random())

    def _regimen(self, p: Person) -> list[dict]:
        """The maintenance drugs this person takes: most conditions bring one, a few bring two."""
        rng = self.rng
        by_cond = drugs_by_condition()
        treated = [c for c in p.conditions if c in by_cond and rng.random() < TREATED_SHARE]
        chosen = [pick_weighted(rng, *by_cond[c]) for c in treated]
        general = by_cond.get("")
        if general:
            n_general = int(rng.poisson(self.general_drugs))
            chosen += [pick_weighted(rng, *general) for _ in range(n_general)]
        seen, out = set(), []
        for d in chosen:
            if d["ndc"] not in seen:
                seen.add(d["ndc"])
                out.append(d)
        return out
