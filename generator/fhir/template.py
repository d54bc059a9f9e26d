"""Byte templates: JSON shapes serialized once, with holes where per-record numbers go.

A template is a shape serialized once with a placeholder where each number goes; filling it serializes
only the numbers (one orjson call, so floats are formatted exactly as orjson formats them) and puts
them between the fixed bytes with one %-format. `around` splits a serialized shape with one hole into
the bytes before and after it, for callers that splice a serialized value (a string, a date) in between.
"""
from __future__ import annotations

from typing import Any, Callable

import orjson

PLACEHOLDER = "\x00number\x00"
HOLE = orjson.dumps(PLACEHOLDER)
Source = Any        # a record key (missing → 0.0), a function of the record, or a literal number


def around(serialized: bytes) -> tuple[bytes, bytes]:
    """The bytes before and after the one PLACEHOLDER of a serialized shape."""
    head, tail = serialized.split(HOLE)
    return head, tail


class Template:
    """JSON bytes built from `shape` (with PLACEHOLDER for numbers) and the sources of those numbers.

    With `members=True` the shape is a dict and the filled bytes are its members without the braces
    (`"a":1,"b":[…]`), ready to close an object whose other members are written elsewhere."""

    def __init__(self, shape: list | dict, sources: list[Source], members: bool = False):
        literal = [not isinstance(s, str) and not callable(s) for s in sources]
        shape = _fill(shape, iter(sources), iter(literal))
        serialized = orjson.dumps(shape)
        chunks = (serialized[1:-1] if members else serialized).split(HOLE)
        self.sources = [s for s, fixed in zip(sources, literal) if not fixed]
        assert len(chunks) == len(self.sources) + 1, "a placeholder inside a key or a string"
        self.format = b"%b".join(c.replace(b"%", b"%%") for c in chunks)
        self.constant = chunks[0] if not self.sources else None

    def fill(self, record: dict) -> bytes:
        if self.constant is not None:
            return self.constant
        get = record.get
        values = [get(s, 0.0) if s.__class__ is str else s(record) for s in self.sources]
        return self.format % tuple(orjson.dumps(values)[1:-1].split(b","))


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
