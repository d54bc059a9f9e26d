"""The generator's tables: code lists, vocabularies and yearly parameters as CSV files in this folder, one loader.

Every file's first line names where its facts come from, `# source: <where>`, and its second line is the
header row. `COLUMNS` declares each table's columns in file order; `load` refuses a file without its source
line or whose header is not the declared one, so every table read is a table checked. Adding a table is its
file here plus its line in `COLUMNS` (tests/generator/test_tables.py checks that files and declarations
match). Values are strings: consumers convert. Tables are read once per process and cached.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

SOURCE_PREFIX = "# source: "

COLUMNS: dict[str, tuple[str, ...]] = {
    "acute_codes": ("reason", "icd10", "weight"),
    "calendar": ("pattern", "unit", "key", "weight"),
    "code_displays": ("variable", "code", "display"),
    "condition_codes": ("condition", "icd10", "weight"),
    "contracts": ("part", "contract", "pbp", "plan_type", "share"),
    "cost_sharing": ("year", "part_a_deductible", "part_a_coinsurance_day", "snf_coinsurance_day",
                     "part_b_deductible", "part_d_deductible", "part_d_oop_threshold", "inpatient_base_rate",
                     "snf_per_diem", "hha_period", "hospice_rhc_per_diem", "part_d_lis_generic", "part_d_lis_brand",
                     "part_d_insulin_month_cap", "ipps_fixed_loss", "irf_conversion_factor", "irf_fixed_loss",
                     "ltch_federal_rate", "ltch_fixed_loss"),
    "em_levels": ("family", "code", "share"),
    "drg": ("drg", "display", "weight", "share", "principal", "secondary", "pcs", "needs", "allows", "gmlos",
            "surgical", "alive"),
    "dx_severity": ("icd10", "severity"),
    "courses": ("course", "condition", "share", "every_days", "jitter_days", "doses", "dx", "drug", "admin", "extra",
                "extra_p", "units", "specialty", "pos", "claim_type", "first"),
    "days_supply": ("days", "share"),
    "dme_suppliers": ("specialty", "taxonomy", "share"),
    "drug_treatment": ("condition", "treated"),
    "drugs": ("ndc", "generic", "brand", "brand_generic", "condition", "weight", "cost_30", "qty_30", "display"),
    "facility_fees": ("kind", "facility_share"),
    "facility_pos": ("pos", "display"),
    "hcpcs": ("code", "display", "kind", "betos", "type_of_service", "allowed", "condition"),
    "hcpcs_acute": ("code", "display", "kind", "betos", "type_of_service", "allowed", "condition"),
    "hcpcs_post_acute": ("code", "display", "kind", "betos", "type_of_service", "allowed", "condition"),
    "dme_schedule": ("hcpcs", "billing", "every_months", "units_low", "units_high"),
    "hipps": ("system", "position", "value", "weight", "meaning"),
    "pdgm_groups": ("prefix", "group", "meaning"),
    "imaging_regions": ("hcpcs", "region"),
    "hospice_sites": ("hcpcs", "share"),
    "hospice_rates": ("year", "rhc_first_60", "rhc_after_60", "hourly"),
    "visit_disciplines": ("setting", "revenue", "hcpcs", "discipline", "share", "minutes"),
    "lab_panels": ("condition", "hcpcs", "share"),
    "hospital_services": ("service", "conditions", "per_year", "lines", "professional", "specialty", "sides", "most"),
    "icd10cm_displays": ("code", "display"),
    "modifiers": ("modifier", "display", "fee_factor"),
    "names": ("kind", "name", "weight"),
    "other_conditions": ("condition", "icd10", "prevalence", "weight"),
    "no_cost_sharing": ("first", "last", "service"),
    "opps_rates": ("code", "replaces", "rate", "status"),
    "part_d_tiers": ("tier", "brand_generic", "generic_contains", "min_cost_30", "copay_30", "coinsurance",
                     "deductible"),
    "pcs": ("code", "display"),
    "post_acute_case_mix": ("system", "code", "display", "weight", "mean_days", "share", "after", "principal",
                            "drgs"),
    "preventive": ("service", "lines", "dx", "sex", "min_age", "max_age", "interval_days", "uptake", "months",
                   "specialty", "pos"),
    "procedures": ("pcs", "cpt", "specialty", "anesthesia", "minutes", "implant"),
    "ambulatory_surgery": ("code", "asc_rate", "anesthesia", "minutes", "anesthesia_share"),
    "golden_fields": ("claim_type", "path"),
    "mac_contractors": ("state", "part_a", "part_b", "dme", "locality"),
    "part_b_ndcs": ("hcpcs", "ndc", "display", "unit"),
    "pde_codes": ("key", "code", "share", "pharmacy"),
    "pharmacy_types": ("code", "taxonomy", "share"),
    "pos": ("code", "display", "share"),
    "repeat_limits": ("code", "group", "days", "per_side"),
    "radiation_courses": ("condition", "per_year", "fractions_low", "fractions_high", "delivery", "planning"),
    "processing_lag": ("form", "billing_median", "billing_sigma", "processing_days"),
    "revenue_centers": ("code", "display"),
    "sex_edits": ("prefix", "sex"),
    "specialties": ("code", "display", "taxonomy", "share"),
    "states": ("abbr", "name", "ssa_code", "fips", "share"),
    "taxonomy_displays": ("taxonomy", "display"),
    "variables": ("variable", "label"),
    "visit_reasons": ("claim_type", "kind", "reason", "weight"),
    "visits": ("claim_type", "kind", "weight", "conditions", "main", "extra", "extra_p", "pos", "specialty", "reason",
               "panel"),
    "rif_columns": ("table", "column", "dictionary", "level", "field", "format", "repeat"),
    "zips": ("zip", "state", "county", "city"),
}


class TableError(Exception):
    """A shipped table is missing or malformed (a bug in the package): the message names the file and the rule."""


@dataclass(frozen=True, slots=True)
class Table:
    """One table: its name, where its facts come from, its columns and its rows (tuples of strings)."""
    name: str
    source: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def file_name(name: str) -> str:
    return f"{name}.csv"


@cache
def load(name: str) -> Table:
    """The table `name`, checked: its source line, its declared header, every row as wide as the header."""
    if name not in COLUMNS:
        raise TableError(f"unknown table {name!r}: declare its columns in generator.tables.COLUMNS "
                         f"(known: {', '.join(sorted(COLUMNS))})")
    where = f"generator/tables/{file_name(name)}"
    try:
        text = resources.files(__name__).joinpath(file_name(name)).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TableError(f"{where}: missing (its columns are declared in generator.tables.COLUMNS)") from None
    return parse(name, text, where)


def parse(name: str, text: str, where: str) -> Table:
    """A table from its file's text, checked against `COLUMNS[name]` (TableError naming `where`)."""
    first, _, body = text.partition("\n")
    if not first.startswith(SOURCE_PREFIX) or not first[len(SOURCE_PREFIX):].strip():
        raise TableError(f"{where}: the first line must be `{SOURCE_PREFIX}<where the facts come from>`")
    reader = csv.reader(io.StringIO(body))
    header = tuple(next(reader, ()))
    if header != COLUMNS[name]:
        raise TableError(f"{where}: the header is {','.join(header)!r}, declared {','.join(COLUMNS[name])!r}")
    rows = tuple(map(tuple, reader))
    for number, row in enumerate(rows, start=3):
        if len(row) != len(header):
            raise TableError(f"{where}:{number}: {len(row)} fields, the header has {len(header)}")
    return Table(name=name, source=first[len(SOURCE_PREFIX):].strip(), columns=header, rows=rows)


@cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """The rows of a table as dicts (column → value), in file order."""
    loaded = load(name)
    return tuple(dict(zip(loaded.columns, row)) for row in loaded.rows)


def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of a table as tuples in its declared column order (for large tables read positionally)."""
    return load(name).rows
