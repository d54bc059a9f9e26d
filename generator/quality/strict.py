"""Strict FHIR R4 JSON: no empty arrays, objects or strings and no nulls anywhere in a resource.

R4's JSON format (http://hl7.org/fhir/R4/json.html) says an element that has no value is left out: "an empty
array is not allowed", nor an object without properties, nor a string of no characters, nor `null` (outside
arrays of primitives, which these resources never use). Schema validators (fhir.resources) let all four
through, so `medisynth validate` and `medisynth stats` check them here, on the parsed JSON.
"""
from __future__ import annotations

from collections.abc import Iterator

import orjson

_EMPTY = (b"[]", b"{}", b'""', b"null")


def violations(resource: dict) -> Iterator[str]:
    """Where the resource breaks strict R4 JSON: `path: empty array` (… object, string, null), in document order.
    One serialization finds the usual case (nothing wrong) in C; only a resource with a candidate is walked."""
    raw = orjson.dumps(resource)
    if not any(empty in raw for empty in _EMPTY):
        return iter(())
    return _walk(resource, resource.get("resourceType", ""))


def _walk(node: object, path: str) -> Iterator[str]:
    if node is None:
        yield f"{path}: null"
    elif isinstance(node, str):
        if not node:
            yield f"{path}: empty string"
    elif isinstance(node, dict):
        if not node:
            yield f"{path}: empty object"
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        if not node:
            yield f"{path}: empty array"
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")
