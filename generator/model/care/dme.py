"""DME: a supplier's claims for a person's equipment and supplies over time, as DME MACs pay them (the dme_schedule
table): oxygen monthly, capped rentals monthly for 13 months with their KH/KI/KJ modifiers, supplies on their
refill schedules in their HCPCS units, inexpensive items bought once. Some users had their equipment before the
period began, so their rental months run on from there."""
from __future__ import annotations

from functools import cache

from generator import tables
from generator.claim_types import TYPES
from generator.model.care.ambulatory import _condition_names
from generator.model.care.common import CareBase, day_in, years
from generator.model.care_tables import eligible_kinds
from generator.model.draws import below
from generator.model.providers import pick
from generator.model.records import Encounter

DME = TYPES["dme"]

DME_USERS = 0.68                 # share of beneficiaries with DME claims (at average intensity; ≈25% of people
#                                  have any DME claim in a year, realism.md §6, fewer with a kind's condition)
ALREADY_EQUIPPED = 0.6           # users whose equipment began before the period: months 0-35 of its schedule
MONTH_DAYS = 30                  # a month's claim follows the previous one by this many days
CAPPED_MONTHS = 13               # a capped rental is owned after 13 paid months (then no rental claims)
OXYGEN_MONTHS = 36               # oxygen equipment is paid monthly for 36 months
CAPPED_MODIFIERS = ((1, "KH"), (3, "KI"), (CAPPED_MONTHS, "KJ"))   # (through month, modifier)


@cache
def _schedule() -> dict[str, tuple[str, int, int, int]]:
    """HCPCS → (billing, every months, units low, units high)."""
    return {r["hcpcs"]: (r["billing"], int(r["every_months"]), int(r["units_low"]), int(r["units_high"]))
            for r in tables.table("dme_schedule")}


def due(billing: str, every: int, month: int) -> str | None:
    """The modifier a code adds when billed in month `month` (0-based) of its schedule ("" none), None when not due."""
    if billing == "purchase":
        return "" if month == 0 else None
    if billing == "oxygen":
        return "" if month < OXYGEN_MONTHS else None
    if billing == "capped":
        return next((m for through, m in CAPPED_MODIFIERS if month < through), None)
    return "" if month % every == 0 else None


class Supplies(CareBase):
    """The DME part of the care model."""

    def _dme(self, p, intensity, out):
        rng = self.rng
        kinds = eligible_kinds(DME, _condition_names(p))
        user_p = min(0.9, DME_USERS * intensity)
        if not kinds[0] or rng.random() >= user_p * min(1.0, years(p.window_b) * 1.5):
            return
        supplier = pick(rng, p.pool.by_kind["dme"])
        first_day, last_day = p.window_b
        already = rng.random() < ALREADY_EQUIPPED
        age = below(rng, OXYGEN_MONTHS) if already else 0        # months of the schedule before the first claim
        day = first_day + below(rng, MONTH_DAYS) if already else day_in(rng, p.window_b)
        template = self._visit(p, self._choose_kind(kinds), day, supplier)
        if template is None:        # equipment has no repeat limit (its schedule is its own): not reached
            return
        schedule = _schedule()
        items = []
        for rev, code, _ in template.lines:
            billing, every, low, high = schedule[code.split("-")[0]]
            items.append((rev, code, billing, every, float(low + below(rng, high - low + 1))))
        month = age
        while day <= last_day:
            lines = [(rev, code + "-" + modifier if modifier else code, units)
                     for rev, code, billing, every, units in items
                     if (modifier := due(billing, every, month)) is not None]
            if lines:
                out.append(Encounter(DME, day, day, list(template.dx), lines, supplier, pos=template.pos,
                                     referring=template.referring, primary_payer=p.primary_payer))
            day += MONTH_DAYS
            month += 1
