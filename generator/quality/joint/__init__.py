"""Joint-structure figures: what an expert reads in claims beyond marginals, computed from the NDJSON alone.

Each area of care (a module in this package) is a `Figures` reader: `stats` shows it every EOB once, in file
order, with the beneficiary it belongs to, then asks it for its rows. A row's target is the real range a
published source gives (`Row.low`..`Row.high`, kind "range"), so `medisynth stats` reports each figure against
real Medicare and the HTML report shows it beside the marginals. A new area is a new module listed in `AREAS`.
"""
from __future__ import annotations

from typing import Any, Protocol

from generator.quality.joint.acute import AcuteFigures
from generator.quality.joint.ambulatory import Ambulatory
from generator.quality.joint.fidelity import Fidelity
from generator.quality.joint.institutional import Institutional
from generator.quality.joint.money import Money
from generator.quality.joint.time import Time
from generator.quality.rows import Row


class Figures(Protocol):
    """One area's reader: fed every EOB with its beneficiary (stats' `_Bene`, or None), then asked for its rows."""

    def see(self, eob: dict, bene: Any) -> None: ...

    def rows(self, benes: dict[str, Any], ffs_ids: set[str], ffs_years: float) -> list[Row]: ...


AREAS: tuple[type[Figures], ...] = (Money, Time, Ambulatory, AcuteFigures, Institutional, Fidelity)
"""The areas `stats` reports, in the order it shows them."""
