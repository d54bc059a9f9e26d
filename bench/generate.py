"""Benchmark `medisynth generate` against the machine's floor for the same output.

Runs `medisynth generate -n N --workers W` (default-profile beneficiaries) in a subprocess and samples
the RSS of its whole process tree; prints wall time, beneficiaries/s, resources/s, MB/s, peak RSS,
the CPU time of all its processes, and when each quarter of the shards was appended (linear scaling
shows as even quarters). With --rif [csv|parquet], a second run also writes the RIF research files, and
the CPU they cost is printed (the difference of the two runs' CPU time). Then, unless --no-floor, the
floor: W processes that merely serialize (orjson) and write the same records (the same shards'
resources as plain dicts, built outside the timed sections), and the ratio floor/generate, by wall time
and by CPU time (the CPU ratio holds when other work shares the machine).

    .venv/bin/python bench/generate.py [-n 10000] [--workers 2] [--gzip] [--rif [csv|parquet]] [--no-floor] [--dir DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import orjson

from generator.pipeline.assembly import MARKER, PARTS_DIR
from generator.pipeline.shard import SHARD_SIZE
from generator.pipeline.storage import WRITE_BUFFER
from generator.pipeline.worker import collecting_rarely, part_writer

ROOT = Path(__file__).resolve().parent.parent   # the checkout: its .venv runs `medisynth generate`

FLOOR_CHUNK = 250       # beneficiaries held as plain dicts at once by a floor process


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return total


def run_generate(n: int, workers: int, gzip: bool, out: Path, rif: str | None = None) -> dict:
    cmd = [str(ROOT / ".venv/bin/medisynth"), "generate", "-n", str(n), "--workers", str(workers), "--out", str(out),
           "--quiet", "--force"] + (["--gzip"] if gzip else []) + (["--rif-format", rif] if rif else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, shards, quarters = 0, -(-n // SHARD_SIZE), {}
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        try:
            appended = json.loads((out / PARTS_DIR / MARKER).read_text())["appended"]
        except (OSError, ValueError):
            appended = 0
        for q in (1, 2, 3):
            if appended >= q * shards / 4 and q not in quarters:
                quarters[q] = time.perf_counter() - start
        time.sleep(0.2)
    wall = time.perf_counter() - start
    _, stderr = proc.communicate()
    if proc.returncode:
        sys.exit(f"generate failed: {stderr}")
    quarters[4] = wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    manifest = json.loads((out / "manifest.json").read_text())
    resources = sum(o["count"] for o in manifest["output"])
    written = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    rif = sum(p.stat().st_size for p in (out / "rif").iterdir()) if (out / "rif").is_dir() else 0
    return {"wall": wall, "cpu": cpu, "resources": resources, "written": written, "peak_rss": peak,
            "quarters": quarters, "rif_bytes": rif}


def _floor_worker(args) -> tuple[float, float, int]:
    """Serialize and write the records of some shards; returns (wall and CPU seconds in dumps+write, JSON bytes)."""
    shard_indexes, n, gzip, path = args
    from generator.profile import load_profile
    from generator.pipeline.shard import shard_resources
    profile = load_profile("default")
    timed, cpu, size = 0.0, 0.0, 0
    newline = orjson.OPT_APPEND_NEWLINE
    with part_writer(open(path, "wb", buffering=WRITE_BUFFER), gzip) as f, collecting_rarely():
        for k in shard_indexes:
            people = shard_resources(profile, 0, k, k * SHARD_SIZE, min(SHARD_SIZE, n - k * SHARD_SIZE))
            while True:
                chunk = [(orjson.loads(p), [orjson.loads(c) for c in cs], [orjson.loads(e) for e in es])
                         for _, p, cs, es in _take(people, FLOOR_CHUNK)]
                if not chunk:
                    break
                t, c = time.perf_counter(), time.process_time()
                for patient, coverages, eobs in chunk:
                    for resource in (patient, *coverages, *eobs):
                        data = orjson.dumps(resource, option=newline)
                        f.write(data)
                        size += len(data)
                timed += time.perf_counter() - t
                cpu += time.process_time() - c
    os.unlink(path)
    return timed, cpu, size


def _take(iterator, k: int) -> list:
    return [x for _, x in zip(range(k), iterator)]


def run_floor(n: int, workers: int, gzip: bool, directory: Path) -> tuple[float, float, int]:
    shards = list(range(-(-n // SHARD_SIZE)))
    jobs = [(shards[w::workers], n, gzip, str(directory / f"floor-{w}")) for w in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(_floor_worker, jobs))
    return max(t for t, _, _ in results), sum(c for _, c, _ in results), sum(s for _, _, s in results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--rif", nargs="?", const="csv", choices=("csv", "parquet"), default=None,
                    help="also time a run that writes the RIF files (default format csv) and print their CPU cost")
    ap.add_argument("--no-floor", action="store_true")
    ap.add_argument("--dir", type=Path, default=None, help="where to write (default: a temp dir under output/)")
    args = ap.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-", dir=args.dir or ROOT / "output"))
    try:
        r = run_generate(args.n, args.workers, args.gzip, directory / "ds")
        kind = "gzip" if args.gzip else "ndjson"
        print(f"generate: {args.n:,} beneficiaries, {args.workers} workers, {kind}, {os.cpu_count()} cores")
        print(f"  wall {r['wall']:.1f} s · {args.n / r['wall']:,.0f} beneficiaries/s · "
              f"{r['resources'] / r['wall']:,.0f} resources/s ({r['resources']:,}) · "
              f"{r['written'] / r['wall'] / 1e6:,.1f} MB/s written ({r['written'] / 1e6:,.0f} MB) · "
              f"peak RSS {r['peak_rss'] / 2**20:,.0f} MiB (all processes)")
        print(f"  CPU {r['cpu']:.1f} s (all processes) = {r['cpu'] / args.n * 1000:.2f} ms per beneficiary; "
              f"{args.n / r['cpu'] * args.workers:,.0f} beneficiaries/s on {args.workers} uncontended cores")
        print("  quarters of the shards appended at " + " / ".join(f"{r['quarters'].get(q, float('nan')):.1f}"
                                                                    for q in (1, 2, 3, 4)) + " s")
        shutil.rmtree(directory / "ds")
        if args.rif:
            with_rif = run_generate(args.n, args.workers, args.gzip, directory / "ds", args.rif)
            extra = with_rif["cpu"] - r["cpu"]
            print(f"--rif-format {args.rif}: wall {with_rif['wall']:.1f} s, CPU {with_rif['cpu']:.1f} s: "
                  f"+{extra:.1f} s CPU (+{extra / r['cpu']:.0%}) = {extra / args.n * 1000:.2f} ms per beneficiary; "
                  f"{with_rif['rif_bytes'] / 1e6:,.0f} MB of RIF files")
            shutil.rmtree(directory / "ds")
        if args.no_floor:
            return
        floor, floor_cpu, size = run_floor(args.n, args.workers, args.gzip, directory)
        print(f"floor: {args.workers} processes orjson-serialize and write the same records "
              f"({size / 1e6:,.0f} MB of JSON) in {floor:.1f} s wall, {floor_cpu:.1f} s CPU")
        print(f"  ratio floor/generate = {floor / r['wall']:.2f} (wall), {floor_cpu / r['cpu']:.2f} (CPU)")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
