"""Fidelity to BFD's v2 shape: the share of the fields of BFD's golden EOB of each claim type that ours carry,
and the strict-R4 errors (empty arrays, objects, strings, nulls: generator/quality/strict.py) over every EOB.

A field is a leaf path of the resource (`field_paths`): member names from the root, where an array element is
named by what tells it apart in BFD's shape (an extension by its variable, a coding or identifier by its
system, supportingInfo, adjudications and totals by their category's last code, a benefitBalance financial by
its type, a careTeam member by its role, a diagnosis by its type, a contained resource by its type), so
`item.extension[carr_line_mtus_cnt].valueQuantity.value` is one field. BFD's golden paths per type are the
table `golden_fields` (`python -m generator.quality.golden_fields SAMPLES_DIR` rewrites it).

The rule for "present": a golden field counts as present for a type when at least one of the first
`SAMPLE` (1,000) EOBs of that type in file order carries it. BFD's golden EOB is one claim built to fill every
column, so a field that real claims carry only sometimes (a Hct/Hgb result on a lab line, a denial reason)
counts once our claims carry it where it belongs; a field no claim of ours ever carries counts as missing.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from generator.fhir.read import eob_type
from generator.quality.rows import range_row
from generator.quality.strict import violations
from generator.tables import rows

if TYPE_CHECKING:
    from generator.quality.rows import Row, _Bene

SAMPLE = 1000
"""EOBs of a type whose fields are gathered (the first in file order)."""
GOLDEN_SHARE = 0.90
"""Issue 14's bar: at least 90% of a type's golden fields present."""


def _tail(text: str) -> str:
    return text.rstrip("/").rsplit("/", 1)[-1]


def _last_code(concept: object) -> str:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return _tail(str(codings[-1].get("code", ""))) if codings else ""


def _name(element: dict) -> str:
    """What tells an array element apart in BFD's shape (see the module docstring); "" for items, procedures…"""
    if "url" in element:
        return _tail(element["url"])
    if "productOrService" in element:     # an item: its category is a value (the type of service)
        return ""
    if "category" in element:
        return _last_code(element["category"])
    if "resourceType" in element:
        return element["resourceType"]
    if "role" in element:
        return _last_code(element["role"])
    kind = element.get("type")
    if isinstance(kind, list) and kind:
        return "|".join(_last_code(one) for one in kind)   # split by _paths: an entry of two types is both
    if isinstance(kind, dict) and "coding" in kind and "system" not in element:
        return _last_code(kind)
    if "system" in element:
        return _tail(element["system"])
    return ""


def field_paths(resource: dict) -> set[str]:
    """The resource's fields (leaf paths, see the module docstring)."""
    out: set[str] = set()
    _paths(resource, "", out)
    return out


def _paths(node: object, path: str, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _paths(value, f"{path}.{key}" if path else key, out)
    elif isinstance(node, list):
        for element in node:
            if not isinstance(element, dict):
                _paths(element, f"{path}[]", out)
                continue
            for name in _name(element).split("|"):
                _paths(element, f"{path}[{name}]", out)
    else:
        out.add(path)


def golden_fields() -> dict[str, frozenset[str]]:
    """Claim type → the fields of BFD's golden EOB of that type (the `golden_fields` table)."""
    found: dict[str, set[str]] = defaultdict(set)
    for claim_type, path in rows("golden_fields"):
        found[claim_type].add(path)
    return {name: frozenset(paths) for name, paths in found.items()}


class Fidelity:
    """`stats` reader: golden-field share per claim type, strict-R4 errors over every EOB."""

    def __init__(self) -> None:
        self.golden = golden_fields()
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.counts: dict[str, int] = defaultdict(int)
        self.strict_errors = 0

    def see(self, eob: dict, bene: _Bene | None) -> None:
        self.strict_errors += sum(1 for _ in violations(eob))
        claim_type = eob_type(eob)
        if self.counts[claim_type] < SAMPLE:
            self.counts[claim_type] += 1
            _paths(eob, "", self.seen[claim_type])

    def shares(self) -> dict[str, float]:
        """Claim type → share of its golden fields present (types with EOBs only)."""
        return {name: len(golden & self.seen[name]) / len(golden)
                for name, golden in self.golden.items() if self.counts.get(name)}

    def missing(self, claim_type: str) -> list[str]:
        return sorted(self.golden[claim_type] - self.seen[claim_type])

    def rows(self, benes: dict[str, _Bene], ffs_ids: set[str], ffs_years: float) -> list[Row]:
        group = "fidelity to BFD's v2 shape"
        out = [range_row(group, f"golden fields present: {name}", GOLDEN_SHARE, 1.0, share)
               for name, share in self.shares().items()]
        out.append(range_row(group, "strict-R4 errors (empty, null)", 0, 0, self.strict_errors, percent=False))
        return out
