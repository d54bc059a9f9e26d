"""Byte templates: JSON shapes serialized once, with holes where per-record numbers go.

A template is a shape serialized once with a placeholder where each number goes. Per record only the
numbers are serialized — those of all the templates of a resource together, in one orjson call
(`serialized`), so floats are written exactly as orjson writes them — and each template puts its slice
between its fixed bytes with one %-format (`render`). `around` splits a serialized shape with one hole
into the bytes before and after it, for callers that splice a serialized value (a string, a date) in.
"""
from __future__ import annotations

from operator import itemgetter
from typing import Any, Callable, NamedTuple

import orjson

PLACEHOLDER = "\x00number\x00"
HOLE = orjson.dumps(PLACEHOLDER)
Source = Any        # a record key (missing → 0.0), a `Default`, a function of the record, or a literal number


class Default(NamedTuple):
    """A record key whose missing value is `default`."""
    key: str
    default: Any


def _as_key(source: Source) -> Default | None:
    if isinstance(source, str):
        return Default(source, 0.0)
    return source if isinstance(source, Default) else None


def around(serialized: bytes) -> tuple[bytes, bytes]:
    """The bytes before and after the one PLACEHOLDER of a serialized shape."""
    head, tail = serialized.split(HOLE)
    return head, tail


class Template:
    """JSON bytes built from `shape` (with PLACEHOLDER for numbers) and the sources of those numbers.

    With `members=True` the shape is a dict and the filled bytes are its members without the braces
    (`"a":1,"b":[…]`), ready to close an object whose other members are written elsewhere. A writer
    gathers the `values` of all its templates for a resource, serializes them together (`serialized`)
    and `render`s each template from its slice."""

    def __init__(self, shape: list | dict, sources: list[Source], members: bool = False):
        literal = [_as_key(s) is None and not callable(s) for s in sources]
        shape = _fill(shape, iter(sources), iter(literal))
        serialized = orjson.dumps(shape)
        chunks = (serialized[1:-1] if members else serialized).split(HOLE)
        sources = [s for s, fixed in zip(sources, literal) if not fixed]
        assert len(chunks) == len(sources) + 1, "a placeholder inside a key or a string"
        self.count = len(sources)
        self.format = b"%b".join(c.replace(b"%", b"%%") for c in chunks)
        self.constant = chunks[0] if not sources else None
        # record keys are read in one C call and functions after them; `order` restores the shape's order
        keys = [_as_key(s) for s in sources if _as_key(s) is not None]
        self.keys, self.defaults = tuple(k.key for k in keys), tuple(k.default for k in keys)
        self.read = _reader(self.keys)
        self.functions = tuple(s for s in sources if _as_key(s) is None)
        read = [*keys, *self.functions]
        positions = [read.index(_as_key(s) or s) for s in sources]
        needs_order = len(positions) > 1 and positions != list(range(len(positions)))
        self.order = itemgetter(*positions) if needs_order else None

    def values(self, record: dict) -> tuple:
        """The numbers of `record`, in the order of the shape's placeholders."""
        try:
            found = self.read(record)
        except KeyError:
            found = tuple(map(record.get, self.keys, self.defaults))
        if self.functions:
            for function in self.functions:  # usually one: no comprehension frame
                found += (function(record),)
            if self.order is not None:
                return self.order(found)
        return found

    def render(self, numbers: tuple[bytes, ...]) -> bytes:
        """The filled bytes from the serialized numbers (`count` of them, as `values` orders them)."""
        return self.constant if self.constant is not None else self.format % numbers

def serialized(numbers: list | tuple) -> tuple[bytes, ...]:
    """Each number as orjson writes it (one orjson call for all of them)."""
    return tuple(orjson.dumps(numbers)[1:-1].split(b","))


def _reader(keys: tuple) -> Callable[[dict], tuple]:
    """record → its values at `keys` as a tuple, in one C call where possible (a missing key raises KeyError)."""
    if len(keys) > 1:
        return itemgetter(*keys)
    if keys:
        return lambda record: (record[keys[0]],)
    return lambda record: ()


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
