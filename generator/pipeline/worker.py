"""A worker's side of generation: one shard's resources written to part files, then its `.done` file.

A worker (a local process or a Dask task) writes its shard under `.partial-parts/`: complete files only
(temporary names renamed locally; objects that appear whole on an object store), then `<shard>.done` with the
shard's counts. The parent's side (pipeline/assembly.py) puts complete parts together in shard order.
"""
from __future__ import annotations

import gc
import io
from contextlib import contextmanager
from dataclasses import dataclass

import orjson
from isal import igzip

from dataset_contract import RESOURCE_TYPES
from generator.profile import Profile
from generator.fhir.bundle import bundle
from generator.pipeline.shard import shard_resources
from generator.pipeline.storage import WRITE_BUFFER, join, store_for
from generator.rif.parts import ShardRif, outputs

GZIP_LEVEL = 2  # ISA-L's default: ~1.6 GB/s here, 5x zlib's level 1, and smaller (each shard is one gzip member)


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
    rif: str | None = None      # the RIF research files' format ("csv", "parquet"), when asked for


def part_path(parts: str, index: int, rtype: str, ext: str) -> str:
    return join(parts, f"{index:06d}.{rtype}{ext}")


def done_path(parts: str, index: int) -> str:
    return join(parts, f"{index:06d}.done")


def write_shard(job: ShardJob) -> dict:
    """Generate one shard into its part files; returns {"index", "beneficiaries", "counts"}."""
    with collecting_rarely():
        return _write_shard(job)


def _write_shard(job: ShardJob) -> dict:
    store = store_for(job.parts)
    compress = job.ext.endswith(".gz")
    counts = dict.fromkeys(RESOURCE_TYPES, 0)
    paths = {t: part_path(job.parts, job.index, t, job.ext) for t in RESOURCE_TYPES} if job.ndjson else {}
    files = {t: part_writer(store.create(p), compress) for t, p in paths.items()}
    rif_paths = [join(job.parts, f"{job.index:06d}.{part}") for part, _ in outputs(job.rif)] if job.rif else []
    rif = ShardRif(job.rif, job.index == 0, lambda part: store.create(join(job.parts, f"{job.index:06d}.{part}"))) \
        if job.rif else None
    try:
        for bene_id, patient, coverages, eobs in shard_resources(job.profile, job.seed, job.index, job.start,
                                                                job.count, rif.add if rif else None):
            resources = {"Patient": [patient], "Coverage": coverages, "ExplanationOfBenefit": eobs}
            for t, items in resources.items():
                counts[t] += len(items)
                if files:
                    _write_lines(files[t], items)
            if job.bundles:
                store.put(join(job.bundles, f"{bene_id}.json"), bundle(bene_id, [patient, *coverages, *eobs]))
    finally:
        for f in files.values():
            f.close()
        rif_rows = rif.close() if rif else {}
    for p in [*paths.values(), *rif_paths]:
        store.commit(p)
    result = {"index": job.index, "beneficiaries": job.count, "counts": counts, "rif": rif_rows}
    store.put(done_path(job.parts, job.index), orjson.dumps(result))
    return result


def _write_lines(f, lines: list[bytes]) -> None:
    """Each line then a newline, item by item: joining a beneficiary's ~700 KB first costs 4x more, because a
    fresh buffer that large comes from mmap and page-faults in."""
    write = f.write
    for line in lines:
        write(line)
        write(b"\n")


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


def part_writer(raw, compress: bool):
    """Write to the binary file `raw`, through gzip when asked (closing the writer closes `raw`)."""
    if not compress:
        return raw
    # no file name and mtime 0 in the gzip header: the bytes depend on the content only. Lines are
    # compressed 1 MB at a time: ISA-L runs at ~1.9 GB/s on such blocks, ~1.2 GB/s line by line.
    return io.BufferedWriter(_ClosingGzip(raw), WRITE_BUFFER)


class _ClosingGzip(igzip.GzipFile):
    """A gzip stream that also closes the file it writes to."""

    def __init__(self, raw):
        super().__init__(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0)
        self.raw = raw

    def close(self):
        try:
            super().close()
        finally:
            self.raw.close()
