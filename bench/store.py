"""Benchmark the store beside the generator: generate, load and store size for one dataset, in one run.

Runs `medisynth generate -n N` (default profile, NDJSON unless --gzip), then `medisynth load` of that
dataset into a fresh store, each in a subprocess, and prints side by side: wall and CPU time of each,
beneficiaries/s, load/generate time, and the store's bytes on disk per beneficiary (with the NDJSON's).

    .venv/bin/python bench/store.py [-n 3000] [--workers 2] [--gzip] [--dir DIR]
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent   # the checkout whose cli.py runs (so `main` can be measured too)
MEDISYNTH = [sys.executable, str(ROOT / "cli.py")]


def timed(cmd: list[str]) -> tuple[float, float]:
    """Run `cmd`; its wall and CPU seconds (all its processes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"{cmd[2]} failed: {done.stderr or done.stdout}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def store_bytes(db: Path) -> int:
    """The store's size on disk: the file and any WAL or shared-memory file beside it."""
    return sum(p.stat().st_blocks * 512 for p in db.parent.glob(db.name + "*"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=3000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--dir", type=Path, default=None, help="where to write (default: a temp dir under output/)")
    args = ap.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-store-", dir=args.dir or ROOT / "output"))
    data, db = directory / "ds", directory / "store.db"
    try:
        gen = timed([*MEDISYNTH, "generate", "-n", str(args.n), "--workers", str(args.workers), "--out", str(data),
                     "--quiet"] + (["--gzip"] if args.gzip else []))
        dataset = sum(p.stat().st_size for p in data.iterdir() if p.is_file())
        load = timed([*MEDISYNTH, "load", str(data), "--db", str(db)])
        size = store_bytes(db)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    kind = "NDJSON.gz" if args.gzip else "NDJSON"
    print(f"store: {args.n:,} default-profile beneficiaries, generate --workers {args.workers} ({kind}), then load")
    for name, (wall, cpu) in (("generate", gen), ("load", load)):
        print(f"  {name:9s} wall {wall:6.1f} s   CPU {cpu:6.1f} s   {args.n / wall:7,.0f} beneficiaries/s")
    print(f"  load/generate: {load[0] / gen[0]:.2f} (wall), {load[1] / gen[1]:.2f} (CPU)")
    print(f"  store {size / 1e6:,.1f} MB = {size / args.n / 1e3:,.1f} KB per beneficiary "
          f"(dataset {dataset / args.n / 1e3:,.1f} KB per beneficiary as {kind})")


if __name__ == "__main__":
    main()
