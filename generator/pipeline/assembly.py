"""The parent's side of generation: complete shard parts assembled into the dataset's NDJSON files in shard order.

In a local directory the parent appends complete parts to the `.partial-<Type>` files strictly in shard order
and deletes them, so the output's bytes never depend on which worker finished first, and disk and memory stay
flat; on an object store, which cannot append, it writes each file from all the parts in one pass at the end.
`run.json` in the parts directory is the resume marker: the run's inputs, how many shards are appended, and the
files' sizes at that point (a run killed mid-append is truncated back to them).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from dataset_contract import RESOURCE_TYPES
from generator.errors import OutputError
from generator.pipeline.storage import LOCAL, WRITE_BUFFER, LocalStore, UrlStore, join
from generator.pipeline.worker import done_path, part_path
from generator.rif.parts import merge_parquet, outputs as rif_outputs

TMP_PREFIX = ".partial-"
PARTS_DIR = TMP_PREFIX + "parts"
MARKER = "run.json"


def _resumed(marker: bytes, inputs: dict, out) -> dict:
    """The state saved by an interrupted run, if it was started with the same inputs."""
    state = json.loads(marker)
    if state["inputs"] != inputs:
        diff = ", ".join(f"{k} {state['inputs'].get(k)!r} (now {v!r})"
                         for k, v in inputs.items() if state["inputs"].get(k) != v)
        raise OutputError(f"cannot resume {out}: it was started with {diff}; rerun the original "
                          "command with --resume, or pass --force to start over")
    return state


def _fresh(inputs: dict) -> dict:
    return {"inputs": inputs, "appended": 0, "sizes": dict.fromkeys(RESOURCE_TYPES, 0),
            "counts": dict.fromkeys(RESOURCE_TYPES, 0)}


class _Parts:
    """What both assemblies share: the run's state (from the marker), the shards whose parts are complete, and the
    outputs: (part type, part extension, file name) of the files appended in shard order (NDJSON, RIF text) and
    of those written from all their parts at the end (RIF Parquet)."""

    store: LocalStore | UrlStore
    parts: str
    state: dict
    appended: list[tuple[str, str, str]]
    merged: list[tuple[str, str, str]]

    def _outputs(self, ext: str, ndjson: bool, rif: str | None) -> None:
        self.appended = [(t, ext, f"{t}{ext}") for t in RESOURCE_TYPES] if ndjson else []
        self.merged = []
        if rif:
            kind = self.appended if rif == "csv" else self.merged
            kind += [(part.rsplit(".", 1)[0], "." + part.rsplit(".", 1)[1], name) for part, name in rif_outputs(rif)]

    def _count(self, result: dict) -> None:
        rows = self.state.setdefault("rif", {})
        for name, n in result.get("rif", {}).items():
            rows[name] = rows.get(name, 0) + n

    @property
    def rif_rows(self) -> dict[str, int]:
        return self.state.get("rif", {})

    @property
    def counts(self) -> dict[str, int]:
        return self.state["counts"]

    def completed(self) -> dict[int, dict]:
        """Shards whose parts are complete but not yet assembled (found in the parts directory when resuming)."""
        found = {}
        for name in self.store.listing(self.parts):
            if name.endswith(".done"):
                result = json.loads(self.store.read(join(self.parts, name)))
                found[result["index"]] = result
        return found


class Assembly(_Parts):
    """The parent's side in a local directory: the resume marker, and complete shards appended to the output
    in order as they come (so disk use stays flat)."""

    def __init__(self, out: Path, inputs: dict, ext: str, ndjson: bool, resume: bool, rif: str | None = None):
        self.store, self.out, self.ext, self.ndjson = LOCAL, out, ext, ndjson
        self._outputs(ext, ndjson, rif)
        self.parts = str((out / PARTS_DIR).resolve())
        marker = Path(self.parts, MARKER)
        if resume and marker.exists():
            self.state = _resumed(marker.read_bytes(), inputs, out)
        else:
            Path(self.parts).mkdir(parents=True, exist_ok=True)
            self.state = _fresh(inputs)
            self._save()
        self.tmp = {t: out / f"{TMP_PREFIX}{t}{e}" for t, e, _ in self.appended}
        self.files = {}
        for t, p in self.tmp.items():
            p.touch()
            self.files[t] = open(p, "r+b")  # noqa: SIM115 (appended to across calls; `close` closes it)
            self.files[t].truncate(self.state["sizes"].setdefault(t, 0))
        kept = tuple(e for _, e, _ in self.merged)      # parts written out only at the end
        for p in Path(self.parts).iterdir():
            stale = p.name[:6].isdigit() and int(p.name[:6]) < self.state["appended"] and not p.name.endswith(kept)
            if stale or p.suffix == ".tmp":
                p.unlink()
        self.ready: dict[int, dict] = {}

    def add(self, result: dict) -> None:
        """A shard is complete: append it and every shard after it that is ready, in order."""
        self.ready[result["index"]] = result
        while self.state["appended"] in self.ready:
            k = self.state["appended"]
            done = self.ready.pop(k)
            for t, e, _ in self.appended:
                self.state["sizes"][t] = _append(self.files[t], self.state["sizes"][t], part_path(self.parts, k, t, e))
            for t in RESOURCE_TYPES:
                self.state["counts"][t] += done["counts"][t]
            self._count(done)
            self.state["appended"] = k + 1
            self._save()
            for t, e, _ in self.appended:
                os.unlink(part_path(self.parts, k, t, e))
            os.unlink(done_path(self.parts, k))

    def finish(self, shards: int) -> None:
        """Every shard is appended: give the files their final names and drop the parts."""
        assert self.state["appended"] == shards, (self.state["appended"], shards)
        self.close()
        for t, e, _ in self.merged:
            tmp = self.out / f"{TMP_PREFIX}{t}{e}"
            with open(tmp, "wb") as dst:
                merge_parquet(dst, (open(part_path(self.parts, k, t, e), "rb")  # noqa: SIM115 (merge closes each)
                                    for k in range(shards)))
            self.tmp[t] = tmp
        names = {t: name for t, _, name in self.appended + self.merged}
        for t, p in self.tmp.items():
            (self.out / names[t]).parent.mkdir(exist_ok=True)   # rif/
            p.replace(self.out / names[t])
        shutil.rmtree(self.parts)

    def close(self) -> None:
        for f in self.files.values():
            f.close()

    def _save(self) -> None:
        for f in getattr(self, "files", {}).values():
            f.flush()
        LOCAL.put(join(self.parts, MARKER), json.dumps(self.state).encode())


class DeferredAssembly(_Parts):
    """The parent's side on an object store, which cannot append: the parts stay until every shard is done,
    then each output file is written in one pass, in shard order (its object appears whole when closed)."""

    def __init__(self, store: UrlStore, out: str, inputs: dict, ext: str, ndjson: bool, resume: bool,
                 rif: str | None = None):
        self.store, self.out, self.ext, self.ndjson = store, out, ext, ndjson
        self._outputs(ext, ndjson, rif)
        self.parts = store.url(join(out, PARTS_DIR))
        marker = join(self.parts, MARKER)
        if resume and store.exists(marker):
            self.state = _resumed(store.read(marker), inputs, store.url(out))
        else:
            self.state = _fresh(inputs)
            store.put(marker, json.dumps(self.state).encode())
        self.done: dict[int, dict] = {}

    def add(self, result: dict) -> None:
        self.done[result["index"]] = result

    def finish(self, shards: int) -> None:
        """Every shard is done: write each output file from its parts in order, then drop the parts."""
        assert sorted(self.done) == list(range(shards)), (sorted(self.done), shards)
        fs = self.store.fs
        fs.invalidate_cache()       # the workers wrote the parts after this process last listed the store
        for t, e, name in self.appended:
            with self.store.create(join(self.out, name)) as dst:
                for k in range(shards):
                    with fs.open(part_path(self.parts, k, t, e), "rb") as src:
                        shutil.copyfileobj(src, dst, 8 * WRITE_BUFFER)
        for t, e, name in self.merged:
            with self.store.create(join(self.out, name)) as dst:
                merge_parquet(dst, (fs.open(part_path(self.parts, k, t, e), "rb") for k in range(shards)))
        for t in RESOURCE_TYPES:
            self.state["counts"][t] = sum(self.done[k]["counts"][t] for k in range(shards))
        self.state["rif"] = {}
        for k in range(shards):
            self._count(self.done[k])
        self.store.remove(self.parts)

    def close(self) -> None:
        pass


def _append(dst, size: int, src: str) -> int:
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
