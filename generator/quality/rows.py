"""The rows `medisynth stats` reports and the beneficiary facts they are computed from (a leaf module: the
joint-figure readers in generator/quality/joint/ build rows without importing stats, which imports them)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

TOLERANCE = {"share": ("abs", 0.03), "prevalence": ("rel", 0.20), "rate": ("rel", 0.30), "info": (None, None),
             "range": ("range", None)}
"""realism.md §6: shares ±3 points, prevalences ±20% relative, utilization rates ±30% relative; joint figures
(generator/quality/joint/) within the real range their source gives."""


@dataclass(frozen=True)
class Row:
    group: str
    name: str
    target: float | None
    observed: float | None
    kind: str                   # a key of TOLERANCE
    ok: bool | None             # None: information only (no tolerance, or nothing to observe)
    percent: bool = True        # shown as a percentage (shares) or as a number (rates)
    low: float | None = None    # kind "range": the real range
    high: float | None = None

    @property
    def tolerance(self) -> str:
        mode, size = TOLERANCE[self.kind]
        if mode == "range":
            return f"{fmt_value(self.low, self.percent)}–{fmt_value(self.high, self.percent)}"
        return "" if mode is None else f"±{size * 100:.0f} pts" if mode == "abs" else f"±{size:.0%}"


@dataclass(eq=False, slots=True)
class _Bene:
    """What the statistics need to know about one beneficiary."""
    female: bool
    age: int | None
    race: str
    death: dt.date | None
    dual: bool
    esrd: bool
    months_ab: dict         # "A"/"B" -> set of (year, month) in force
    months_c: set
    months_d: set
    ccw: dict               # conditions the claims show (CCW rule met) → the day it was met
    pending: dict           # condition -> first professional claim date (waiting for a second date)
    state: str = ""         # USPS code of the first address
    months_lis: set = field(default_factory=set)    # Part D months in a low-income-subsidy cost-sharing group


def fmt_value(value: float | None, percent: bool) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if percent else f"{value:,.2f}"


def range_row(group: str, name: str, low: float, high: float, observed: float | None, percent: bool = True) -> Row:
    """A joint figure against the real range [low, high]."""
    ok = None if observed is None else low - 1e-12 <= observed <= high + 1e-12
    return Row(group=group, name=name, target=None, observed=observed, kind="range", ok=ok, percent=percent,
               low=low, high=high)


def _row(group: str, name: str, target: float | None, observed: float | None, kind: str,
         percent: bool = True) -> Row:
    mode, size = TOLERANCE[kind]
    ok = None
    if mode is not None and observed is not None and target is not None:
        ok = abs(observed - target) <= (size if mode == "abs" else size * target) + 1e-12
    return Row(group=group, name=name, target=target, observed=observed, kind=kind, ok=ok, percent=percent)
