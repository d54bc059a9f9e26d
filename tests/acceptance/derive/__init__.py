"""The independent acceptance check of issue 14: every joint figure `medisynth stats` reports, re-derived from the
NDJSON alone by its published definition (each area's module docstring writes it), without the generator or
`stats` (only the dataset contract and orjson).

`measure(directory)` gives {figure name: value}, named as `stats` names its rows, so the two lists can be
compared one to one (tests/acceptance/test_acceptance.py); `ranges.RANGES` holds each figure's real range.
"""
from __future__ import annotations

from . import acute, ambulatory, fidelity, institutional, money, timing
from .dataset import read


def measure(directory) -> dict[str, float | None]:
    data = read(directory, fields=fidelity.field_paths, strict=fidelity.strict_errors)
    figures: dict[str, float | None] = {}
    for derive in (money.rules, money.spending, timing.figures, ambulatory.figures, acute.figures,
                   institutional.figures, fidelity.figures):
        figures.update(derive(data))
    return figures
