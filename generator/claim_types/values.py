"""Where a value written into a resource comes from: the one notion of a source, for every writer.

A source is a record key (`Key`: the record's value, or a default when it lacks the key), a constant
(`Const`: written once, at import), or a value computed from some keys (`Derived`: a function of their
values, each missing one read as 0.0). The FHIR writers compile sources (generator/fhir/slots.py); specs
name them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable


@dataclass(frozen=True, slots=True)
class Key:
    """The record's value at `name`; `default` when the record lacks it."""
    name: str
    default: Any = 0.0


@dataclass(frozen=True, slots=True)
class Const:
    """A fixed value."""
    value: Any


@dataclass(frozen=True, slots=True)
class Derived:
    """`compute` of the record's values at `keys` (each missing one read as 0.0)."""
    keys: tuple[str, ...]
    compute: Callable[..., Any]


Source = Key | Const | Derived
