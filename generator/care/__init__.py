"""The care model's tables (CSV package data): what kinds of visits each claim type holds, and what they bill."""
from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def care_table(name: str) -> tuple[dict, ...]:
    """Rows of generator/care/<name>.csv as dicts of strings."""
    res = resources.files("generator.care") / f"{name}.csv"
    if not res.is_file():
        raise ValueError(f"no care table named {name!r}")
    with res.open(encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))
