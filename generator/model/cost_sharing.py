"""What the beneficiary pays, by the simulated year's Medicare parameters (the cost_sharing table).

The Part B deductible (then coinsurance, in model/pricing.py) except on preventive and clinical lab lines (the
no_cost_sharing table), the Part A deductible once per benefit period and the coinsurance days within it, and
Part D by the plan's tiers (the part_d_tiers table): the deductible where the tier applies it, the tier's copay
or coinsurance, insulin at most the year's cap a month, nothing once the year's true out-of-pocket spending
(the enrollee's and the low-income subsidy's) reaches the threshold (from 2025 a $2,000 cap); a low-income
subsidy enrollee pays the subsidy's copay and the subsidy the rest. A `Ledger` keeps one beneficiary's running
totals by calendar year, so claims must be priced in date order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from generator import tables

BENEFIT_PERIOD_GAP = 60    # days without hospital or SNF care that end a Part A benefit period


@cache
def cost_sharing(year: int) -> dict[str, float]:
    """The year's parameters (the nearest year's outside the table)."""
    rows = {int(r["year"]): r for r in tables.table("cost_sharing")}
    row = rows.get(year) or rows[min(rows, key=lambda y: abs(y - year))]
    return {k: float(v) for k, v in row.items() if k != "year"}


@cache
def _exempt_ranges() -> tuple[tuple[str, str, tuple[int, ...]], ...]:
    """(first, last, letter positions) of each range of the no_cost_sharing table."""
    out = []
    for r in tables.table("no_cost_sharing"):
        first, last = r["first"], r["last"]
        out.append((first, last, tuple(i for i, c in enumerate(first) if not c.isdigit())))
    return tuple(out)


@cache
def no_cost_sharing(hcpcs: str) -> bool:
    """Whether a Part B line of this HCPCS code carries no deductible and no coinsurance (preventive services and
    clinical lab: the no_cost_sharing table). A range holds the codes of its shape: the same letters in the same
    places, digits elsewhere."""
    for first, last, letters in _exempt_ranges():
        if (len(hcpcs) == len(first) and first <= hcpcs <= last
                and all(hcpcs[i] == first[i] for i in letters)
                and all(c.isdigit() for i, c in enumerate(hcpcs) if i not in letters)):
            return True
    return False


@cache
def cents(year: int, parameter: str) -> int:
    """A cost-sharing amount of the year in cents."""
    return round(cost_sharing(year)[parameter] * 100)


@cache
def _part_d_limits(year: int) -> tuple[int, int]:
    """The year's Part D (deductible, out-of-pocket threshold) in cents."""
    return cents(year, "part_d_deductible"), cents(year, "part_d_oop_threshold")


@dataclass(frozen=True, slots=True)
class Tier:
    """A Part D plan tier: a copay per 30 days' supply or a coinsurance, and whether the deductible applies."""
    name: str
    copay_30: int               # cents
    coinsurance: float
    deductible: bool


@dataclass(frozen=True, slots=True)
class DrugShare:
    """Who pays a Part D fill (cents): the enrollee (of which the deductible), the low-income subsidy, and the
    fill's gross cost below and above the out-of-pocket threshold."""
    deductible: int
    patient: int
    subsidy: int
    below: int
    above: int


@cache
def drug_tier(brand_generic: str, generic: str, cost_30: float) -> Tier:
    """The plan tier of a drug: the first part_d_tiers row it matches."""
    for r in tables.table("part_d_tiers"):
        if ((not r["brand_generic"] or r["brand_generic"] == brand_generic)
                and (not r["generic_contains"] or r["generic_contains"] in generic.lower())
                and cost_30 >= float(r["min_cost_30"])):
            return Tier(r["tier"], round(float(r["copay_30"]) * 100), float(r["coinsurance"]), r["deductible"] == "Y")
    raise ValueError(f"no Part D tier for a {brand_generic} drug {generic!r} (add a catch-all row to part_d_tiers)")


@dataclass
class Ledger:
    """A beneficiary's running cost sharing, by calendar year (claims must be priced in date order)."""
    part_b_met: dict[int, int] = field(default_factory=dict)       # cents, by year
    part_d_deductible: dict[int, int] = field(default_factory=dict)
    part_d_oop: dict[int, int] = field(default_factory=dict)
    period_last_day: int | None = None     # the last day of hospital or SNF care in the current Part A benefit period
    period_days: dict[str, int] = field(default_factory=dict)    # covered days used in that period, by setting

    def part_b_left(self, year: int) -> int:
        """The Part B deductible the year still holds, in cents (0 or less when met)."""
        return cents(year, "part_b_deductible") - self.part_b_met.get(year, 0)

    def meet_part_b(self, year: int, deductible: int) -> None:
        """Count Part B deductible paid (cents) towards the year's."""
        if deductible:
            self.part_b_met[year] = self.part_b_met.get(year, 0) + deductible

    def part_d(self, year: int, total: int, tier: Tier, months: float, subsidy_copay: int | None,
               insulin: bool = False) -> DrugShare:
        """Who pays a Part D fill of `total` cents and `months` months' supply, counted towards the year's true
        out-of-pocket spending: the plan's cost sharing (deductible where the tier applies it, then the tier's
        copay or coinsurance; insulin at most the year's monthly cap), cut at what is left below the threshold;
        with a low-income subsidy (`subsidy_copay` cents) the enrollee pays at most that copay and the subsidy
        the rest, the deductible included."""
        troop = self.part_d_oop.get(year, 0)
        deductible, threshold = _part_d_limits(year)
        left = max(0, threshold - troop)
        ded = 0
        if tier.deductible:
            met = self.part_d_deductible.get(year, 0)
            ded = min(max(deductible - met, 0), total, left)
            if ded:
                self.part_d_deductible[year] = met + ded
        rest = total - ded
        share = round(tier.copay_30 * months) if tier.copay_30 else round(tier.coinsurance * rest)
        if insulin and cents(year, "part_d_insulin_month_cap"):
            share = min(share, round(cents(year, "part_d_insulin_month_cap") * months))
        liability = ded + min(share, rest, left - ded)
        patient, subsidy = liability, 0
        if subsidy_copay is not None:
            patient = min(liability, subsidy_copay)
            subsidy = liability - patient
        self.part_d_oop[year] = troop + liability
        uncapped = ded + min(share, rest)
        below = total if left >= uncapped else (round(total * left / uncapped) if uncapped else 0)
        return DrugShare(ded if subsidy_copay is None else 0, patient, subsidy, below, total - below)

    def part_a_stay(self, setting: str, admit: int, discharge: int, days: int) -> tuple[bool, int]:
        """Count a hospital or SNF stay of `days` covered days towards its Part A benefit period: (whether the stay
        opens a new period, the days of its setting the period had used before it). A benefit period ends once
        60 days in a row pass without hospital or SNF care (the inpatient deductible is due once per period,
        coinsurance days count within it)."""
        new = self.period_last_day is None or admit - self.period_last_day > BENEFIT_PERIOD_GAP
        if new:
            self.period_days = {}
        used = self.period_days.get(setting, 0)
        self.period_days[setting] = used + days
        self.period_last_day = discharge if self.period_last_day is None else max(discharge, self.period_last_day)
        return new, used
