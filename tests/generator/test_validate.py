"""`medisynth validate`: generated data validates clean; every planted defect is caught at its line."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.fhir.read import npi_values, parse_date
from dataset_contract import CLAIM_TYPES
from generator.quality.validate import validate_dataset
from tests.conftest import ROOT, generate_dataset

BAR_BENEFICIARIES = 300


@pytest.fixture(scope="module")
def bar_dataset(tmp_path_factory) -> Path:
    return generate_dataset(tmp_path_factory.mktemp("bar") / "data", beneficiaries=BAR_BENEFICIARIES, seed=3)


def test_generated_dataset_validates_clean(bar_dataset):
    report = validate_dataset(bar_dataset, workers=2)
    assert report.ok, report.render()
    assert report.resources["Patient"] == BAR_BENEFICIARIES
    assert report.resources["Coverage"] == 4 * BAR_BENEFICIARIES
    assert all(report.claim_types[t] > 0 for t in CLAIM_TYPES), report.claim_types
    assert report.patients_with_claims >= 0.8 * BAR_BENEFICIARIES
    assert report.warnings == []
    assert "OK: no problems found." in report.render()


@pytest.fixture(scope="module")
def tiny_gzip(tmp_path_factory) -> Path:
    return generate_dataset(tmp_path_factory.mktemp("tiny") / "data", beneficiaries=5, seed=11, gzip=True)


def test_gzip_dataset_in_one_process_validates_clean(tiny_gzip):
    report = validate_dataset(tiny_gzip, workers=1)
    assert report.ok, report.render()
    assert report.resources["Patient"] == 5


# --- planted defects --------------------------------------------------------------------------------

def _read(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _edit(lines: list[bytes], index: int, change) -> int:
    """Apply change(resource dict) to lines[index]; returns the 1-based line number."""
    res = json.loads(lines[index])
    change(res)
    lines[index] = json.dumps(res, separators=(",", ":")).encode() + b"\n"
    return index + 1


def _first(lines: list[bytes], test, skip=()) -> int:
    return next(i for i, raw in enumerate(lines) if i not in skip and test(json.loads(raw)))


def _last_service(eob: dict):
    return parse_date(eob["billablePeriod"]["end"])


def _set_death(day: str):
    def change(p):
        p.pop("deceasedBoolean", None)
        p["deceasedDateTime"] = day
    return change


def _bad_npi(eob):
    _where, value = next(npi_values(eob))
    bad = value[:9] + str((int(value[9]) + 1) % 10)
    text = json.dumps(eob).replace(f'"{value}"', f'"{bad}"')
    eob.clear()
    eob.update(json.loads(text))


@pytest.fixture(scope="module")
def planted(dataset_dir, tmp_path_factory):
    """A copy of the shared small dataset with one defect of each kind; returns (dir, {kind: (file, line)})."""
    out = tmp_path_factory.mktemp("planted") / "data"
    shutil.copytree(dataset_dir, out)
    patients, eobs = _read(out / "Patient.ndjson"), _read(out / "ExplanationOfBenefit.ndjson")
    original = list(eobs)
    manifest = json.loads((out / "manifest.json").read_text())
    start, end = manifest["generator"]["period"]["start"], manifest["generator"]["period"]["end"]
    used: set[int] = set()
    where = {}

    def plant_eob(kind, test, change):
        i = _first(eobs, test, used)
        used.add(i)
        where[kind] = ("ExplanationOfBenefit.ndjson", _edit(eobs, i, change))
        return i

    where["mbi"] = ("Patient.ndjson", _edit(patients, 0, lambda p: [
        i.update(value="1EG4TE5MK73") for i in p["identifier"] if i["system"].endswith("us-mbi")]))
    plant_eob("npi", lambda e: any(True for _ in npi_values(e)), _bad_npi)
    plant_eob("dangling-reference", lambda e: True, lambda e: e.update(patient={"reference": "Patient/-999"}))
    twin = _first(eobs, lambda e: True, used)
    used.add(twin)
    twin_id = json.loads(eobs[twin])["id"]
    plant_eob("duplicate-id", lambda e: e["id"] != twin_id, lambda e: e.update(id=twin_id))
    plant_eob("payment", lambda e: "amount" in e.get("payment", {}),
              lambda e: e["payment"]["amount"].update(value=10_000_000.0))
    plant_eob("fhir", lambda e: True, lambda e: e.update(colour="blue"))
    plant_eob("id-format", lambda e: True, lambda e: e.update(id="bogus-" + e["id"]))
    i = _first(eobs, lambda e: True, used)
    used.add(i)
    eobs[i] = eobs[i][: len(eobs[i]) // 2] + b"\n"
    where["json"] = ("ExplanationOfBenefit.ndjson", i + 1)
    # a claim after death: a patient none of the other defects touch dies on the period's first day;
    # their first claim after that day is the first one reported
    touched = {json.loads(original[i])["patient"]["reference"] for i in used}
    touched.add("Patient/" + json.loads(patients[0])["id"])
    late = _first(eobs, lambda e: e["patient"]["reference"] not in touched and _last_service(e) > parse_date(start),
                  used)
    pid = json.loads(eobs[late])["patient"]["reference"].split("/", 1)[1]
    _edit(patients, _first(patients, lambda p: p["id"] == pid), _set_death(start))
    where["after-death"] = ("ExplanationOfBenefit.ndjson", late + 1)
    coverage = _read(out / "Coverage.ndjson")
    where["period-order"] = ("Coverage.ndjson", _edit(coverage, 0, lambda c: c.update(
        period={"start": "2025-06-01", "end": "2025-05-01"})))
    # a claim before its coverage starts: another untouched patient's coverage starts on the period's last day
    touched.add(f"Patient/{pid}")
    early = _first(eobs, lambda e: e["patient"]["reference"] not in touched and e["billablePeriod"]["start"] < end,
                   used)
    coverage_id = json.loads(eobs[early])["insurance"][0]["coverage"]["reference"].split("/", 1)[1]
    _edit(coverage, _first(coverage, lambda c: c["id"] == coverage_id), lambda c: c.update(period={"start": end}))
    where["outside-enrollment"] = ("ExplanationOfBenefit.ndjson", early + 1)
    manifest["output"][0]["count"] += 1       # Patient count off by one
    where["manifest"] = ("manifest.json", 0)

    (out / "Patient.ndjson").write_bytes(b"".join(patients))
    (out / "Coverage.ndjson").write_bytes(b"".join(coverage))
    (out / "ExplanationOfBenefit.ndjson").write_bytes(b"".join(eobs))
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out, where


@pytest.fixture(scope="module")
def planted_report(planted):
    return validate_dataset(planted[0], workers=2)


def test_every_planted_defect_is_caught_at_its_line(planted, planted_report):
    _out, where = planted
    report = planted_report
    assert not report.ok
    for kind, (file, line) in where.items():
        assert kind in report.problem_counts, f"{kind} not caught:\n{report.render()}"
        assert any(ex[0] == file and ex[1] == line for ex in report.examples[kind]), (kind, report.examples[kind])
    assert set(report.problem_counts) == set(where), report.render()


def test_report_names_kind_file_line_and_id(planted, planted_report):
    out, _where = planted
    text = planted_report.render()
    assert "FAILED:" in text and "mbi (1): MBI missing or not synthetic" in text
    first_id = json.loads((out / "Patient.ndjson").read_text().splitlines()[0])["id"]
    assert f"Patient.ndjson:1  {first_id}  MBI '1EG4TE5MK73' is not a synthetic MBI" in text


def _cli_validate(directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "validate", str(directory)], capture_output=True,
                          text=True, cwd=ROOT)


def test_cli_exit_codes(tiny_gzip, tmp_path):
    run = _cli_validate(tiny_gzip)
    assert run.returncode == 0 and "OK: no problems found." in run.stdout
    broken = tmp_path / "broken"
    shutil.copytree(tiny_gzip, broken)
    manifest = json.loads((broken / "manifest.json").read_text())
    manifest["output"][2]["count"] += 1
    (broken / "manifest.json").write_text(json.dumps(manifest))
    run = _cli_validate(broken)
    assert run.returncode == 1
    assert "manifest (1): manifest does not match the files" in run.stdout


def test_not_a_dataset_is_one_line_error(tmp_path):
    run = _cli_validate(tmp_path)
    assert run.returncode == 1
    assert run.stderr.strip() == (f"Error: {tmp_path} is not a dataset: no manifest.json "
                                  "(write one with `medisynth generate`)")
