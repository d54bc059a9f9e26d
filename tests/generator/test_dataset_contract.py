"""The dataset contract (dataset_contract/): names, the manifest as typed records, the readers, one error."""
from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest

from dataset_contract import (CLAIM_TYPES, DatasetError, GeneratorSettings, Manifest, OutputFile, eob_id,
                              ndjson_lines, ndjson_name, open_dataset, read_manifest, resource_file, split_eob_id)
from generator.claim_types import TYPES

SETTINGS = GeneratorSettings(version="0.1.0", profile="default", seed=3, beneficiaries=10,
                             period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31), shard_size=1000,
                             profile_hash="sha256:ab")


def write_dataset(directory, manifest: dict, patients: bytes = b'{"resourceType":"Patient","id":"-1"}\n'):
    directory.mkdir(exist_ok=True)
    (directory / "manifest.json").write_text(json.dumps(manifest))
    (directory / "Patient.ndjson").write_bytes(patients)
    return directory


def test_the_claim_type_list_is_the_registrys():
    assert tuple(TYPES) == CLAIM_TYPES


def test_names_and_ids():
    assert ndjson_name("Coverage") == "Coverage.ndjson" and ndjson_name("Coverage", gzip=True) == "Coverage.ndjson.gz"
    assert eob_id("pde", "-40000000000001") == "pde--40000000000001"
    assert split_eob_id("pde--40000000000001") == ("pde", "-40000000000001")
    assert split_eob_id("nosuch--1") is None and split_eob_id("carrier") is None


def test_a_manifest_round_trips_through_its_json():
    manifest = Manifest(transaction_time="2026-01-14T00:00:00.000+00:00", generator=SETTINGS.to_json(),
                        output=(OutputFile("Patient", "Patient.ndjson", 10),), bundles=10)
    again = Manifest.from_json(json.loads(json.dumps(manifest.to_json())), "m")
    assert again.settings() == SETTINGS and again.count("Patient") == 10 and again.count("Coverage") is None
    assert again.to_json() == manifest.to_json()
    assert list(manifest.to_json()) == ["transactionTime", "generator", "output", "bundles"]


def test_an_older_manifest_reads_without_shard_size_and_hash():
    about = {k: v for k, v in SETTINGS.to_json().items() if k not in ("shard_size", "profile_hash")}
    settings = Manifest.from_json({"generator": about}, "m").settings()
    assert settings.shard_size is None and settings.profile_hash is None and settings.seed == 3


@pytest.mark.parametrize("generator, message", [
    (None, "m: no generator section"),
    ({**SETTINGS.to_json(), "period": {"start": "2025-01-01"}}, "generator.period needs start and end dates"),
    ({**SETTINGS.to_json(), "seed": "3"}, "generator.seed is '3', not an integer"),
    ({**SETTINGS.to_json(), "shard_size": True}, "generator.shard_size is True, not an integer"),
])
def test_bad_generator_settings_are_named(generator, message):
    manifest = Manifest.from_json({} if generator is None else {"generator": generator}, "m")
    with pytest.raises(DatasetError, match=message):
        manifest.settings()


def test_loaders_read_only_the_counts_they_need():
    manifest = Manifest.from_json({"output": [{"type": "Patient", "count": "x"}, "junk", {"type": "Coverage",
                                                                                         "count": 4}]}, "m")
    assert manifest.count("Patient") is None and manifest.count("Coverage") == 4 and manifest.profile == "default"
    with pytest.raises(DatasetError, match="not a dataset manifest"):
        Manifest.from_json([], "m")


def test_not_a_dataset_is_one_error_naming_the_directory(tmp_path):
    with pytest.raises(DatasetError, match=f"{tmp_path / 'nope'} is not a dataset: no such directory"):
        read_manifest(tmp_path / "nope")
    with pytest.raises(DatasetError, match=f"{tmp_path} is not a dataset: no manifest.json"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("{")
    with pytest.raises(DatasetError, match=r"manifest\.json: unreadable"):
        read_manifest(tmp_path)
    write_dataset(tmp_path, {"generator": SETTINGS.to_json()})
    with pytest.raises(DatasetError, match=r"Coverage\.ndjson\(\.gz\) is missing"):
        open_dataset(tmp_path)
    dataset = open_dataset(tmp_path, required=("Patient",))
    assert dataset.period_end == dt.date(2025, 12, 31) and set(dataset.files) == {"Patient"}


def test_ndjson_lines_number_lines_skip_blanks_and_read_gzip(tmp_path):
    plain = tmp_path / "Patient.ndjson"
    plain.write_bytes(b'{"a":1}\r\n\n  \n{"b":2}')
    assert list(ndjson_lines(plain)) == [(1, b'{"a":1}'), (4, b'{"b":2}')]
    packed = tmp_path / "Coverage.ndjson.gz"
    packed.write_bytes(gzip.compress(b'{"c":3}\n'))
    assert resource_file(tmp_path, "Coverage") == packed and list(ndjson_lines(packed)) == [(1, b'{"c":3}')]
    packed.write_bytes(gzip.compress(b'{"c":3}\n' * 1000)[:40])
    with pytest.raises(DatasetError, match=r"Coverage\.ndjson\.gz: cannot be read"):
        list(ndjson_lines(packed))
