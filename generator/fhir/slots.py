"""Byte templates with named slots: a JSON shape serialized once, with a named hole where each varying value goes.

The one compiler, `compile_shape`, serializes a shape in which `slot(name)` marks a value and `member(name)` an
optional member (`{…, member("x"): None}`), and turns each mark into one %-directive of a %-format: the
template records its slots' names in order and the compiler checks them against the names its filler declares,
so a slot added, removed or moved fails at import instead of shifting every later value. A fill is one `%`
(or, for a whole resource, one join of its fixed chunks with the slots' bytes). A value slot's fill is the
serialized value (`%b`, or `%d` for `slot(name, "d")`); a member slot's fill is `,"key":value`, or b"" to leave
the member out (for a member that opens its object: `"key":value,`); an element slot's (the last item of an
array) is `,value` or b"".

`NumberTemplate` is a template whose slots are numbers given by sources (generator/claim_types/values.py):
a writer gathers the numbers of all its templates for a resource, serializes them in one orjson call
(`serialized`), so floats are written exactly as orjson writes them, and each template renders its slice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from generator.claim_types.values import Const, Derived, Key, Source

Record = Mapping[str, Any]   # a claim, a line: what sources read from

_MARK = "\x00"
_SLOT = re.compile(rb',"\\u0000\+(?P<after>[A-Za-z0-9_]+)\\u0000":null'      # an optional member after another
                   rb'|,"\\u0000\+(?P<element>[A-Za-z0-9_]+)\\u0000"(?!:)'     # an optional array element
                   rb'|"\\u0000\+(?P<before>[A-Za-z0-9_]+)\\u0000":null,'     # a member that opens its object
                   rb'|"\\u0000(?P<value>[A-Za-z0-9_]+)(?::(?P<directive>[bd]))?\\u0000"(?!:)')      # a value
_LEFT = re.compile(rb"\\u0000")


class TemplateError(Exception):
    """A template's slots are not the ones its filler declares (a bug in the writers, raised at import)."""


def slot(name: str, directive: str = "b") -> str:
    """A named hole for a value in a shape: filled with bytes (`b`) or an int (`d`)."""
    return f"{_MARK}{name}:{directive}{_MARK}" if directive != "b" else f"{_MARK}{name}{_MARK}"


def member(name: str) -> str:
    """An optional member slot, as a dict key (its value in the shape is ignored), or an optional element slot,
    as the last item of an array."""
    return f"{_MARK}+{name}{_MARK}"


@dataclass(frozen=True, slots=True)
class ByteTemplate:
    """A %-format with one directive per named slot, in `slots` order."""
    format: bytes
    slots: tuple[str, ...]

    def chunks(self) -> tuple[bytes, ...]:
        """The fixed bytes around the slots (one more than the slots), for a writer that joins them with the
        slots' bytes instead of %-formatting: a large resource is then copied once, where a %-format's
        result grows by reallocation and parses every directive."""
        tokens = re.split(rb"(%%|%[bd])", self.format)    # literal text and "%%" escapes, and the directives
        out: list[bytes] = []
        current: list[bytes] = []
        for i, token in enumerate(tokens):
            if i % 2 and token != b"%%":
                if token == b"%d":
                    raise TemplateError("an integer slot cannot be joined")
                out.append(b"".join(current))
                current = []
            else:
                current.append(b"%" if token == b"%%" else token)
        out.append(b"".join(current))
        return tuple(out)


def compile_shape(shape: Any, slots: tuple[str, ...], *, members: bool = False, where: str = "") -> ByteTemplate:
    """The template of `shape`, whose slots must be exactly `slots` in order (TemplateError otherwise).
    `members=True`: the shape is a dict whose members continue another object (`"a":…,"b":…`, no braces)."""
    data = orjson.dumps(shape)
    if members:
        data = data[1:-1]
    names: list[str] = []
    out: list[bytes] = []
    at = 0
    for match in _SLOT.finditer(data):
        out.append(data[at:match.start()].replace(b"%", b"%%"))
        out.append(b"%d" if match["directive"] == b"d" else b"%b")
        names.append(next(name for name in match.group("after", "element", "before", "value") if name).decode())
        at = match.end()
    out.append(data[at:].replace(b"%", b"%%"))
    compiled = b"".join(out)
    if _LEFT.search(compiled):
        raise TemplateError(f"{where}: a slot mark inside a key or a string, or an optional member with no neighbour")
    if tuple(names) != tuple(slots):
        raise TemplateError(f"{where}: the template's slots are {tuple(names)}, its filler gives {tuple(slots)}")
    return ByteTemplate(format=compiled, slots=tuple(names))


# --- sources -----------------------------------------------------------------------------------------------


def reader(source: Source) -> tuple[tuple[str, ...], Callable[..., Any]]:
    """A source as the record keys it reads and the function of their values."""
    if isinstance(source, Key):
        return (source.name,), _same
    if isinstance(source, Const):
        value = source.value
        return (), lambda: value
    return source.keys, source.compute


def _same(value: Any) -> Any:
    return value


def value_of(source: Source) -> Callable[[Record], Any]:
    """A source as a function of the record: a key's value (its default when missing), the constant, or the
    derived value (each missing key read as 0.0)."""
    if isinstance(source, Key):
        name, default = source.name, source.default
        return lambda record: record.get(name, default)
    if isinstance(source, Const):
        value = source.value
        return lambda record: value
    keys, compute = source.keys, source.compute
    if len(keys) == 1:
        (key,) = keys
        return lambda record: compute(record.get(key, 0.0))
    zeros = (0.0,) * len(keys)
    return lambda record: compute(*map(record.get, keys, zeros))


def integer(source: Source) -> Source:
    """The source with its value written as an integer (a count of days)."""
    if isinstance(source, Const):
        return Const(int(source.value))
    if isinstance(source, Key):
        return Derived((source.name,), int)
    compute = source.compute
    return Derived(source.keys, lambda *values: int(compute(*values)))


# --- numbers -------------------------------------------------------------------------------------------------


def serialized(numbers: list[Any] | tuple[Any, ...]) -> tuple[bytes, ...]:
    """Each number as orjson writes it (one orjson call for all of them)."""
    return tuple(orjson.dumps(numbers)[1:-1].split(b","))


class NumberTemplate:
    """A shape whose slots are numbers given by sources: `values(record)` gives them in slot order (every record
    key, the derived values' too, read in one C call), `render(numbers)` fills the template from them serialized.

    Constant sources are written into the shape, once: only the other slots are filled per record. With
    `members=True` the shape is a dict and the filled bytes are its members without the braces. `shape` (with
    the constants in place) can be embedded in a larger shape, whose slots then end with `slots`; `lead` is
    written before the filled bytes (the comma of a member that continues an object)."""

    def __init__(self, shape: Any, sources: list[tuple[str, Source]], *, members: bool = False, lead: bytes = b"",
                 where: str = ""):
        constants = {name: source.value for name, source in sources if isinstance(source, Const)}
        live = [(name, source) for name, source in sources if not isinstance(source, Const)]
        self.shape = _inline(shape, {slot(name): value for name, value in constants.items()})
        self.slots = tuple(name for name, _ in live)
        self.format = lead.replace(b"%", b"%%") + compile_shape(self.shape, self.slots, members=members,
                                                                 where=where).format
        self.count = len(live)
        self.constant = self.format % () if not live else None
        # every key is read in one C call: the keys' own, then each derived value's (a missing one: its default, or 0.0)
        keys = [source for _, source in live if isinstance(source, Key)]
        derived = [source for _, source in live if isinstance(source, Derived)]
        self.plain = len(keys)
        self.keys = tuple([k.name for k in keys] + [key for d in derived for key in d.keys])
        self.defaults = tuple([k.default for k in keys] + [0.0 for d in derived for _ in d.keys])
        self.read = _reader(self.keys)
        self.derived: list[tuple[Callable[..., Any], int, int]] = []   # (compute, first and last + 1 of its values)
        at = self.plain
        for d in derived:
            self.derived.append((d.compute, at, at + len(d.keys)))
            at += len(d.keys)
        positions, next_key, next_derived = [], 0, self.plain
        for _, source in live:
            if isinstance(source, Key):
                positions.append(next_key)
                next_key += 1
            else:
                positions.append(next_derived)
                next_derived += 1
        needs_order = positions != list(range(len(positions)))
        self.order = itemgetter(*positions) if needs_order and len(positions) > 1 else None

    def values(self, record: Record) -> tuple[Any, ...]:
        """The numbers of `record`, in slot order."""
        try:
            found = self.read(record)
        except KeyError:
            found = tuple(map(record.get, self.keys, self.defaults))
        if not self.derived:
            return found
        values = found[:self.plain]
        for compute, first, last in self.derived:  # usually one: no comprehension frame
            values += (compute(*found[first:last]),)
        return self.order(values) if self.order is not None else values

    def render(self, numbers: tuple[bytes, ...]) -> bytes:
        """The filled bytes from the serialized numbers (`count` of them, as `values` orders them)."""
        return self.constant if self.constant is not None else self.format % numbers


def _reader(keys: tuple[str, ...]) -> Callable[[Record], tuple[Any, ...]]:
    """record → its values at `keys` as a tuple, in one C call where possible (a missing key raises KeyError)."""
    if len(keys) > 1:
        return itemgetter(*keys)
    if keys:
        key = keys[0]
        return lambda record: (record[key],)
    return lambda record: ()


def _inline(node: Any, values: dict[str, Any]) -> Any:
    """The shape with the slots named in `values` replaced by their values."""
    if isinstance(node, dict):
        return {k: _inline(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, values) for v in node]
    if isinstance(node, str) and node in values:
        return values[node]
    return node
