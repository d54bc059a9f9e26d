"""Shard part files and their in-order assembly into the dataset's NDJSON files.

A worker writes its shard to part files under `.partial-parts/` (temporary names, renamed when
complete, then a `.done` file with the shard's counts). The parent appends complete parts to the
`.partial-<Type>` files strictly in shard order and deletes them, so the output's bytes never depend
on which worker finished first, and disk and memory stay flat. `run.json` in the parts directory is
the resume marker: the run's inputs, how many shards are appended, and the files' sizes at that point
(a run killed mid-append is truncated back to them).
"""
from __future__ import annotations

import gc
import gzip
import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

from generator.errors import OutputError
from generator.profile import Profile
from generator.shard import bundle, shard_resources

RESOURCE_TYPES = ("Patient", "Coverage", "ExplanationOfBenefit")
TMP_PREFIX = ".partial-"
PARTS_DIR = TMP_PREFIX + "parts"
MARKER = "run.json"
GZIP_LEVEL = 1          # each shard is one gzip member; level 1 is ~4x faster than 9 and ~1.4x larger
WRITE_BUFFER = 1 << 20


@dataclass(frozen=True)
class ShardJob:
    """Everything a worker (a local process or a Dask task) needs to write one shard's parts."""
    profile: Profile
    seed: int
    index: int
    start: int
    count: int
    parts: str                  # directory of part files (shared by all workers)
    ext: str                    # ".ndjson" or ".ndjson.gz"
    ndjson: bool                # write NDJSON parts
    bundles: str | None         # directory for per-patient Bundle files, when asked for


def part_path(parts: Path, index: int, rtype: str, ext: str) -> Path:
    return parts / f"{index:06d}.{rtype}{ext}"


def done_path(parts: Path, index: int) -> Path:
    return parts / f"{index:06d}.done"


def write_shard(job: ShardJob) -> dict:
    """Generate one shard into its part files; returns {"index", "beneficiaries", "counts"}."""
    with collecting_rarely():
        return _write_shard(job)


def _write_shard(job: ShardJob) -> dict:
    parts = Path(job.parts)
    counts = dict.fromkeys(RESOURCE_TYPES, 0)
    tmp = {t: part_path(parts, job.index, t, job.ext).with_suffix(".tmp") for t in RESOURCE_TYPES} if job.ndjson else {}
    files = {t: part_writer(p, job.ext.endswith(".gz")) for t, p in tmp.items()}
    try:
        for bene_id, patient, coverages, eobs in shard_resources(job.profile, job.seed, job.index, job.start,
                                                                job.count):
            resources = {"Patient": [patient], "Coverage": coverages, "ExplanationOfBenefit": eobs}
            for t, items in resources.items():
                counts[t] += len(items)
                if files:
                    files[t].write(b"\n".join(items) + b"\n" if items else b"")
            if job.bundles:
                everything = [patient, *coverages, *eobs]
                Path(job.bundles, f"{bene_id}.json").write_bytes(bundle(bene_id, everything))
    finally:
        for f in files.values():
            f.close()
    for t, p in tmp.items():
        p.replace(part_path(parts, job.index, t, job.ext))
    result = {"index": job.index, "beneficiaries": job.count, "counts": counts}
    _write_atomic(done_path(parts, job.index), orjson.dumps(result))
    return result


@contextmanager
def collecting_rarely():
    """The hot loop allocates millions of short-lived, acyclic dicts: with the default thresholds the cycle
    collector runs every 700 allocations and rescans the code tables and caches, ~40% of the CPU time.
    Freeze what is alive (tables, caches) and collect young objects every 100,000 allocations instead."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def part_writer(path: Path, compress: bool):
    raw = open(path, "wb", buffering=WRITE_BUFFER)
    if not compress:
        return raw
    # no file name and mtime 0 in the gzip header: the bytes depend on the content only
    return _ClosingGzip(raw)


class _ClosingGzip(gzip.GzipFile):
    """A gzip stream that also closes the file it writes to."""

    def __init__(self, raw):
        super().__init__(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0)
        self.raw = raw

    def close(self):
        try:
            super().close()
        finally:
            self.raw.close()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


class Assembly:
    """The parent's side: the resume marker, and complete shards appended to the output in order."""

    def __init__(self, out: Path, inputs: dict, ext: str, ndjson: bool, resume: bool):
        self.out, self.ext, self.ndjson = out, ext, ndjson
        self.parts = out / PARTS_DIR
        marker = self.parts / MARKER
        if resume and marker.exists():
            self.state = json.loads(marker.read_text())
            if self.state["inputs"] != inputs:
                diff = ", ".join(f"{k} {self.state['inputs'].get(k)!r} (now {v!r})"
                                 for k, v in inputs.items() if self.state["inputs"].get(k) != v)
                raise OutputError(f"cannot resume {out}: it was started with {diff}; rerun the original "
                                  "command with --resume, or pass --force to start over")
        else:
            self.parts.mkdir(parents=True, exist_ok=True)
            self.state = {"inputs": inputs, "appended": 0, "sizes": dict.fromkeys(RESOURCE_TYPES, 0),
                          "counts": dict.fromkeys(RESOURCE_TYPES, 0)}
            self._save()
        self.tmp = {t: out / f"{TMP_PREFIX}{t}{ext}" for t in RESOURCE_TYPES} if ndjson else {}
        self.files = {}
        for t, p in self.tmp.items():
            p.touch()
            self.files[t] = open(p, "r+b")
            self.files[t].truncate(self.state["sizes"][t])
        for p in self.parts.iterdir():
            stale = p.name[:6].isdigit() and int(p.name[:6]) < self.state["appended"]
            if stale or p.suffix == ".tmp":
                p.unlink()
        self.ready: dict[int, dict] = {}

    @property
    def counts(self) -> dict[str, int]:
        return self.state["counts"]

    def completed(self) -> dict[int, dict]:
        """Shards whose parts are complete but not yet appended (found on disk when resuming)."""
        found = {}
        for p in self.parts.glob("*.done"):
            result = json.loads(p.read_bytes())
            found[result["index"]] = result
        return found

    def add(self, result: dict) -> None:
        """A shard is complete: append it and every shard after it that is ready, in order."""
        self.ready[result["index"]] = result
        while self.state["appended"] in self.ready:
            k = self.state["appended"]
            done = self.ready.pop(k)
            for t, f in self.files.items():
                src = part_path(self.parts, k, t, self.ext)
                self.state["sizes"][t] = _append(f, self.state["sizes"][t], src)
            for t in RESOURCE_TYPES:
                self.state["counts"][t] += done["counts"][t]
            self.state["appended"] = k + 1
            self._save()
            for t in self.files:
                part_path(self.parts, k, t, self.ext).unlink()
            done_path(self.parts, k).unlink()

    def finish(self, shards: int) -> None:
        """Every shard is appended: give the files their final names and drop the parts."""
        assert self.state["appended"] == shards, (self.state["appended"], shards)
        self.close()
        for t, p in self.tmp.items():
            p.replace(self.out / f"{t}{self.ext}")
        shutil.rmtree(self.parts)

    def close(self) -> None:
        for f in self.files.values():
            f.close()

    def _save(self) -> None:
        for f in getattr(self, "files", {}).values():
            f.flush()
        _write_atomic(self.parts / MARKER, json.dumps(self.state).encode())


def _append(dst, size: int, src: Path) -> int:
    """Copy `src` to `dst` at offset `size` (in the kernel when it can); returns the new size."""
    dst.flush()
    with open(src, "rb") as f:
        left = os.fstat(f.fileno()).st_size
        offset = size
        try:
            while left:
                n = os.copy_file_range(f.fileno(), dst.fileno(), left, offset_dst=offset)
                if n == 0:
                    break
                offset, left = offset + n, left - n
        except OSError:
            f.seek(offset - size)
            dst.seek(offset)
            shutil.copyfileobj(f, dst, WRITE_BUFFER)
            dst.flush()
            offset = dst.tell()
    return offset
