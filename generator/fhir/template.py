"""Byte templates for the repetitive, mostly fixed arrays of an EOB (adjudication, total, benefitBalance).

A template is a JSON shape serialized once with a placeholder where each number goes; filling it
serializes only the numbers (one orjson call) and joins them between the fixed bytes. The result is
an `orjson.Fragment`, which orjson writes as is when it serializes the resource around it.
"""
from __future__ import annotations

from typing import Any, Callable

import orjson

PLACEHOLDER = "\x00number\x00"
Source = Any        # a record key (missing → 0.0), a function of the record, or a literal number


class Template:
    """A JSON array built from `shape` (with PLACEHOLDER for numbers) and the sources of those numbers."""

    def __init__(self, shape: list, sources: list[Source]):
        literal = [not isinstance(s, str) and not callable(s) for s in sources]
        shape = _fill(shape, iter(sources), iter(literal))
        chunks = orjson.dumps(shape).split(orjson.dumps(PLACEHOLDER))
        self.sources = [s for s, fixed in zip(sources, literal) if not fixed]
        assert len(chunks) == len(self.sources) + 1, "a placeholder inside a key or a string"
        self.format = b"%b".join(c.replace(b"%", b"%%") for c in chunks)
        self.constant = orjson.Fragment(chunks[0]) if not self.sources else None

    def fill(self, record: dict) -> orjson.Fragment:
        if self.constant is not None:
            return self.constant
        get = record.get
        values = [get(s, 0.0) if s.__class__ is str else s(record) for s in self.sources]
        return orjson.Fragment(self.format % tuple(orjson.dumps(values)[1:-1].split(b",")))


def _fill(node, sources, literal):
    """The shape with literal sources put in place of their placeholders (others stay placeholders)."""
    if isinstance(node, dict):
        return {k: _fill(v, sources, literal) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, sources, literal) for v in node]
    if node == PLACEHOLDER:
        source = next(sources)
        return source if next(literal) else PLACEHOLDER
    return node


def as_int(source: Source) -> Callable[[dict], int] | int:
    """A source whose value is written as an integer."""
    if isinstance(source, str):
        return lambda record: int(record.get(source, 0))
    if callable(source):
        return lambda record: int(source(record))
    return int(source)
