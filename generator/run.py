"""`medisynth generate`: split the population into shards, generate them in worker processes, and
write them in shard order, so the bytes never depend on the number of workers.

Files are written under temporary names and renamed when complete, so a dataset directory holds
complete files or none; the manifest is written last.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import orjson

from generator import __version__
from generator.errors import OutputError
from generator.profile import load_profile
from generator.shard import SHARD_SIZE, ShardOutput, generate_shard, transaction_time

RESOURCE_TYPES = ("Patient", "Coverage", "ExplanationOfBenefit")
TMP_PREFIX = ".partial-"


@dataclass
class GenerateOptions:
    profile: str = "default"
    beneficiaries: int = 1000
    seed: int = 0
    start: dt.date | None = None
    end: dt.date | None = None
    out: Path | None = None
    workers: int | None = None
    fmt: str = "ndjson"
    gzip: bool = False
    force: bool = False
    resume: bool = False
    progress: bool = False


def default_out_dir(profile: str, n: int, seed: int) -> Path:
    name = Path(profile).stem if profile.endswith((".yaml", ".yml")) else profile
    return Path("output") / f"{name}-{n}-s{seed}"


def dataset_files(out: Path) -> list[Path]:
    """Everything a dataset directory may hold that `generate` writes (for --force)."""
    names = [f"{t}.ndjson{ext}" for t in RESOURCE_TYPES for ext in ("", ".gz")] + ["manifest.json", "bundles"]
    return [out / n for n in names]


def _prepare_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a directory: choose another --out")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise OutputError(f"{out} is not empty: pass --force to overwrite its dataset, or choose another --out")
        for p in dataset_files(out):
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
        for p in out.glob(TMP_PREFIX + "*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {out}: {e.strerror}") from None


def _shards(n: int) -> list[tuple[int, int, int]]:
    """(shard index, first beneficiary index, count) covering 0..n-1."""
    return [(k, start, min(SHARD_SIZE, n - start)) for k, start in enumerate(range(0, n, SHARD_SIZE))]


def generate(opts: GenerateOptions) -> str:
    """Write a dataset; returns a one-paragraph summary for the terminal."""
    profile = load_profile(opts.profile).with_period(opts.start, opts.end)
    out = opts.out or default_out_dir(opts.profile, opts.beneficiaries, opts.seed)
    _prepare_out(out, opts.force)
    ext = ".ndjson.gz" if opts.gzip else ".ndjson"
    bundles = opts.fmt in ("bundles", "both")
    write_ndjson = opts.fmt in ("ndjson", "both")
    shards = _shards(opts.beneficiaries)
    workers = max(1, min(opts.workers or os.cpu_count() or 1, len(shards)))
    tmp = {t: out / f"{TMP_PREFIX}{t}{ext}" for t in RESOURCE_TYPES}
    counts = dict.fromkeys(RESOURCE_TYPES, 0)
    bundle_tmp = out / f"{TMP_PREFIX}bundles"
    if bundles:
        bundle_tmp.mkdir(exist_ok=True)
    args = [(profile, opts.seed, k, start, count, bundles, opts.gzip) for k, start, count in shards]
    try:
        with _progress(opts.progress, opts.beneficiaries) as advance:
            handles = {t: open(p, "wb") for t, p in tmp.items()} if write_ndjson else {}
            try:
                for result in _run(args, workers):
                    for t in RESOURCE_TYPES:
                        counts[t] += result.counts[t]
                        if write_ndjson:
                            handles[t].write(result.files[t])
                    for pid, data in result.bundles:
                        (bundle_tmp / f"{pid}.json").write_bytes(data)
                    advance(result.beneficiaries, sum(result.counts.values()))
            finally:
                for h in handles.values():
                    h.close()
        for t, p in tmp.items():
            if write_ndjson:
                p.replace(out / f"{t}{ext}")
        if bundles:
            bundle_tmp.replace(out / "bundles")
        _write_manifest(out, profile, opts, counts, ext if write_ndjson else None)
    except OSError as e:
        raise OutputError(f"writing {out} failed: {e.strerror or e}; nothing was left half-written "
                          "(partial files are named .partial-*)") from None
    except BaseException:
        for p in tmp.values():
            p.unlink(missing_ok=True)
        shutil.rmtree(bundle_tmp, ignore_errors=True)
        raise
    total = sum(counts.values())
    return (f"Wrote {opts.beneficiaries:,} beneficiaries ({counts['Patient']:,} Patient, {counts['Coverage']:,} "
            f"Coverage, {counts['ExplanationOfBenefit']:,} ExplanationOfBenefit; {total:,} resources) to {out}")


def _run(args: list[tuple], workers: int):
    """Shard outputs in shard order, from `workers` processes (or this one)."""
    if workers == 1:
        for a in args:
            yield generate_shard(*a)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # keep at most 2 shards per worker in flight: memory stays flat whatever the size
        pending = []
        it = iter(args)
        for a in it:
            pending.append(pool.submit(generate_shard, *a))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result: ShardOutput = pending.pop(0).result()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(generate_shard, *nxt))
            yield result


def _write_manifest(out: Path, profile, opts: GenerateOptions, counts: dict, ext: str | None) -> None:
    manifest = {
        "transactionTime": transaction_time(profile),
        "generator": {
            "version": __version__,
            "profile": profile.name if profile.source == profile.name else profile.source,
            "seed": opts.seed,
            "beneficiaries": opts.beneficiaries,
            "period": {"start": profile.period_start.isoformat(), "end": profile.period_end.isoformat()},
        },
        "output": [{"type": t, "url": f"{t}{ext}", "count": counts[t]} for t in RESOURCE_TYPES] if ext else [],
    }
    if opts.fmt in ("bundles", "both"):
        manifest["bundles"] = {"url": "bundles/", "count": counts["Patient"]}
    tmp = out / f"{TMP_PREFIX}manifest.json"
    tmp.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    tmp.replace(out / "manifest.json")


class _progress:
    """A rich progress bar on a terminal (beneficiaries, resources/s, ETA); nothing otherwise."""

    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total = enabled, total

    def __enter__(self):
        if not self.enabled:
            return lambda n, resources: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
        self.bar = Progress(TextColumn("generating"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("beneficiaries · {task.fields[rate]} resources/s"), TimeRemainingColumn(),
                            transient=True)
        self.bar.__enter__()
        self.task = self.bar.add_task("generate", total=self.total, rate="…")
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
