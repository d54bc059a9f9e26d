"""Reading a dataset directory: its manifest, which file holds each resource type, and their lines.

Lines stream one at a time (memory stays flat however large the dataset); a gzip file is read through
gzip. Every failure is a `DatasetError` that names the directory or file.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import DatasetError
from .manifest import Manifest
from .names import MANIFEST_NAME, NDJSON_SUFFIXES, RESOURCE_TYPES

__all__ = ["Dataset", "DatasetError", "ndjson_lines", "open_dataset", "read_manifest", "resource_file"]


def read_manifest(directory: str | Path) -> Manifest:
    """The manifest of the dataset in `directory` (DatasetError when there is none or it is not JSON)."""
    directory = Path(directory)
    path = directory / MANIFEST_NAME
    if not directory.is_dir():
        raise DatasetError(f"{directory} is not a dataset: no such directory (give a directory written by "
                           "`medisynth generate`)")
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise DatasetError(f"{directory} is not a dataset: no {MANIFEST_NAME} (write one with "
                           "`medisynth generate`)") from None
    except (OSError, ValueError) as e:
        raise DatasetError(f"{path}: unreadable ({e})") from None
    return Manifest.from_json(data, str(path))


def resource_file(directory: str | Path, resource_type: str) -> Path | None:
    """The file holding a resource type (`<Type>.ndjson`, else `<Type>.ndjson.gz`; a pipe will do), or None."""
    for suffix in NDJSON_SUFFIXES:
        path = Path(directory) / f"{resource_type}{suffix}"
        if path.exists() and not path.is_dir():
            return path
    return None


def ndjson_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, line without its line break) for every non-blank line of an NDJSON(.gz) file."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    yield number, line.rstrip(b"\r\n")
    except (OSError, EOFError, zlib.error) as e:  # gzip: a truncated or corrupt stream
        raise DatasetError(f"{path}: cannot be read ({e})") from None


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset directory: its manifest, the files present (by resource type) and its generated period."""
    directory: Path
    manifest: Manifest
    files: dict[str, Path]
    period_start: dt.date
    period_end: dt.date

    def lines(self, resource_type: str) -> Iterator[tuple[int, bytes]]:
        """`ndjson_lines` of one resource type's file (nothing when the dataset has none)."""
        path = self.files.get(resource_type)
        return ndjson_lines(path) if path is not None else iter(())


def open_dataset(directory: str | Path, required: tuple[str, ...] = RESOURCE_TYPES) -> Dataset:
    """The dataset in `directory`: its manifest (with the generator's period) and its files, every type in
    `required` present (DatasetError naming what is missing)."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    settings = manifest.settings()
    files = {t: path for t in RESOURCE_TYPES if (path := resource_file(directory, t)) is not None}
    for resource_type in required:
        if resource_type not in files:
            raise DatasetError(f"{directory} is not a dataset: {resource_type}.ndjson(.gz) is missing")
    return Dataset(directory=directory, manifest=manifest, files=files, period_start=settings.period_start,
                   period_end=settings.period_end)
