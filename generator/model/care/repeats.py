"""Repeat limits: how often a person may have a scheduled service (the repeat_limits table): an HbA1c every three
months at most, a metabolic panel monthly, venipuncture once a day, each eye's cataract extraction once.

`Repeats` holds one person's dates of the limited services they have been given; a service is admitted when no
date of its group (and side, for a per-side group) lies within the group's interval of its own, and is then
recorded. Care is drawn in no date order, so the interval is checked both ways. Emergency care is not limited.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from generator import tables

ONCE = 0        # days: once in the period
SIDES = ("RT", "LT", "50")


@dataclass(frozen=True, slots=True)
class Limit:
    group: str          # codes that count as one service (CMP and BMP: one metabolic panel)
    days: int           # the least number of days between two dates of the group; ONCE: one date in the period
    per_side: bool      # each side (RT/LT modifier) counts on its own


@cache
def limits() -> dict[str, Limit]:
    """HCPCS code (without modifiers) → its repeat limit."""
    return {r["code"]: Limit(r["group"], int(r["days"]), r["per_side"] == "Y") for r in tables.table("repeat_limits")}


class Repeats:
    """One person's dates of limited services, by group (and side)."""

    __slots__ = ("_days",)

    def __init__(self) -> None:
        self._days: dict[str, list[int]] = {}

    def take(self, code: str, day: int) -> bool:
        """Whether `code` (HCPCS with its modifiers, e.g. "66984-RT") may be given on `day`; if so, it is recorded.
        Codes without a limit are always admitted."""
        base, _, modifiers = code.partition("-")
        limit = limits().get(base)
        if limit is None:
            return True
        key = limit.group
        if limit.per_side:
            key += "-" + next((m for m in modifiers.split("-") if m in SIDES), "")
        days = self._days.setdefault(key, [])
        if limit.days == ONCE:
            if days:
                return False
        elif any(abs(day - d) < limit.days for d in days):
            return False
        days.append(day)
        return True
