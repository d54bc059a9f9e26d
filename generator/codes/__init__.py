"""Curated code tables shipped as CSV package data: `table(name)` reads generator/codes/<name>.csv.

Rows are dicts of strings (numbers stay strings; consumers convert), cached after the first read.
The tables and their columns are listed in TABLES; tests/generator/test_codes.py checks their content.
Licensing and provenance: ICD-10-CM/PCS, HCPCS Level II (CMS short descriptors), MS-DRG titles, POS and
CMS specialty codes are public; CPT® codes (AMA copyright) ship as bare numbers with an empty display;
NUBC/UB-04 codes (revenue centers, discharge status) carry short paraphrased displays written for this
project. No offline FDA NDC directory was available, so drugs.csv uses the clearly synthetic labeler
code 00000 (NDC 00000-<product>-01): real drug names with approximate prices, never a real product's
NDC. Amounts, weights and shares approximate published national figures (shared/reference/realism.md).

Two tables are extracted from packages, once, because loading them costs every worker process: zips.csv
(zip, state, county, city) lists every active standard ZIP code of the `zipcodes` package (MIT; ~1 s to
list, ~25 ms to read here), names.csv the weighted US first (female, male) and last names of Faker's en_US
person provider (MIT; importing Faker costs ~70 ms). tests/generator/test_sim_fast.py checks both still
match the installed packages.
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
    "names": ("kind", "name", "weight"),
}


@functools.cache
def table(name: str) -> tuple[dict, ...]:
    """The rows of generator/codes/<name>.csv as dicts (column name -> string)."""
    if name not in TABLES:
        raise ValueError(f"unknown code table {name!r}; known: {', '.join(sorted(TABLES))}")
    text = resources.files(__package__).joinpath(f"{name}.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


@functools.cache
def zips_by_state() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """(zip, county, city) of every active standard ZIP code (zips.csv), by state abbreviation, in ZIP order."""
    text = resources.files(__package__).joinpath("zips.csv").read_text(encoding="utf-8")
    rows = csv.reader(io.StringIO(text))
    next(rows)
    out: dict[str, list] = {}
    for zip_, state, county, city in rows:
        out.setdefault(state, []).append((zip_, county, city))
    return {k: tuple(v) for k, v in out.items()}


def state_table() -> tuple[dict, ...]:
    """The states table (abbr, name, ssa_code, fips, share)."""
    return table("states")
