"""Turning a dataset file's NDJSON lines into store rows: parsed, checked and compressed in worker processes.

`rows(kind, path, lines, dictionary, patient_ids)` yields one row per resource, in file order: the indexed
fields (ids, dates, claim type…) and the body, the resource's bytes as a zstd frame (sandbox.codec). Worker
processes parse (most of a load's work) and compress parts of the file, reading byte ranges of a plain file
themselves, or batches of lines the caller read from anything else (gzip, a pipe), while the caller inserts
the rows of earlier parts; a file of one part is done in process. Any bad line raises DatasetLoadError
naming its file and line number.
"""
from __future__ import annotations

import collections
import functools
import itertools
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from dataset_contract import CLAIM_TYPES
from dataset_contract.systems import EOB_TYPE_SYSTEM, MBI_SYSTEM
from sandbox import codec
from sandbox.errors import DatasetLoadError

BATCH_BYTES = 8 << 20          # lines sent to a worker at once
BATCHES_PER_WORKER = 2         # in flight at once: bounds memory, keeps every worker busy


@dataclass(frozen=True)
class Kind:
    """How one resource type is stored: its table and columns, in the order its row builder gives them."""
    resource_type: str
    table: str
    columns: tuple[str, ...]


PATIENT = Kind("Patient", "patient",
               ("ordinal", "id", "mbi", "family", "given", "birth_date", "sex", "last_updated", "body"))
COVERAGE = Kind("Coverage", "coverage", ("id", "patient_id", "last_updated", "body"))
EOB = Kind("ExplanationOfBenefit", "eob", ("id", "patient_id", "claim_id", "claim_type", "service_start",
                                           "service_end", "last_updated", "body"))
KINDS = (PATIENT, COVERAGE, EOB)


def instant_ms(text: str) -> int:
    """A FHIR instant/dateTime/date (`2023-06-14T14:17:07.293-04:00`, `2023-06-14`) as UTC epoch milliseconds."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


class _Meta(msgspec.Struct, frozen=True):
    lastUpdated: str | None = None


class _Reference(msgspec.Struct, frozen=True):
    reference: str = ""


class _Coding(msgspec.Struct, frozen=True):
    system: str | None = None
    code: str = ""


class _Concept(msgspec.Struct, frozen=True):
    coding: tuple[_Coding, ...] = ()


class _Identifier(msgspec.Struct, frozen=True):
    system: str | None = None
    value: str | None = None


class _Name(msgspec.Struct, frozen=True):
    family: str | None = None
    given: tuple[str, ...] = ()


class _Period(msgspec.Struct, frozen=True):
    start: str | None = None
    end: str | None = None


class _Resource(msgspec.Struct, frozen=True):
    """The fields of a resource the store indexes (the decoder checks the rest is JSON, and skips it)."""
    resourceType: str | None = None
    id: str = ""
    meta: _Meta = _Meta()

    def last_updated_ms(self) -> int:
        if self.meta.lastUpdated is None:
            raise ValueError("no meta.lastUpdated")
        return instant_ms(self.meta.lastUpdated)


class _Patient(_Resource, frozen=True):
    identifier: tuple[_Identifier, ...] = ()
    name: tuple[_Name, ...] = ()
    birthDate: str | None = None
    gender: str | None = None


class _Coverage(_Resource, frozen=True):
    beneficiary: _Reference = _Reference()


class _ExplanationOfBenefit(_Resource, frozen=True):
    patient: _Reference = _Reference()
    type: _Concept = _Concept()
    billablePeriod: _Period = _Period()


def _reference_id(reference: _Reference, prefix: str = "Patient/") -> str:
    if not reference.reference.startswith(prefix):
        raise ValueError(f"reference {reference.reference!r} is not {prefix}<id>")
    return reference.reference[len(prefix):]


def _patient_row(res: _Patient, body: bytes) -> tuple:
    mbis = [i.value for i in res.identifier if i.system == MBI_SYSTEM]
    name = res.name[0] if res.name else _Name()
    return (0, res.id, mbis[0] if mbis else None, name.family, " ".join(name.given), res.birthDate, res.gender,
            res.last_updated_ms(), body)


def _coverage_row(res: _Coverage, body: bytes) -> tuple:
    return (res.id, _reference_id(res.beneficiary), res.last_updated_ms(), body)


def _eob_row(res: _ExplanationOfBenefit, body: bytes) -> tuple:
    prefix, sep, claim_id = res.id.partition("-")
    codes = [c.code for c in res.type.coding if c.system == EOB_TYPE_SYSTEM]
    claim_type = codes[0].lower() if codes else prefix
    if not sep or claim_type not in CLAIM_TYPES:
        raise ValueError(f"ExplanationOfBenefit {res.id!r} has no known claim type")
    return (res.id, _reference_id(res.patient), claim_id, claim_type, res.billablePeriod.start,
            res.billablePeriod.end, res.last_updated_ms(), body)


_DECODERS = {"Patient": msgspec.json.Decoder(_Patient), "Coverage": msgspec.json.Decoder(_Coverage),
             "ExplanationOfBenefit": msgspec.json.Decoder(_ExplanationOfBenefit)}
_ROW_BUILDERS = {"Patient": _patient_row, "Coverage": _coverage_row, "ExplanationOfBenefit": _eob_row}


@dataclass(frozen=True)
class _Part:
    """A piece of a file for one worker: a byte range of a plain file (read by the worker itself), or lines
    the caller read (a gzip file, a pipe, claims from `advance`), numbered."""
    path: str | None = None
    start: int = 0
    end: int = 0
    lines: tuple[tuple[int, bytes], ...] = ()

    def numbered(self) -> Iterator[tuple[int, bytes]]:
        """(number, line) of its non-blank lines: the line number in the file, or in the range (see `line`)."""
        if self.path is None:
            yield from self.lines
            return
        try:
            with open(self.path, "rb") as f:
                f.seek(self.start)
                data = f.read(self.end - self.start)
        except OSError as e:
            raise DatasetLoadError(f"{self.path}: cannot be read ({e})") from None
        for number, line in enumerate(data.split(b"\n"), start=1):
            if line and not line.isspace():
                yield number, line.rstrip(b"\r")

    def line(self, number: int) -> int:
        """The file's line number of `number` (counting a range's preceding lines only when one is needed)."""
        if self.path is None:
            return number
        with open(self.path, "rb") as f:
            return f.read(self.start).count(b"\n") + number


def _part_rows(resource_type: str, source: str, dictionary: bytes | None, part: _Part) -> tuple[list[int], list]:
    """(line numbers, rows) of one part; runs in a worker process."""
    decode, build = _DECODERS[resource_type].decode, _ROW_BUILDERS[resource_type]
    compress, numbers, found = codec.compressor(dictionary), [], []
    for number, raw in part.numbered():
        try:
            raw.decode()  # the decoder skips the fields it does not keep without checking their UTF-8
            res = decode(raw)
        except msgspec.ValidationError as e:
            problem = f"{resource_type} is missing or has a bad field ({e})"
        except (msgspec.DecodeError, UnicodeDecodeError):
            problem = "not a complete JSON resource (truncated line?)"
        else:
            if res.resourceType != resource_type:
                problem = f"unexpected resource type {res.resourceType!r} (this file holds {resource_type})"
            else:
                try:
                    found.append(build(res, compress(raw)))
                    numbers.append(number)
                    continue
                except ValueError as e:
                    problem = f"{resource_type} is missing or has a bad field ({e})"
        raise DatasetLoadError(f"{source}, line {part.line(number)}: {problem}")
    return numbers, found


def _parts(path: Path | None, lines: Iterator[tuple[int, bytes]]) -> Iterator[_Part]:
    """A plain file as byte ranges of about BATCH_BYTES that end at line ends; anything else as batches of
    its lines."""
    if path is not None and path.is_file() and not path.name.endswith(".gz"):
        size = path.stat().st_size
        with open(path, "rb") as f:
            start = 0
            while start < size:
                f.seek(min(start + BATCH_BYTES, size))
                end = min(f.tell() + len(f.readline()), size)
                yield _Part(str(path), start, end)
                start = end
        return
    batch: list[tuple[int, bytes]] = []
    size = 0
    for number, raw in lines:
        batch.append((number, raw))
        size += len(raw)
        if size >= BATCH_BYTES:
            yield _Part(lines=tuple(batch))
            batch, size = [], 0
    if batch:
        yield _Part(lines=tuple(batch))


def _mapped(work: Callable[[_Part], tuple[list[int], list]], parts: Iterator[_Part]
            ) -> Iterator[tuple[_Part, tuple[list[int], list]]]:
    """(part, `work` of the part) for each part, in order: in worker processes, or in process for a single
    part or when workers cannot start."""
    first = next(parts, None)
    if first is None:
        return
    second = next(parts, None)
    if second is None or not _spawnable():
        for part in (first,) if second is None else itertools.chain((first, second), parts):
            yield part, work(part)
        return
    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: collections.deque[tuple[_Part, Future]] = collections.deque()
        for part in itertools.chain((first, second), parts):
            if len(pending) >= workers * BATCHES_PER_WORKER:
                done, future = pending.popleft()
                yield done, future.result()
            pending.append((part, pool.submit(work, part)))
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def _spawnable() -> bool:
    """Whether worker processes can start: they import the main module again, which needs a file or module
    (not `python -` or an interactive session)."""
    main = sys.modules["__main__"]
    return getattr(main, "__spec__", None) is not None or Path(getattr(main, "__file__", "") or "-").is_file()


def rows(kind: Kind, path: Path | None, lines: Iterator[tuple[int, bytes]], dictionary: bytes | None,
         patient_ids: set[str]) -> Iterator[tuple]:
    """The rows of `kind` in file order, each body compressed with `dictionary`: from the file at `path` when
    it is a plain file, else from `lines` (its numbered lines). Patients are numbered in file order and added
    to `patient_ids`; another type's row must name one of them."""
    source = str(path) if path is not None else "new claims"
    ordinal = 0
    work = functools.partial(_part_rows, kind.resource_type, source, dictionary)
    for part, (numbers, batch) in _mapped(work, _parts(path, lines)):
        for number, row in zip(numbers, batch):
            if kind is PATIENT:
                row = (ordinal, *row[1:])
                patient_ids.add(row[1])
            elif row[1] not in patient_ids:
                raise DatasetLoadError(f"{source}, line {part.line(number)}: {row[0]} refers to Patient/{row[1]}, "
                                       "which is not in the dataset")
            ordinal += 1
            yield row
