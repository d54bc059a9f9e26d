"""`medisynth generate`: split the population into shards, run them on an engine (local worker
processes or Dask), and assemble their parts in shard order, so the bytes never depend on the number
of workers or on the engine.

The destination is a directory or an fsspec URL (pipeline/targets.py). Either way it holds complete
files or none (temporary names renamed when complete; on object stores, objects that appear whole),
and the manifest is written last. An interrupted run keeps its complete shard parts and a marker
(pipeline/assembly.py), and `--resume` finishes it.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import orjson

from dataset_contract import RESOURCE_TYPES, GeneratorSettings, Manifest, OutputFile
from generator import __version__
from generator.pipeline.engines import run_jobs
from generator.errors import OutputError, UserError
from generator.pipeline.worker import ShardJob
from generator.profile import load_profile
from generator.model.dates import transaction_time
from generator.pipeline.shard import SHARD_SIZE, shard_ranges
from generator.pipeline.storage import describe
from generator.pipeline.targets import target_for
from generator.rif import RIF_DIR
from generator.rif.parts import require as require_rif


@dataclass
class GenerateOptions:
    profile: str = "default"
    beneficiaries: int = 1000
    seed: int = 0
    start: dt.date | None = None
    end: dt.date | None = None
    out: Path | str | None = None      # a directory or an fsspec URL (s3://bucket/prefix)
    workers: int | None = None
    fmt: str = "ndjson"
    gzip: bool = False
    force: bool = False
    resume: bool = False
    progress: bool = False
    engine: str = "local"               # "local" (worker processes) or "dask"
    scheduler: str | None = None        # Dask scheduler address; a local Dask cluster when None
    shard_size: int = SHARD_SIZE        # beneficiaries per shard (part of the seed: other sizes, other bytes)
    rif: str | None = None              # also write the RIF research files: "csv" or "parquet"


def default_out_dir(profile: str, n: int, seed: int) -> Path:
    name = Path(profile).stem if profile.endswith((".yaml", ".yml")) else profile
    return Path("output") / f"{name}-{n}-s{seed}"


def _inputs(opts: GenerateOptions, profile) -> dict:
    """What decides the bytes: a resumed run must match the interrupted one on all of it."""
    return {"profile": profile.source, "profile content": profile.content_hash,
            "seed": opts.seed, "beneficiaries": opts.beneficiaries,
            "period": [profile.period_start.isoformat(), profile.period_end.isoformat()],
            "format": opts.fmt, "gzip": opts.gzip, "shard_size": opts.shard_size, "version": __version__,
            **({"rif": opts.rif} if opts.rif else {})}


def generate(opts: GenerateOptions) -> str:
    """Write a dataset; returns a one-paragraph summary for the terminal."""
    if opts.rif:
        require_rif(opts.rif)
    profile = load_profile(opts.profile).with_period(opts.start, opts.end)
    out = target_for(opts.out or default_out_dir(opts.profile, opts.beneficiaries, opts.seed))
    out.prepare(opts.force, opts.resume)
    ext = ".ndjson.gz" if opts.gzip else ".ndjson"
    write_ndjson = opts.fmt in ("ndjson", "both")
    shards = shard_ranges(opts.beneficiaries, opts.shard_size)
    workers = max(1, min(opts.workers or os.cpu_count() or 1, len(shards)))
    try:
        assembly = out.assembly(_inputs(opts, profile), ext, write_ndjson, opts.resume, opts.rif)
        bundles = out.bundles() if opts.fmt in ("bundles", "both") else None
        completed = assembly.completed()
        jobs = [ShardJob(profile, opts.seed, k, start, count, assembly.parts, ext, write_ndjson, bundles, opts.rif)
                for k, start, count in shards if k >= assembly.state["appended"] and k not in completed]
        done_before = sum(count for k, _, count in shards if k < assembly.state["appended"] or k in completed)
        try:
            with _progress(opts.progress, opts.beneficiaries, done_before) as advance:
                for result in completed.values():
                    assembly.add(result)
                for result in run_jobs(jobs, workers, opts.engine, opts.scheduler):
                    assembly.add(result)
                    advance(result["beneficiaries"], sum(result["counts"].values()))
            assembly.finish(len(shards))
        finally:
            assembly.close()
        out.publish_bundles()
        out.put("manifest.json", _manifest(profile, opts, assembly.counts, ext if write_ndjson else None))
    except UserError:
        raise
    except out.errors as e:
        raise OutputError(f"writing {out} failed: {describe(e)}; rerun with --resume to finish "
                          "(partial files are named .partial-*)") from None
    counts = assembly.counts
    total = sum(counts.values())
    rif = (f"; RIF files ({opts.rif}) in {RIF_DIR}/: {sum(assembly.rif_rows.values()):,} rows"
           if opts.rif else "")
    return (f"Wrote {opts.beneficiaries:,} beneficiaries ({counts['Patient']:,} Patient, {counts['Coverage']:,} "
            f"Coverage, {counts['ExplanationOfBenefit']:,} ExplanationOfBenefit; {total:,} resources){rif} to {out}")


def _manifest(profile, opts: GenerateOptions, counts: dict, ext: str | None) -> bytes:
    settings = GeneratorSettings(
        version=__version__, profile=profile.name if profile.source == profile.name else profile.source,
        seed=opts.seed, beneficiaries=opts.beneficiaries, period_start=profile.period_start,
        period_end=profile.period_end, shard_size=opts.shard_size, profile_hash=profile.content_hash)
    manifest = Manifest(
        transaction_time=transaction_time(profile.period_end), generator=settings.to_json(),
        output=tuple(OutputFile(t, f"{t}{ext}", counts[t]) for t in RESOURCE_TYPES) if ext else (),
        bundles=counts["Patient"] if opts.fmt in ("bundles", "both") else None)
    return orjson.dumps(manifest.to_json(), option=orjson.OPT_INDENT_2) + b"\n"


class _progress:
    """A rich progress bar on a terminal (beneficiaries, resources/s, ETA); nothing otherwise."""

    def __init__(self, enabled: bool, total: int, done: int = 0):
        self.enabled, self.total, self.done = enabled, total, done

    def __enter__(self):
        if not self.enabled:
            return lambda n, resources: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
        self.bar = Progress(TextColumn("generating"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("beneficiaries · {task.fields[rate]} resources/s"), TimeRemainingColumn(),
                            transient=True)
        self.bar.__enter__()
        self.task = self.bar.add_task("generate", total=self.total, completed=self.done, rate="…")
        self.resources = 0

        def advance(n, resources):
            self.resources += resources
            elapsed = self.bar.tasks[0].elapsed or 1e-9
            self.bar.update(self.task, advance=n, rate=f"{self.resources / elapsed:,.0f}")
        return advance

    def __exit__(self, *exc):
        if self.enabled:
            self.bar.__exit__(*exc)
        return False
