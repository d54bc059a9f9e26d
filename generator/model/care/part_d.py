"""Part D: each person's maintenance drugs (every one for a condition the person has) and their fills, refills
and supplies, with refill timing that shows real adherence (some early, most on time or a few days late, some
much later)."""
from __future__ import annotations

from functools import cache

from generator import tables
from generator.claim_types import TYPES
from generator.model.care.common import CareBase
from generator.model.care_tables import drugs_by_condition, pick_weighted
from generator.model.draws import below
from generator.model.fill_codes import days_supply
from generator.model.records import Encounter, Fill, Person

PDE = TYPES["pde"]

# Part D
TREATED_SHARE = 0.8              # share of a condition's patients on a maintenance drug for it (unless the
#                                  drug_treatment table says otherwise)
FILLS_PER_DRUG_YEAR = 7.6        # a maintenance drug's fills in a year: 30- and 90-day supplies, refill gaps
TYPE_1_DIABETES = "E10"          # ICD-10-CM category: insulin for everyone with it
INSULINS = ("insulin glargine", "insulin lispro")
# Refill timing, days after the supply runs out (negative: early, allowed once ≥75% is used): a mixture of
# early, on-time, late and lapsed refills [U: shaped to proportion-of-days-covered studies, ≈70–80% adherent]
REFILL_TIMING = ((0.15, -7, 7), (0.45, 0, 4), (0.28, 4, 12), (0.12, 16, 45))    # (share, first day, span)


@cache
def treated_share(condition: str) -> float:
    """The share of a condition's patients on a Part D drug for it (the drug_treatment table, else TREATED_SHARE)."""
    return next((float(r["treated"]) for r in tables.table("drug_treatment") if r["condition"] == condition),
                TREATED_SHARE)


def general_drug_rate(profile) -> float:
    """Further drugs per person (a second drug for a condition they have) that bring the fills to the profile's
    rate."""
    by_cond = drugs_by_condition()
    treated = sum(treated_share(c) * v for c, v in profile.conditions.items() if c in by_cond)
    return max(0.0, profile.utilization["pde_fills_per_enrollee"] / FILLS_PER_DRUG_YEAR - treated)


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
                    day += supply + self._refill_gap(supply)

    def _refill_gap(self, supply: int) -> int:
        """Days between the supply running out and the refill (early refills at most a quarter of the supply)."""
        u = self.rng.random()
        for share, start, span in REFILL_TIMING:
            if u < share:
                return max(-(supply // 4), start + below(self.rng, span))
            u -= share
        return 0

    def _regimen(self, p: Person) -> list[dict]:
        """The maintenance drugs this person takes: most conditions bring one, some two; type 1 diabetes
        brings insulin."""
        rng = self.rng
        by_cond = drugs_by_condition()
        conditions = [c for c in (*p.conditions, *p.other_codes) if c in by_cond]
        treated = [c for c in conditions if rng.random() < treated_share(c)]
        chosen = [pick_weighted(rng, *by_cond[c]) for c in treated]
        if conditions:
            chosen += [pick_weighted(rng, *by_cond[conditions[below(rng, len(conditions))]])
                       for _ in range(int(rng.poisson(self.general_drugs)))]
        if p.chronic_codes.get("diabetes", "").startswith(TYPE_1_DIABETES):
            drugs = by_cond["diabetes"][0]
            chosen = [d for d in chosen if d not in drugs] + [d for d in drugs if d["generic"] in INSULINS]
        seen, out = set(), []
        for d in chosen:
            if d["ndc"] not in seen:
                seen.add(d["ndc"])
                out.append(d)
        return out
