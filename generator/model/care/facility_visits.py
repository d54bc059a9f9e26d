"""What a facility episode bills besides its days: the HIPPS code of a SNF stay (PDPM) or a home health period
(PDGM), valid by construction from the hipps table's positions, and the visit lines of home health and hospice by
discipline (the visit_disciplines table), each on its own day with its 15-minute units."""
from __future__ import annotations

from functools import cache

from generator import tables
from generator.model.care_tables import cumulative
from generator.model.draws import below, sample, weighted_index

UNIT_MINUTES = 15


@cache
def _positions(system: str) -> tuple[tuple[tuple[str, ...], tuple[float, ...]], ...]:
    """A HIPPS system's positions in order: (values, cumulative weights)."""
    by_position: dict[int, list[tuple[str, float]]] = {}
    for r in tables.table("hipps"):
        if r["system"] == system:
            by_position.setdefault(int(r["position"]), []).append((r["value"], float(r["weight"])))
    if not by_position:
        raise ValueError(f"no HIPPS system {system!r} (add its rows to the hipps table)")
    return tuple((tuple(v for v, _ in by_position[k]), cumulative([w for _, w in by_position[k]]))
                 for k in sorted(by_position))


def hipps(rng, system: str, fixed: dict[int, str] | None = None) -> str:
    """A HIPPS code of the system: each position drawn by its weights, or the value `fixed` gives it (1-based)."""
    fixed = fixed or {}
    return "".join(fixed.get(i, values[weighted_index(rng, weights)] if len(values) > 1 else values[0])
                   for i, (values, weights) in enumerate(_positions(system), start=1))


def hipps_values(system: str) -> tuple[tuple[str, ...], ...]:
    """The values each position of a HIPPS system may take (a code is valid when every character is one)."""
    return tuple(values for values, _ in _positions(system))


@cache
def _disciplines(setting: str) -> tuple[tuple[tuple[str, str, int], ...], tuple[float, ...]]:
    rows = [r for r in tables.table("visit_disciplines") if r["setting"] == setting]
    if not rows:
        raise ValueError(f"no visit disciplines for {setting!r} (add its rows to the visit_disciplines table)")
    return (tuple((r["revenue"], r["hcpcs"], int(r["minutes"])) for r in rows),
            cumulative([float(r["share"]) for r in rows]))


def visit_lines(rng, setting: str, first: int, last: int, visits: int) -> list[tuple[int, str, str, float]]:
    """`visits` visits of the setting's disciplines on days first..last (on different days while there are days
    enough), in date order: (day, revenue center, HCPCS, 15-minute units)."""
    kinds, weights = _disciplines(setting)
    span = last - first + 1
    days = sample(rng, range(first, last + 1), visits) if visits <= span else [
        first + below(rng, span) for _ in range(visits)]
    out = []
    for day in days:
        revenue, hcpcs, minutes = kinds[weighted_index(rng, weights)]
        units = max(1, round((minutes * (0.6 + 0.8 * rng.random())) / UNIT_MINUTES))
        out.append((day, revenue, hcpcs, float(units)))
    out.sort()
    return out
