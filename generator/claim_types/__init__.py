"""The registry of Blue Button's eight claim types: one data-only spec module per type (`spec.py` holds the
vocabulary), loaded in the order of `dataset_contract.CLAIM_TYPES`, the one list of their names.

`TYPES[name]` is a type's `ClaimType`; `BY_RANK` lists them in the order a day's claims are written.
"""
from __future__ import annotations

from importlib import import_module

from dataset_contract import CLAIM_TYPES

from .spec import ClaimType

TYPES: dict[str, ClaimType] = {name: import_module(f"{__name__}.{name}").SPEC for name in CLAIM_TYPES}
BY_RANK: tuple[ClaimType, ...] = tuple(sorted(TYPES.values(), key=lambda spec: spec.rank))

for _name, _spec in TYPES.items():
    assert _spec.name == _name, f"generator/claim_types/{_name}.py holds the spec of {_spec.name!r}"
assert [spec.rank for spec in BY_RANK] == list(range(len(TYPES))), "ranks must be 0..7, one per type"
