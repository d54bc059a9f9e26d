"""How CCW writes a value in a RIF file, and its Parquet type: one named format per kind of value.

Dates are `DD-MON-YYYY` (27-OCT-2025), amounts have two decimals, counts are integers, quantities are written
without a trailing `.0`; an absent value is empty (a null in Parquet). `icd10` writes a diagnosis or procedure
code's version ("0": ICD-10) where the code is present; `serial` an id's last 12 digits (the prescription
service reference number); `code:A=x B=y` maps a record's value to CCW's code.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

MONTHS = dict(zip([f"{m:02d}" for m in range(1, 13)],
                  ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")))


def _text(value: Any) -> str:
    return value if value.__class__ is str else "" if value is None else str(value)


def _date(value: Any) -> str:
    return f"{value[8:10]}-{MONTHS[value[5:7]]}-{value[:4]}" if value else ""


def _amount(value: Any) -> str:
    return "" if value is None else f"{value + 0.0:.2f}"   # + 0.0: a negative zero is written 0.00


def _integer(value: Any) -> str:
    return "" if value is None else str(int(value))


def _number(value: Any) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else repr(float(value))


def _icd10(value: Any) -> str:
    return "0" if value else ""


def _serial(value: Any) -> str:
    return value.lstrip("-")[-12:] if value else ""


def _codes(spec: str) -> Callable[[Any], str]:
    table = dict(pair.split("=", 1) for pair in spec.split())
    return lambda value: table.get(str(value), "") if value is not None else ""


TEXT: dict[str, Callable[[Any], str]] = {"text": _text, "date": _date, "amount": _amount, "int": _integer,
                                         "number": _number, "icd10": _icd10, "serial": _serial}
ARROW_TYPE = {"date": "date32", "amount": "float64", "int": "int64", "number": "float64"}   # others: string


def text_format(name: str) -> Callable[[Any], str]:
    """The function that writes a raw value as CCW text, for a format name of the mapping table."""
    if name.startswith("code:"):
        return _codes(name[len("code:"):])
    try:
        return TEXT[name]
    except KeyError:
        raise ValueError(f"unknown RIF format {name!r} (known: {', '.join(TEXT)}, code:A=x …)") from None


def arrow_type(name: str) -> str:
    """The Parquet (Arrow) type name of a format: date32, float64, int64 or string."""
    return ARROW_TYPE.get(name, "string")
