"""A Part D fill's codes beyond its drug and money: its days supply, its pharmacy's service type, and the PDE
status codes (dispensing status, adjustment, format, pricing exception, submission clarification, origin,
catastrophic coverage), each drawn from its share in the tables `days_supply`, `pharmacy_types`, `pde_codes`.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from functools import cache
from itertools import accumulate

from generator.tables import rows


@cache
def _supplies() -> tuple[tuple[float, ...], tuple[int, ...]]:
    found = rows("days_supply")
    return tuple(accumulate(float(share) for _, share in found)), tuple(int(days) for days, _ in found)


def days_supply(u: float) -> int:
    """The days supply of a fill for a uniform draw `u` in [0, 1)."""
    cumulative, days = _supplies()
    return days[min(bisect_right(cumulative, u * cumulative[-1]), len(days) - 1)]


@cache
def _pharmacy_types() -> dict[str, str]:
    return {taxonomy: code for code, taxonomy, _ in rows("pharmacy_types")}


def pharmacy_type(taxonomy: str, default: str) -> str:
    """The NCPDP pharmacy service type of a pharmacy by its NUCC taxonomy (`default` for one the table lacks)."""
    return _pharmacy_types().get(taxonomy, default)


@cache
def _codes() -> tuple[tuple[str, tuple[tuple[str, float, str], ...]], ...]:
    """key → its (code, running share, pharmacy type or "") in table order."""
    by_key: dict[str, list[tuple[str, float, str]]] = {}
    for key, code, share, pharmacy in rows("pde_codes"):
        by_key.setdefault(key, []).append((code, float(share), pharmacy))
    return tuple((key, tuple(codes)) for key, codes in by_key.items())


def fill_codes(random: Callable[[], float], pharmacy: str, patient_paid: float, plan_paid: float) -> dict[str, str]:
    """The PDE status codes of one fill at a pharmacy of service type `pharmacy` ("" for a blank code), one
    uniform per code; catastrophic coverage ("C", above the out-of-pocket threshold) where the enrollee pays
    nothing and the plan pays."""
    out = {}
    for key, codes in _codes():
        u, at, found = random(), 0.0, ""
        for code, share, only_at in codes:
            if only_at and only_at != pharmacy:
                continue
            at += share
            if u < at:
                found = code
                break
        out[key] = found
    out["catastrophic"] = "C" if patient_paid == 0 and plan_paid > 0 else ""
    return out
