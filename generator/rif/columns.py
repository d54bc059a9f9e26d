"""Each RIF table's columns, compiled once from the one mapping table (tables/rif_columns.csv) and the claim-type specs.

A row of the mapping table names a RIF column (CCW's name), the BFD data dictionary entry that describes it, the
level it is read at (`claim`: repeated on each of the claim's line rows, `line`, or `row`: a beneficiary-year),
where its value comes from (`field`) and how it is written (`format`, rif/values.py); `repeat` `1-25` numbers a
column (`{n}`, `{nn}` two digits) and its field (`{i}` = n - 1). `table` is a claim type, a billing form
(`professional`, `institutional`, `pharmacy`), `claims` (all types) or `beneficiary`, several separated by spaces.

Fields: `claim.<path>`, `line.<path>`, `performer.<path>` (the line's performing clinician, or the billing supplier
where the type's lines are performed by it), `dx.<path>` (the diagnosis the line points at), `codes.<i>.<key>`,
`external.<i>.<key>`, `admitting.<i>.<key>` (the claim's diagnoses by role), `type.<attribute path>` (the claim
type's spec), `spec:<variable>` (the value the type's ExplanationOfBenefit gives that CCW variable: the spec's
source for it, read from the claim or the line), `eval:<attribute path>` (a source the spec's FhirShape holds at
that attribute, read from the line), `#line` (the line number), `=<constant>`; on beneficiary rows, paths into
the row view (rif/beneficiary.py). Every CCW variable a spec names that the mapping table does not is added
after the listed columns of its level, so a value added to a spec reaches the RIF files without a new row.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from generator.claim_types import TYPES
from generator.claim_types.derived import lab_clia, pricing_locality, rendering, units_indicator, visit_reason
from generator.claim_types.shape import Code, Quantity, TimingDate
from generator.claim_types.spec import ClaimType
from generator.claim_types.values import Const, Derived, Key, Source
from generator.model.identifiers import supplier_number
from generator.tables import TableError, table

from .values import arrow_type, text_format

FORMS = {"professional", "institutional", "pharmacy"}
CLAIM_ROLES = ("principal", "secondary", "other")


@dataclass(frozen=True, slots=True)
class Column:
    """One RIF column: its CCW name, the level it is read at, its getter (of the row's context) and formats."""
    name: str
    level: str                          # "claim", "line" or "row"
    get: Callable[[dict], Any]          # the raw value from the context (roots → records)
    text: Callable[[Any], str]          # the raw value as CCW writes it
    format: str                         # the format's name (its Parquet type follows from it)
    dictionary: str                     # the BFD data dictionary entry id ("" where the dictionary has none)

    @property
    def arrow(self) -> str:
        return arrow_type(self.format)


@dataclass(frozen=True, slots=True)
class Layout:
    """A table's columns: those read once per claim (or beneficiary-year), then those read per line."""
    name: str
    head: tuple[Column, ...]
    lines: tuple[Column, ...]

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.head + self.lines


def _applies(tables: str, spec: ClaimType | None) -> bool:
    for token in tables.split():
        if spec is None:
            if token == "beneficiary":
                return True
        elif token == "claims" or token == spec.name or (token in FORMS and token == spec.form):
            return True
    return False


def _walk(value: Any, steps: tuple[str, ...]) -> Any:
    for step in steps:
        if value is None:
            return None
        if step.isdigit():
            try:
                value = value[int(step)]
            except (IndexError, KeyError, TypeError):
                return None
        elif isinstance(value, dict):
            value = value.get(step)
        else:
            value = getattr(value, step, None)
    return value


def _step(step: str) -> Callable[[Any], Any]:
    """One step of a path into records: a list (or string) index, or a dict key."""
    if step.isdigit():
        index = int(step)
        return lambda value: value[index] if index < len(value) else None
    return lambda value: value.get(step)


def _path(field: str, spec: ClaimType | None) -> Callable[[dict], Any]:
    """The getter of a path (the hot loop: straight-line closures for the common lengths)."""
    root, *steps = field.split(".")
    if root == "type":          # the claim type's spec: a constant of the table
        value = _walk(spec, tuple(steps))
        return lambda ctx: value
    getters = [_step(step) for step in steps]
    if not getters:
        return lambda ctx: ctx.get(root)
    if len(getters) == 1:
        (first,) = getters

        def one(ctx):
            value = ctx.get(root)
            return None if value is None else first(value)
        return one
    if len(getters) == 2:
        first, second = getters

        def two(ctx):
            value = ctx.get(root)
            if value is None or (value := first(value)) is None:
                return None
            return second(value)
        return two

    def many(ctx):
        value = ctx.get(root)
        for get in getters:
            if value is None:
                return None
            value = get(value)
        return value
    return many


@dataclass(frozen=True, slots=True)
class Reads:
    """A value the FHIR writer derives from a shape option rather than a spec source: read from the row's context
    (the roots of claim_context and line_context)."""
    get: Callable[[dict], Any]


def _billing(ctx: dict) -> dict:
    return ctx["claim"]["provider"]


def _where(ctx: dict) -> dict:
    """Where a professional line was performed: its performer's practice, else the billing provider's."""
    return ctx["line"].get("performing") or ctx["claim"]["provider"]


def _hcpcs(ctx: dict) -> str | None:
    return ctx["line"].get("hcpcs")


def _units(prefix: str) -> dict[str, tuple[str, Reads, str]]:
    return {prefix + "_cnt": ("line", Reads(lambda ctx: ctx["line"].get("quantity") or 1), "number"),
            prefix + "_cd": ("line", Reads(lambda ctx: units_indicator(_hcpcs(ctx))), "text")}


SUPPLIER_LINE = {   # the DME supplier's facts on each line (fhir/eob_parts.py _line_facts)
    "suplrnum": ("line", Reads(lambda ctx: supplier_number(_billing(ctx)["npi"])), "text"),
    "dmerc_line_scrn_svgs_amt": ("line", Reads(lambda ctx: 0.0), "amount"),
    "dmerc_line_prcng_state_cd": ("line", Reads(lambda ctx: _billing(ctx)["state"]), "text"),
    "dmerc_line_supplr_type_cd": ("line", Reads(lambda ctx: "3"), "text"),
}
PRICING_LOCATION = {   # a carrier line's location: the fee schedule locality, a lab line's CLIA number
    "carr_line_prcng_lclty_cd": ("line", Reads(lambda ctx: pricing_locality(_where(ctx)["state"])), "text"),
    "carr_line_clia_lab_num": ("line", Reads(lambda ctx: lab_clia(_hcpcs(ctx), _billing(ctx)["npi"],
                                                                 _billing(ctx)["state"])), "text"),
}
PERFORMER_TYPE = {"carr_line_prvdr_type_cd": ("line", Reads(
    lambda ctx: None if ctx["performer"] is None else "0" if "billing" in ctx["performer"] else "1"), "text")}
HCPCS_YEAR = {   # the HCPCS year code (the last digit of the year) versions a line's modifiers
    "carr_clm_hcpcs_yr_cd": ("line", Reads(
        lambda ctx: ctx["claim"]["thru_date"][3] if ctx["line"].get("modifiers") else None), "text")}


def _rendered(performed_by: tuple[tuple[str, str], ...]) -> Callable[[dict], Any]:
    def npi(ctx):
        provider = rendering(performed_by, ctx["claim"], ctx["line"])
        return provider["npi"] if provider else None
    return npi


def _visit_reason(ctx: dict) -> str | None:
    claim = ctx["claim"]
    return claim["diagnoses"][0]["code"] if claim.get("diagnoses") and visit_reason(claim["lines"]) else None


def _option_variables(spec: ClaimType) -> dict[str, tuple[str, Source | Reads, str]]:
    """The CCW variables the type's shape options write (units, supplier and location facts, performer type,
    rendering physician, reason for visit), as the FHIR writer derives them."""
    shape, found = spec.fhir, {}
    if shape.line_units:
        found |= _units(shape.line_units)
    if shape.supplier_lines:
        found |= SUPPLIER_LINE
    if shape.pricing_location:
        found |= PRICING_LOCATION
    if shape.care_team.performer_type:
        found |= PERFORMER_TYPE
    if shape.care_team.performed_by:
        found["rndrng_physn_npi"] = ("line", Reads(_rendered(shape.care_team.performed_by)), "text")
    if shape.visit_reason:
        found["rsn_visit_cd1"] = ("claim", Reads(_visit_reason), "text")
    if spec.form == "professional":
        found |= HCPCS_YEAR
    return found


def evaluate(source: Source, record: dict) -> Any:
    """A spec's source read from a record (a claim or a line), as the FHIR writer reads it."""
    if isinstance(source, Key):
        return record.get(source.name, source.default)
    if isinstance(source, Const):
        return source.value
    assert isinstance(source, Derived)
    return source.compute(*[record.get(k, 0.0) for k in source.keys])


def spec_variables(spec: ClaimType) -> dict[str, tuple[str, Source | Reads, str]]:
    """Every CCW variable the type's ExplanationOfBenefit names with a value: variable → (level, source, format)."""
    shape, found = spec.fhir, {}
    kinds = {"money": "amount", "date": "date", "quantity": "number"}
    for ext in shape.header:
        found.setdefault(ext.variable, ("claim", ext.source, kinds.get(ext.kind, "text")))
    for info in shape.supporting_info:
        value, variable = info.value, info.category.variable
        if isinstance(value, Code):
            found.setdefault(value.variable, ("claim", value.source, "text"))
        elif isinstance(value, TimingDate) and variable:
            found.setdefault(variable, ("claim", value.source, "date"))
        elif isinstance(value, Quantity) and variable:
            found.setdefault(variable, ("claim", value.source, "number"))
    for adjudication in shape.line_amounts:
        found.setdefault(adjudication.variable, ("line", adjudication.source, "amount"))
        if adjudication.extension:
            variable, code = adjudication.extension
            found.setdefault(variable, ("line", Const(code), "text"))
    for variable, code in shape.line_extensions:
        found.setdefault(variable, ("line", Const(code), "text"))
    for variable, reason in shape.line_reasons:
        found.setdefault(variable, ("line", reason, "text"))
    for balance in shape.balances:
        found.setdefault(balance.variable, ("claim", balance.source, "int" if balance.count else "amount"))
    for variable, entry in _option_variables(spec).items():
        found.setdefault(variable, entry)
    return found


def _spec_getter(level: str, source: Source | Reads, fmt: str) -> Callable[[dict], Any]:
    if isinstance(source, Reads):
        return source.get
    root = "claim" if level == "claim" else "line"
    if fmt == "text":   # a code: written only when it is text, as the FHIR writer does
        def code(ctx):
            value = evaluate(source, ctx[root])
            return value if value.__class__ is str else None
        return code
    return lambda ctx: evaluate(source, ctx[root])


def _getter(field: str, level: str, spec: ClaimType | None, where: str) -> Callable[[dict], Any]:
    if field.startswith("="):
        constant = field[1:]
        return lambda ctx: constant
    if field == "#line":
        return lambda ctx: ctx["#line"]
    if field.startswith("spec:"):
        variable = field[len("spec:"):]
        known = spec_variables(spec) if spec else {}
        if variable not in known or known[variable][0] != level:
            raise TableError(f"{where}: the {spec.name if spec else 'beneficiary'} spec names no {level}-level "
                             f"variable {variable!r}")
        found_level, source, fmt = known[variable]
        return _spec_getter(found_level, source, fmt)
    if field.startswith("eval:"):
        source = _walk(spec, tuple(field[len("eval:"):].split(".")))
        if source is None:
            return lambda ctx: None
        return lambda ctx: evaluate(source, ctx["line"])
    return _path(field, spec)


def _expand(row: dict[str, str]) -> list[tuple[str, str]]:
    """(column, field) pairs of a mapping row, numbered when it repeats."""
    if not row["repeat"]:
        return [(row["column"], row["field"])]
    first, last = map(int, row["repeat"].split("-"))
    return [(row["column"].replace("{nn}", f"{n:02d}").replace("{n}", str(n)), row["field"].replace("{i}", str(n - 1)))
            for n in range(first, last + 1)]


@cache
def layout(name: str) -> Layout:
    """The columns of RIF table `name` (a claim type, or "beneficiary")."""
    return compile_layout(name, TYPES.get(name))


def compile_layout(name: str, spec: ClaimType | None) -> Layout:
    """The columns of a table from the mapping table's rows for `spec` (None: the beneficiary table), then the
    spec's CCW variables that the rows do not list."""
    head: list[Column] = []
    lines: list[Column] = []
    named, used = set(), set()
    for number, row in enumerate(table("rif_columns"), start=3):
        if not _applies(row["table"], spec):
            continue
        where = f"generator/tables/rif_columns.csv:{number}"
        text = text_format(row["format"])
        for column, field in _expand(row):
            if column in named:
                raise TableError(f"{where}: {column} is listed twice for the {name} table")
            named.add(column)
            if field.startswith("spec:"):
                used.add(field[len("spec:"):])
            get = _getter(field, row["level"], spec, where)
            (lines if row["level"] == "line" else head).append(
                Column(column, row["level"], get, text, row["format"], row["dictionary"]))
    if spec is not None:
        for variable, (level, source, fmt) in spec_variables(spec).items():
            if variable in used or variable.upper() in named:
                continue
            column = Column(variable.upper(), level, _spec_getter(level, source, fmt), text_format(fmt), fmt, "")
            (lines if level == "line" else head).append(column)
    return Layout(name, tuple(head), tuple(lines))


def claim_context(spec: ClaimType, claim: dict) -> dict:
    """The roots a claim's columns read: the claim, its spec, its diagnoses by role."""
    diagnoses = claim.get("diagnoses") or ()
    return {"claim": claim, "type": spec,
            "codes": [d for d in diagnoses if d["role"] in CLAIM_ROLES],
            "external": [d for d in diagnoses if d["role"] == "external"],
            "admitting": [d for d in diagnoses if d["role"] == "admitting"]}


def line_context(spec: ClaimType, head: dict, line: dict, number: int) -> dict:
    """The roots a line's columns read: the claim's, the line, its performer and diagnosis, its number."""
    claim = head["claim"]
    performer = line.get("performing")
    if performer is None and spec.fhir.care_team.supplier_performs:
        performer = claim["provider"]
    index = line.get("dx_index", -1)
    dx = claim["diagnoses"][index] if index is not None and index >= 0 else None
    return {**head, "line": line, "performer": performer, "dx": dx, "#line": number}
