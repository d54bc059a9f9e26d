"""CCW codebook data for the FHIR writers: variable labels and code displays, loaded once from CSV.

The `variables` table holds the label BB2 shows for a CCW variable when it names an adjudication,
supportingInfo or benefitBalance slot; `code_displays` holds the display of a CCW code
(monthly variables such as `dual_01` are stored once as `dual_NN`); `taxonomy_displays` the NUCC taxonomies'.
Codings are memoised: the same
(variable, code) returns the same dict object, which callers must never mutate.
"""
from __future__ import annotations

from functools import cache

from dataset_contract.systems import BB_VARIABLES
from generator.tables import rows

LABELS: dict[str, str] = dict(rows("variables"))
DISPLAYS: dict[tuple[str, str], str] = {(var, code): display for var, code, display in rows("code_displays")}
TAXONOMY_DISPLAYS: dict[str, str] = dict(rows("taxonomy_displays"))
"""NUCC taxonomy code → its display name."""


def _display_key(variable: str) -> str:
    """Monthly variables share one value list: `dual_03` → `dual_NN`, `clm_poa_ind_sw4` → `clm_poa_ind_swN`."""
    if variable[-2:].isdigit() and not variable.startswith(("clm_poa", "clm_e_poa")):
        return variable[:-2] + "NN"
    if variable.startswith(("clm_poa_ind_sw", "clm_e_poa_ind_sw")):
        return variable.rstrip("0123456789") + "N"
    return variable


@cache
def ccw_coding(variable: str, code: str | None) -> dict:
    """`{"system": <variable URL>, "code", "display"?}`; a missing code keeps only the system (as BB2 does)."""
    coding = {"system": BB_VARIABLES + variable}
    if code is None:
        return coding
    coding["code"] = code
    display = DISPLAYS.get((_display_key(variable), code))
    if display is not None:
        coding["display"] = display
    return coding


@cache
def ccw_coding_ext(variable: str, code: str | None, url_suffix: str = "") -> dict:
    """An extension whose url and valueCoding.system are the variable (url may carry a suffix, e.g. `/2024-3`)."""
    return {"url": BB_VARIABLES + variable + url_suffix, "valueCoding": ccw_coding(variable, code)}


def label(variable: str) -> str:
    """The label of a CCW variable; a missing label is a bug in the writer tables, so fail loudly at import."""
    return LABELS[variable]
