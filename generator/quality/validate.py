"""`medisynth validate DIR`: check every resource of a dataset and report problems with examples.

Lines stream through worker processes (`checks.check_chunk`: JSON, FHIR R4 validity via
fhir.resources R4B, profiles, MBIs, NPIs, dates, money); this module checks what spans resources
(unique ids, references, claims after death or outside the coverage period, manifest counts) and
renders the report. Memory stays flat in the number of claims: patients and coverages are kept,
EOB ids only as 64-bit hashes.
"""
from __future__ import annotations

import os
import time
from array import array
from collections import Counter, deque
from dataclasses import dataclass, field
from multiprocessing import get_context
from collections.abc import Iterator

import numpy as np
import orjson

from dataset_contract import CLAIM_TYPES, RESOURCE_TYPES, Dataset, open_dataset
from generator.quality.checks import Facts, Problem, check_chunk

KINDS = {
    "json": "line is not a JSON object",
    "resource-type": "resource in the wrong file",
    "fhir": "not valid FHIR R4 (fhir.resources R4B)",
    "strict-r4": "empty array, object or string, or null (R4 JSON leaves an element without a value out)",
    "profile": "meta.profile lacks the expected C4BB profile",
    "claim-type": "unknown claim type",
    "duplicate-id": "id used twice",
    "id-format": "id not in Blue Button form (part-a-<patient>, carrier-<claim> …)",
    "dangling-reference": "reference that does not resolve",
    "mbi": "MBI missing or not synthetic",
    "npi": "NPI with a wrong check digit",
    "period-order": "a period (billablePeriod, Coverage.period) ends before it starts",
    "outside-period": "service date outside the manifest period",
    "after-death": "claim after the patient's death",
    "outside-enrollment": "claim starts outside the period of the coverage it names",
    "payment": "payment outside 0..total submitted",
    "negative-amount": "negative money amount",
    "line-balance": "line allowed ≠ paid + deductible + coinsurance + prior payer",
    "manifest": "manifest does not match the files",
}
"""Every kind of problem, in report order, with what it means."""

EXAMPLES_PER_KIND = 5
CHUNK_LINES = 200
ONE_PROCESS_BYTES = 2_000_000
"""Datasets smaller than this are checked in this process (starting workers would take longer)."""
BENEFICIARIES_WITH_CLAIMS_MIN = 0.8


@dataclass
class ValidationReport:
    dataset: Dataset
    resources: Counter = field(default_factory=Counter)       # resource type -> lines read
    claim_types: Counter = field(default_factory=Counter)
    patients: int = 0
    patients_with_claims: int = 0
    problem_counts: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)              # kind -> [(file, line, id, message)]
    seconds: float = 0.0
    workers: int = 1

    @property
    def ok(self) -> bool:
        return not self.problem_counts

    @property
    def warnings(self) -> list[str]:
        out = []
        missing = [t for t in CLAIM_TYPES if not self.claim_types.get(t)]
        if missing:
            out.append(f"claim types missing: {', '.join(missing)}")
        if self.patients and self.patients_with_claims < BENEFICIARIES_WITH_CLAIMS_MIN * self.patients:
            out.append(f"only {self.patients_with_claims / self.patients:.0%} of beneficiaries have claims "
                       f"(expected ≥ {BENEFICIARIES_WITH_CLAIMS_MIN:.0%})")
        return out

    def add(self, kind: str, file: str, line: int, rid: str, message: str) -> None:
        self.problem_counts[kind] += 1
        shown = self.examples.setdefault(kind, [])
        if len(shown) < EXAMPLES_PER_KIND:
            shown.append((file, line, rid, message))

    def render(self) -> str:
        ds, gen = self.dataset, self.dataset.manifest.generator
        total = sum(self.resources.values())
        rate = total / self.seconds if self.seconds else 0.0
        out = [f"Dataset {ds.directory}",
               f"  profile {ds.manifest.profile} · seed {gen.get('seed')} · {gen.get('beneficiaries')} beneficiaries · "
               f"period {ds.period_start}..{ds.period_end}", "",
               f"  {'file':<34} {'resources':>10} {'manifest':>10}"]
        for rtype in RESOURCE_TYPES:
            if rtype in ds.files:
                count = ds.manifest.count(rtype)
                out.append(f"  {ds.files[rtype].name:<34} {self.resources[rtype]:>10,} "
                           f"{'-' if count is None else format(count, ','):>10}")
        out += ["", "  claim types: " + " · ".join(f"{t} {self.claim_types.get(t, 0):,}" for t in CLAIM_TYPES)]
        if self.patients:
            out.append(f"  beneficiaries with claims: {self.patients_with_claims:,} of {self.patients:,} "
                       f"({self.patients_with_claims / self.patients:.1%})")
        out.append(f"  checked {total:,} resources in {self.seconds:.1f} s ({rate:,.0f} resources/s, "
                   f"{_plural(self.workers, 'worker')})")
        out += [f"  warning: {w}" for w in self.warnings]
        out.append("")
        if self.ok:
            out.append("OK: no problems found.")
            return "\n".join(out)
        out.append(f"FAILED: {_plural(sum(self.problem_counts.values()), 'problem')} of "
                   f"{_plural(len(self.problem_counts), 'kind')}")
        out.append("")
        for kind in (k for k in KINDS if k in self.problem_counts):
            out.append(f"  {kind} ({self.problem_counts[kind]:,}): {KINDS[kind]}")
            for file, line, rid, message in self.examples[kind]:
                out.append(f"    {file}:{line}  {rid or '-'}  {message}")
            hidden = self.problem_counts[kind] - len(self.examples[kind])
            if hidden:
                out.append(f"    … and {hidden:,} more")
        return "\n".join(out)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def validate_dataset(directory, workers: int | None = None) -> ValidationReport:
    """Check the dataset in `directory` (DatasetError if it is not one); see the module docstring.

    `workers`: processes to check lines in (default: one per core, or this process for a small dataset)."""
    ds = open_dataset(directory, required=("Patient",))
    if workers is None:
        small = sum(path.stat().st_size for path in ds.files.values()) < ONE_PROCESS_BYTES
        workers = 1 if small else os.cpu_count() or 1
    report = ValidationReport(dataset=ds, workers=workers)
    started = time.perf_counter()
    state = _CrossChecks(report)
    with _Runner(workers) as run:
        for rtype in RESOURCE_TYPES:
            if rtype not in ds.files:
                continue
            file = ds.files[rtype].name
            for number, problems, facts in run(_chunks(ds, rtype)):
                report.resources[rtype] += 1
                for p in problems:
                    report.add(p.kind, file, p.line, p.rid, p.message)
                if facts is not None:
                    state.see(rtype, file, number, facts)
    state.finish(ds)
    _check_manifest(ds, report)
    report.seconds = time.perf_counter() - started
    return report


def _chunks(ds: Dataset, rtype: str) -> Iterator[tuple]:
    start, end = ds.period_start.isoformat(), ds.period_end.isoformat()
    chunk = []
    for number, raw in ds.lines(rtype):
        chunk.append((number, raw))
        if len(chunk) == CHUNK_LINES:
            yield rtype, start, end, chunk
            chunk = []
    if chunk:
        yield rtype, start, end, chunk


class _Runner:
    """Run `check_chunk` over chunks in worker processes (in order, a bounded number in flight)."""

    def __init__(self, workers: int):
        self.workers, self.pool = workers, None

    def __enter__(self):
        if self.workers > 1:
            self.pool = get_context("fork").Pool(self.workers)
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def __call__(self, chunks) -> Iterator[tuple[int, list[Problem], Facts | None]]:
        if self.pool is None:
            for chunk in chunks:
                yield from _numbered(chunk, check_chunk(chunk))
            return
        pending = deque()
        for chunk in chunks:
            pending.append((chunk, self.pool.apply_async(check_chunk, (chunk,))))
            if len(pending) >= 4 * self.workers:
                chunk, result = pending.popleft()
                yield from _numbered(chunk, result.get())
        while pending:
            chunk, result = pending.popleft()
            yield from _numbered(chunk, result.get())


def _numbered(chunk, results):
    """(line number, problems, facts) for each line of one chunk."""
    for (number, _raw), (problems, facts) in zip(chunk[3], results):
        yield number, problems, facts


class _CrossChecks:
    """What spans resources: unique ids, references to patients and coverages, claims after death."""

    def __init__(self, report: ValidationReport):
        self.report = report
        self.deaths: dict[str, str | None] = {}     # patient id -> death date
        self.coverages: dict[str, Facts] = {}         # coverage id -> its facts (beneficiary, period)
        self.with_claims: set[str] = set()
        self.eob_hashes = array("q")
        self.eob_file = ""

    def see(self, rtype: str, file: str, line: int, facts: Facts) -> None:
        add = self.report.add
        if rtype == "Patient":
            if facts.rid in self.deaths:
                add("duplicate-id", file, line, facts.rid, f"Patient id {facts.rid} seen before")
            self.deaths[facts.rid] = facts.death
        elif rtype == "Coverage":
            if facts.rid in self.coverages:
                add("duplicate-id", file, line, facts.rid, f"Coverage id {facts.rid} seen before")
            self.coverages[facts.rid] = facts
            if facts.patient is not None and facts.patient not in self.deaths:
                add("dangling-reference", file, line, facts.rid, f"beneficiary Patient/{facts.patient} not found")
        else:
            self.eob_file = file
            self.eob_hashes.append(hash(facts.rid))
            self.report.claim_types[facts.claim_type] += 1
            self._see_claim(file, line, facts)

    def _see_claim(self, file: str, line: int, facts: Facts) -> None:
        add, patient = self.report.add, facts.patient
        if patient is not None:
            if patient not in self.deaths:
                add("dangling-reference", file, line, facts.rid, f"patient Patient/{patient} not found")
            else:
                self.with_claims.add(patient)
                death = self.deaths[patient]
                last = facts.span[1]
                if death and last and last > death:
                    add("after-death", file, line, facts.rid, f"service on {last}, death on {death}")
        first = facts.span[0]
        for coverage in facts.coverages:
            owner = self.coverages.get(coverage)
            if owner is None:
                add("dangling-reference", file, line, facts.rid, f"Coverage/{coverage} not found")
            elif patient is not None and owner.patient != patient:
                add("dangling-reference", file, line, facts.rid,
                    f"Coverage/{coverage} belongs to Patient/{owner.patient}, not {patient}")
            elif first and ((owner.span[0] and first < owner.span[0]) or (owner.span[1] and first > owner.span[1])):
                add("outside-enrollment", file, line, facts.rid,
                    f"starts {first}, Coverage/{coverage} runs {owner.span[0] or '…'}..{owner.span[1] or '…'}")

    def finish(self, ds: Dataset) -> None:
        self.report.patients = len(self.deaths)
        self.report.patients_with_claims = len(self.with_claims)
        hashes = np.frombuffer(self.eob_hashes, dtype=np.int64)
        values, counts = np.unique(hashes, return_counts=True)
        repeated = set(values[counts > 1].tolist())
        if repeated:
            self._report_duplicate_eobs(ds, repeated)

    def _report_duplicate_eobs(self, ds: Dataset, repeated: set[int]) -> None:
        """Second pass over the EOB file, only when hashes repeat: name the lines with the repeated ids."""
        seen = set()
        for number, raw in ds.lines("ExplanationOfBenefit"):
            try:
                rid = str(orjson.loads(raw).get("id", ""))
            except (orjson.JSONDecodeError, AttributeError):
                continue
            if hash(rid) in repeated:
                if rid in seen:
                    self.report.add("duplicate-id", self.eob_file, number, rid,
                                    f"ExplanationOfBenefit id {rid} seen before")
                seen.add(rid)


def _check_manifest(ds: Dataset, report: ValidationReport) -> None:
    for rtype in RESOURCE_TYPES:
        entry, path = ds.manifest.entry(rtype), ds.files.get(rtype)
        if entry is None:
            report.add("manifest", "manifest.json", 0, rtype, f"output lists no {rtype} file")
        elif path is None or entry.url != path.name:
            report.add("manifest", "manifest.json", 0, rtype, f"output url {entry.url!r} is not a file here")
        elif entry.count != report.resources[rtype]:
            report.add("manifest", "manifest.json", 0, rtype,
                       f"count {entry.count} but {path.name} holds {report.resources[rtype]:,} resources")
