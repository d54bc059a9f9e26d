"""Joint-structure figures: what an expert reads in claims beyond marginals, computed from the NDJSON alone.

Each area of care (a module in this package) is a `Figures` reader: `stats` shows it every EOB once, in file
order, with the beneficiary it belongs to, then asks it for its rows. A row's target is the real range a
published source gives (`Row.low`..`Row.high`, kind "range"), so `medisynth stats` reports each figure against
real Medicare and the HTML report shows it beside the marginals. A new area is a new module listed in `AREAS`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from generator.quality.rows import Row, _Bene


class Figures(Protocol):
    """One area's reader: fed every EOB, then asked for its rows."""

    def see(self, eob: dict, bene: _Bene | None) -> None: ...

    def rows(self, benes: dict[str, _Bene], ffs_ids: set[str], ffs_years: float) -> list[Row]: ...


from generator.quality.joint.fidelity import Fidelity  # noqa: E402  (after the protocol it satisfies)

AREAS: tuple[type[Figures], ...] = (Fidelity,)
"""The areas `stats` reports, in the order it shows them."""
