"""Fidelity figures: strict-R4 errors, and the share of the fields of BFD's golden EOB of each claim type that the
first 1,000 EOBs of that type carry (issue 14's bar: ≥ 90%).

Strict R4 (http://hl7.org/fhir/R4/json.html): no empty array, object or string and no null anywhere; one error
per such element. Golden fields are read here from BFD's sample EOBs themselves
(shared/reference/samples/bfd-v2/eobRead<Type>.json), not from the generator's table of them. A field is a leaf
path: member names from the root; an array element is named by what tells it apart in BFD's shape: an extension
by its URL's last segment, a coding by its system's, an identifier by its system's (else its type's code), a
supportingInfo, adjudication, total or benefitBalance by its category's code, a financial by its type's code, a
careTeam member by its role, a diagnosis by its type (by each, when it has several), a contained resource by its
resourceType, a class by its type; items and procedures by nothing; a primitive element as `[]`. BFD's samples
also code diagnoses in ICD-9-CM, retired in October 2015: no claim of a simulated year can carry those codings,
so they are left out.
"""
from __future__ import annotations

import json
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "reference" / "samples" / "bfd-v2"
SAMPLE_NAMES = {"carrier": "Carrier", "dme": "Dme", "hha": "Hha", "hospice": "Hospice", "inpatient": "Inpatient",
                "outpatient": "Outpatient", "pde": "Pde", "snf": "Snf"}


def strict_errors(node) -> int:
    if node is None:
        return 1
    if isinstance(node, str):
        return 0 if node else 1
    if isinstance(node, dict):
        return (0 if node else 1) + sum(strict_errors(v) for v in node.values())
    if isinstance(node, list):
        return (0 if node else 1) + sum(strict_errors(v) for v in node)
    return 0


def _tail(text) -> str:
    return str(text or "").rstrip("/").rsplit("/", 1)[-1]


def _code(concept) -> str:
    codings = (concept or {}).get("coding") if isinstance(concept, dict) else None
    return _tail(codings[-1].get("code")) if codings else ""


BY_CATEGORY = frozenset({"supportingInfo", "adjudication", "total", "benefitBalance"})


def _element_names(key: str, element: dict) -> list[str]:
    """A diagnosis entry of several types (BFD lists a code once, with each role it plays) is each of them."""
    if key == "diagnosis" and len(element.get("type") or ()) > 1:
        return [_code(kind) for kind in element["type"]]
    return [_element_name(key, element)]


def _element_name(key: str, element: dict) -> str:
    if key in ("extension", "modifierExtension"):
        return _tail(element.get("url"))
    if key == "coding":
        return _tail(element.get("system"))
    if key == "identifier":
        return _tail(element["system"]) if element.get("system") else _code(element.get("type"))
    if key in BY_CATEGORY:
        return _code(element.get("category"))
    if key in ("financial", "class"):
        return _code(element.get("type"))
    if key == "careTeam":
        return _code(element.get("role"))
    if key == "diagnosis":
        return _code((element.get("type") or [{}])[0])
    if key == "contained":
        return str(element.get("resourceType", ""))
    return ""


def field_paths(resource: dict) -> set[str]:
    out: set[str] = set()

    def walk(node, path: str, key: str) -> None:
        if isinstance(node, dict):
            for k, value in node.items():
                walk(value, f"{path}.{k}" if path else k, k)
        elif isinstance(node, list):
            for element in node:
                if isinstance(element, dict):
                    for name in _element_names(key, element):
                        walk(element, f"{path}[{name}]", key)
                else:
                    out.add(f"{path}[]")
        else:
            out.add(path)
    walk(resource, "", "")
    return out


def golden() -> dict[str, set[str]]:
    """Claim type -> the fields of BFD's golden EOB of that type ({} when the samples are not beside the checkout)."""
    if not SAMPLES.is_dir():
        return {}
    return {kind: {f for f in field_paths(json.loads((SAMPLES / f"eobRead{name}.json").read_text()))
                   if "[icd-9-cm]" not in f}
            for kind, name in SAMPLE_NAMES.items()}


def figures(data) -> dict[str, float | None]:
    out = {}
    for kind, fields in golden().items():
        if kind in data.sample_fields:
            out[f"golden fields present: {kind}"] = len(fields & data.sample_fields[kind]) / len(fields)
    out["strict-R4 errors (empty, null)"] = float(data.strict_errors)
    return out
