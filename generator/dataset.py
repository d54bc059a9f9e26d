"""Read a generated dataset directory (manifest + NDJSON files) line by line, for generator-side tools.

`validate` and `stats` stream every resource through this reader so memory stays flat however large
the dataset is. A dataset is `manifest.json` plus `Patient`, `Coverage` and `ExplanationOfBenefit`
as `.ndjson` or `.ndjson.gz` (the dataset contract in shared/ARCHITECTURE.md).
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from generator.errors import DatasetError

RESOURCE_TYPES = ("Patient", "Coverage", "ExplanationOfBenefit")
"""In reading order: people first, so claims can be checked against them."""


@dataclass(frozen=True)
class Dataset:
    directory: Path
    manifest: dict
    files: dict[str, Path]      # resource type -> its NDJSON(.gz) file (only types present)
    period_start: dt.date
    period_end: dt.date

    @property
    def profile(self) -> str:
        return str(self.manifest.get("generator", {}).get("profile", "default"))

    def manifest_count(self, resource_type: str) -> int | None:
        for entry in self.manifest.get("output", []):
            if entry.get("type") == resource_type:
                return entry.get("count")
        return None

    def lines(self, resource_type: str) -> Iterator[tuple[int, bytes]]:
        """(1-based line number, raw line) for every non-blank line of one resource file."""
        path = self.files.get(resource_type)
        if path is None:
            return
        opener = gzip.open if path.name.endswith(".gz") else open
        try:
            with opener(path, "rb") as fh:
                for number, line in enumerate(fh, start=1):
                    if line.strip():
                        yield number, line
        except (OSError, EOFError) as e:
            raise DatasetError(f"{path}: cannot be read ({e})") from None


def open_dataset(directory: str | Path) -> Dataset:
    """Check that `directory` looks like a dataset and read its manifest (DatasetError if not)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DatasetError(f"{directory}: no such directory (give a directory written by `medisynth generate`)")
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"{directory}: no manifest.json (not a medisynth dataset)") from None
    except (OSError, ValueError) as e:
        raise DatasetError(f"{manifest_path}: unreadable ({e})") from None
    if not isinstance(manifest, dict):
        raise DatasetError(f"{manifest_path}: must hold a JSON object")
    period = manifest.get("generator", {}).get("period", {})
    try:
        start, end = dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])
    except (KeyError, TypeError, ValueError):
        raise DatasetError(f"{manifest_path}: generator.period needs start and end dates (YYYY-MM-DD)") from None
    files = {}
    for resource_type in RESOURCE_TYPES:
        for suffix in (".ndjson", ".ndjson.gz"):
            path = directory / f"{resource_type}{suffix}"
            if path.is_file():
                files[resource_type] = path
                break
    if "Patient" not in files:
        raise DatasetError(f"{directory}: no Patient.ndjson or Patient.ndjson.gz")
    return Dataset(directory=directory, manifest=manifest, files=files, period_start=start, period_end=end)
