"""A dataset's destination: a local directory or an fsspec URL, prepared, assembled into, and published.

`generate` asks a target to check it may write there (`prepare`), for the assembly that puts the
shards' parts together (output.Assembly appends locally as shards finish; output.DeferredAssembly
writes each file in one pass on an object store), where workers put per-patient bundles, and to
write the manifest, always last.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from generator.errors import OutputError, UserError
from dataset_contract import BUNDLES_DIR, MANIFEST_NAME, NDJSON_SUFFIXES, RESOURCE_TYPES
from generator.pipeline.assembly import MARKER, PARTS_DIR, TMP_PREFIX, Assembly, DeferredAssembly
from generator.pipeline.storage import UrlStore, describe, is_url, join, local_path
from generator.rif import RIF_DIR

DATASET_NAMES = [t + suffix for t in RESOURCE_TYPES for suffix in NDJSON_SUFFIXES] + [MANIFEST_NAME, BUNDLES_DIR,
                                                                                     RIF_DIR]


def target_for(location: str | Path) -> LocalTarget | UrlTarget:
    return UrlTarget(str(location)) if is_url(location) else LocalTarget(local_path(location))


def _clear_first(where, resuming: bool, has_marker: bool, not_empty: bool, force: bool) -> bool:
    """Whether to clear the destination first; raises when it may not be written to."""
    if resuming and not has_marker and not_empty:
        raise OutputError(f"nothing to resume in {where} (no interrupted run there): drop --resume")
    if resuming or not not_empty:
        return False
    if not force:
        hint = "pass --resume to finish the interrupted run there, " if has_marker else ""
        raise OutputError(f"{where} is not empty: {hint}pass --force to overwrite its dataset, or choose another --out")
    return True


class LocalTarget:
    """A directory on this machine."""

    errors = (OSError,)         # what writing here may raise that the user can act on

    def __init__(self, out: Path):
        self.out = out

    def __str__(self) -> str:
        return str(self.out)

    def prepare(self, force: bool, resume: bool) -> None:
        out = self.out
        if out.exists() and not out.is_dir():
            raise OutputError(f"{out} exists and is not a directory: choose another --out")
        not_empty = out.exists() and any(out.iterdir())
        if _clear_first(out, resume, (out / PARTS_DIR / MARKER).exists(), not_empty, force):
            for p in [out / n for n in DATASET_NAMES] + list(out.glob(TMP_PREFIX + "*")):
                if p.is_dir():
                    shutil.rmtree(p)
                elif p.exists():
                    p.unlink()
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create {out}: {e.strerror}") from None

    def assembly(self, inputs: dict, ext: str, ndjson: bool, resume: bool, rif: str | None = None) -> Assembly:
        return Assembly(self.out, inputs, ext, ndjson, resume, rif)

    def bundles(self) -> str:
        """Where workers write bundles: a temporary directory, renamed by `publish_bundles`."""
        tmp = self.out / f"{TMP_PREFIX}bundles"
        tmp.mkdir(exist_ok=True)
        return str(tmp.resolve())

    def publish_bundles(self) -> None:
        tmp = self.out / f"{TMP_PREFIX}bundles"
        if tmp.exists():
            tmp.replace(self.out / "bundles")

    def put(self, name: str, data: bytes) -> None:
        tmp = self.out / f"{TMP_PREFIX}{name}"
        tmp.write_bytes(data)
        tmp.replace(self.out / name)


class UrlTarget:
    """A location on an fsspec filesystem (s3://bucket/prefix …), which every worker must be able to reach."""

    errors = (Exception,)       # filesystem libraries raise their own errors (credentials, connection …)

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.store = UrlStore(self.url)
        self.root = self.store.root.rstrip("/")

    def __str__(self) -> str:
        return self.url

    def prepare(self, force: bool, resume: bool) -> None:
        try:
            names = self.store.listing(self.root)
            has_marker = self.store.exists(join(join(self.root, PARTS_DIR), MARKER))
            if _clear_first(self.url, resume, has_marker, bool(names), force):
                for name in names:
                    if name in DATASET_NAMES or name.startswith(TMP_PREFIX):
                        self.store.remove(join(self.root, name))
        except UserError:
            raise
        except Exception as e:
            raise OutputError(f"cannot write to {self.url}: {describe(e)}") from None

    def assembly(self, inputs: dict, ext: str, ndjson: bool, resume: bool,
                 rif: str | None = None) -> DeferredAssembly:
        return DeferredAssembly(self.store, self.root, inputs, ext, ndjson, resume, rif)

    def bundles(self) -> str:
        """Workers write each bundle under its final name: an object appears whole or not at all."""
        return self.store.url(join(self.root, "bundles"))

    def publish_bundles(self) -> None:
        pass

    def put(self, name: str, data: bytes) -> None:
        self.store.put(join(self.root, name), data)
