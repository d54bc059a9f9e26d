"""`manifest.json` as typed records: what was generated (the generator's settings) and which files hold it.

Shape (Bulk Data manifest style, `url` relative to the directory, dates ISO `YYYY-MM-DD`):

    {"transactionTime": "2026-01-14T00:00:00.000+00:00",
     "generator": {"version", "profile", "seed", "beneficiaries", "period": {"start", "end"},
                   "shard_size", "profile_hash"},
     "output": [{"type": "Patient", "url": "Patient.ndjson", "count": 1000}, …],
     "bundles": {"url": "bundles/", "count": 1000}}          (only with per-patient bundles)

`shard_size` and `profile_hash` (sha256 of the profile's content) say exactly how the people were drawn, so a
tool that replays the generation (`medisynth advance`) can refuse a dataset it would not reproduce.
Reading is lenient where readers need only part of it (a loader needs the counts); `Manifest.settings()`
checks the generator section strictly for those who replay it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .errors import DatasetError
from .names import BUNDLES_DIR


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One NDJSON file of the dataset: its resource type, its name in the directory, how many resources."""
    type: str
    url: str
    count: int | None


@dataclass(frozen=True, slots=True)
class GeneratorSettings:
    """The inputs that decide a dataset's bytes (with `shard_size` and `profile_hash`, all of them)."""
    version: str
    profile: str                    # a built-in profile's name, or the path of the YAML file
    seed: int
    beneficiaries: int
    period_start: dt.date
    period_end: dt.date
    shard_size: int | None = None   # None: a dataset written before the manifest recorded it
    profile_hash: str | None = None  # "sha256:<hex>" of the profile's content; None as for shard_size

    def to_json(self) -> dict[str, Any]:
        about: dict[str, Any] = {"version": self.version, "profile": self.profile, "seed": self.seed,
                                 "beneficiaries": self.beneficiaries,
                                 "period": {"start": self.period_start.isoformat(), "end": self.period_end.isoformat()}}
        if self.shard_size is not None:
            about["shard_size"] = self.shard_size
        if self.profile_hash is not None:
            about["profile_hash"] = self.profile_hash
        return about

    @classmethod
    def from_json(cls, about: Any, where: str) -> GeneratorSettings:
        if not isinstance(about, dict):
            raise DatasetError(f"{where}: no generator section (not written by `medisynth generate`)")
        period = about.get("period")
        try:
            if not isinstance(period, dict):
                raise TypeError
            start, end = dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])
        except (KeyError, TypeError, ValueError):
            raise DatasetError(f"{where}: generator.period needs start and end dates (YYYY-MM-DD)") from None

        def field(key: str, kind: type, required: bool = True) -> Any:
            value = about.get(key)
            if (value is None and required) or (value is not None and not _is(value, kind)):
                raise DatasetError(f"{where}: generator.{key} is {value!r}, not a{'n' if kind is int else ''} "
                                   f"{'integer' if kind is int else 'text'}")
            return value

        return cls(version=field("version", str), profile=field("profile", str), seed=field("seed", int),
                   beneficiaries=field("beneficiaries", int), period_start=start, period_end=end,
                   shard_size=field("shard_size", int, False), profile_hash=field("profile_hash", str, False))


def _is(value: Any, kind: type) -> bool:
    return isinstance(value, kind) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Manifest:
    """A dataset's manifest. `generator` is the raw generator section ({} when absent): `settings()` checks it."""
    transaction_time: str | None
    generator: dict[str, Any]
    output: tuple[OutputFile, ...]
    bundles: int | None             # how many per-patient bundles, None when the dataset has none
    where: str = "manifest.json"   # the file it was read from, for messages

    def count(self, resource_type: str) -> int | None:
        """The resource count the manifest gives for a type (None when it lists no count for it)."""
        return next((entry.count for entry in self.output if entry.type == resource_type), None)

    def entry(self, resource_type: str) -> OutputFile | None:
        return next((entry for entry in self.output if entry.type == resource_type), None)

    def settings(self) -> GeneratorSettings:
        """The generator's settings, checked (DatasetError naming the bad key)."""
        return GeneratorSettings.from_json(self.generator or None, self.where)

    @property
    def profile(self) -> str:
        """The profile the dataset was generated from ("default" when the manifest does not say)."""
        return str(self.generator.get("profile", "default"))

    def to_json(self) -> dict[str, Any]:
        manifest: dict[str, Any] = {"transactionTime": self.transaction_time, "generator": self.generator,
                                    "output": [{"type": o.type, "url": o.url, "count": o.count} for o in self.output]}
        if self.bundles is not None:
            manifest["bundles"] = {"url": BUNDLES_DIR + "/", "count": self.bundles}
        return manifest

    @classmethod
    def from_json(cls, data: Any, where: str) -> Manifest:
        """A manifest from its parsed JSON (DatasetError when it is not a JSON object)."""
        if not isinstance(data, dict):
            raise DatasetError(f"{where}: not a dataset manifest (expected a JSON object)")
        output = tuple(OutputFile(type=entry["type"], url=str(entry.get("url", "")),
                                  count=entry["count"] if _is(entry.get("count"), int) else None)
                       for entry in data.get("output") or () if isinstance(entry, dict)
                       and isinstance(entry.get("type"), str))
        bundles = data.get("bundles")
        count = bundles.get("count") if isinstance(bundles, dict) else None
        generator = data.get("generator")
        return cls(transaction_time=data.get("transactionTime"), generator=generator if isinstance(generator, dict)
                   else {}, output=output, bundles=count if _is(count, int) else None, where=where)
