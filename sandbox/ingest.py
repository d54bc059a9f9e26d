"""Turning a dataset file's NDJSON lines into store rows: parsed, checked and compressed in worker processes.

`rows(kind, source, lines, compress_with)` yields one row per resource, in file order: the indexed fields
(ids, dates, claim type…) and the body, the resource's bytes as a zstd frame (sandbox.codec). Lines go to
worker processes in batches (parsing the JSON is most of a load's work), while the caller inserts the rows
of earlier batches; a file of one batch is done in process. Any bad line raises DatasetLoadError naming
its source and line number.
"""
from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

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


def _reference_id(reference: dict | None, prefix: str = "Patient/") -> str:
    ref = (reference or {}).get("reference", "")
    if not ref.startswith(prefix):
        raise ValueError(f"reference {ref!r} is not {prefix}<id>")
    return ref[len(prefix):]


def _patient_row(res: dict, body: bytes) -> tuple:
    mbis = [i.get("value") for i in res.get("identifier", []) if i.get("system") == MBI_SYSTEM]
    name = (res.get("name") or [{}])[0]
    return (0, res["id"], mbis[0] if mbis else None, name.get("family"), " ".join(name.get("given", [])),
            res.get("birthDate"), res.get("gender"), instant_ms(res["meta"]["lastUpdated"]), body)


def _coverage_row(res: dict, body: bytes) -> tuple:
    return (res["id"], _reference_id(res.get("beneficiary")), instant_ms(res["meta"]["lastUpdated"]), body)


def _eob_row(res: dict, body: bytes) -> tuple:
    prefix, sep, claim_id = res["id"].partition("-")
    codes = [c.get("code", "") for c in res.get("type", {}).get("coding", []) if c.get("system") == EOB_TYPE_SYSTEM]
    claim_type = codes[0].lower() if codes else prefix
    if not sep or claim_type not in CLAIM_TYPES:
        raise ValueError(f"ExplanationOfBenefit {res['id']!r} has no known claim type")
    period = res.get("billablePeriod", {})
    return (res["id"], _reference_id(res.get("patient")), claim_id, claim_type, period.get("start"),
            period.get("end"), instant_ms(res["meta"]["lastUpdated"]), body)


_ROW_BUILDERS = {"Patient": _patient_row, "Coverage": _coverage_row, "ExplanationOfBenefit": _eob_row}


def _batch_rows(resource_type: str, source: str, batch: list[tuple[int, bytes]], dictionary: bytes | None) -> list:
    """The rows of one batch of (line number, line); runs in a worker process."""
    build, compress, found = _ROW_BUILDERS[resource_type], codec.compressor(dictionary), []
    for lineno, raw in batch:
        where = f"{source}, line {lineno}"
        try:
            res = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise DatasetLoadError(f"{where}: not a complete JSON resource (truncated line?)") from None
        rtype = res.get("resourceType") if isinstance(res, dict) else None
        if rtype != resource_type:
            raise DatasetLoadError(f"{where}: unexpected resource type {rtype!r} (this file holds {resource_type})")
        try:
            found.append(build(res, compress(raw)))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
            raise DatasetLoadError(f"{where}: {resource_type} is missing or has a bad field ({e})") from None
    return found


def _batches(lines: Iterator[tuple[int, bytes]]) -> Iterator[list[tuple[int, bytes]]]:
    batch, size = [], 0
    for lineno, raw in lines:
        batch.append((lineno, raw))
        size += len(raw)
        if size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _mapped(work: Callable[[list], list], batches: Iterator[list]) -> Iterator[tuple[list[int], list]]:
    """(line numbers, `work` of the batch) for each batch, in order: in process for a single batch, else in
    worker processes."""
    first = next(batches, None)
    second = next(batches, None) if first is not None else None
    if second is None:
        if first is not None:
            yield [n for n, _ in first], work(first)
        return
    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: collections.deque[tuple[list[int], Future]] = collections.deque()
        for batch in itertools.chain((first, second), batches):
            if len(pending) >= workers * BATCHES_PER_WORKER:
                numbers, done = pending.popleft()
                yield numbers, done.result()
            pending.append(([n for n, _ in batch], pool.submit(work, batch)))
        while pending:
            numbers, done = pending.popleft()
            yield numbers, done.result()


class _Work:
    """One batch's rows for a type (picklable, for the worker processes)."""

    def __init__(self, resource_type: str, source: str, dictionary: bytes | None):
        self.args = (resource_type, source)
        self.dictionary = dictionary

    def __call__(self, batch: list[tuple[int, bytes]]) -> list:
        return _batch_rows(*self.args, batch, self.dictionary)


def rows(kind: Kind, source: str, lines: Iterator[tuple[int, bytes]], dictionary: bytes | None,
         patient_ids: set[str]) -> Iterator[tuple]:
    """The rows of `kind` from NDJSON lines, in order, each body compressed with `dictionary`. Patients are
    numbered in file order and added to `patient_ids`; another type's row must name one of them."""
    ordinal = 0
    for numbers, batch in _mapped(_Work(kind.resource_type, source, dictionary), _batches(lines)):
        for lineno, row in zip(numbers, batch):
            if kind is PATIENT:
                row = (ordinal, *row[1:])
                patient_ids.add(row[1])
            elif row[1] not in patient_ids:
                raise DatasetLoadError(f"{source}, line {lineno}: {row[0]} refers to Patient/{row[1]}, which is "
                                       "not in the dataset")
            ordinal += 1
            yield row
