"""Curated code tables shipped as CSV package data: `table(name)` reads generator/codes/<name>.csv.

Rows are dicts of strings (numbers stay strings; consumers convert), cached after the first read.
The tables and their columns are listed in TABLES; tests/generator/test_codes.py checks their content.
Licensing and provenance: ICD-10-CM/PCS, HCPCS Level II (CMS short descriptors), MS-DRG titles, POS and
CMS specialty codes are public; CPT® codes (AMA copyright) ship as bare numbers with an empty display;
NUBC/UB-04 codes (revenue centers, discharge status) carry short paraphrased displays written for this
project. No offline FDA NDC directory was available, so drugs.csv uses the clearly synthetic labeler
code 00000 (NDC 00000-<product>-01): real drug names with approximate prices, never a real product's
NDC. Amounts, weights and shares approximate published national figures (shared/reference/realism.md).
"""
from __future__ import annotations

import csv
import functools
import io
from importlib import resources

TABLES = {
    "states": ("abbr", "name", "ssa_code", "fips", "share"),
    "condition_codes": ("condition", "icd10", "weight"),
    "acute_codes": ("reason", "icd10", "weight"),
    "drugs": ("ndc", "generic", "brand", "brand_generic", "condition", "weight", "cost_30", "qty_30",
              "display"),
    "hcpcs": ("code", "display", "kind", "betos", "type_of_service", "allowed", "condition"),
    "drg": ("drg", "display", "weight", "share", "principal", "secondary", "pcs", "condition", "los_mean",
            "surgical"),
    "pcs": ("code", "display"),
    "revenue_centers": ("code", "display"),
    "pos": ("code", "display", "share"),
    "specialties": ("code", "display", "taxonomy", "share"),
    "discharge_status": ("code", "display", "share"),
    "contracts": ("part", "contract", "pbp", "plan_type", "share"),
}


@functools.cache
def table(name: str) -> tuple[dict, ...]:
    """The rows of generator/codes/<name>.csv as dicts (column name -> string)."""
    if name not in TABLES:
        raise ValueError(f"unknown code table {name!r}; known: {', '.join(sorted(TABLES))}")
    text = resources.files(__package__).joinpath(f"{name}.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


def state_table() -> tuple[dict, ...]:
    """The states table (abbr, name, ssa_code, fips, share)."""
    return table("states")
