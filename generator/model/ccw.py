"""The Chronic Conditions Warehouse rule: when a beneficiary's claims show a chronic condition.

A condition is met by one claim of a type whose `ccw_claims` is 1 (a hospital stay), or by two claims of a type
whose `ccw_claims` is 2 on different dates, each with one of the condition's ICD-10-CM codes. `medisynth stats`
(from the FHIR files) and the RIF beneficiary file (from the claim records) both count with it, so they agree.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from generator.tables import table


def see_claim(met: dict[str, Any], pending: dict[str, Any], evidence: int, day: Any, codes: Iterable[str],
              condition_by_code: Mapping[str, str]) -> None:
    """Count one claim's codes, in date order: `met` gets condition → the day the rule was met; `pending` holds
    the day of a first claim of a two-claim type."""
    for code in codes:
        condition = condition_by_code.get(code)
        if condition is None or condition in met:
            continue
        if evidence == 1:
            met[condition] = day
        elif condition not in pending:
            pending[condition] = day
        elif pending[condition] != day:
            met[condition] = day
            del pending[condition]


@cache
def condition_by_code() -> dict[str, str]:
    """ICD-10-CM code (no dot) → the chronic condition it shows (tables/condition_codes.csv)."""
    return {row["icd10"].replace(".", ""): row["condition"] for row in table("condition_codes")}
