"""`medisynth stats`: exact numbers on a hand-made population (clones of generated lines), the CCW rule,
and the report's shape on a generated dataset."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dataset_contract.systems import BB_VARIABLES
from generator.fhir.read import eob_type
from generator.profile import CONDITIONS, UTILIZATION, load_profile
from dataset_contract import CLAIM_TYPES
from generator.quality.stats import dataset_stats
from tests.conftest import ROOT

# id, gender, birth date, death date, dual code, ESRD
PEOPLE = (
    ("-1", "female", "1950-06-01", None, "NA", "0"),
    ("-2", "female", "1965-06-01", None, "02", "0"),
    ("-3", "male", "1940-01-01", None, "NA", "Y"),
    ("-4", "male", "1930-01-01", "2025-06-15", "NA", "0"),
)
# patient, claim type, service date, diagnosis code
CLAIMS = (
    ("-1", "carrier", "2025-03-01", "I10"),      # hypertension: two professional claims, two dates
    ("-1", "carrier", "2025-04-01", "I10"),
    ("-2", "carrier", "2025-03-01", "I10"),      # one professional claim: not enough
    ("-2", "carrier", "2025-05-01", "E785"),     # hyperlipidemia twice on one date: not enough
    ("-2", "carrier", "2025-05-01", "E785"),
    ("-3", "inpatient", "2025-05-01", "E119"),   # diabetes: one institutional claim is enough
    ("-4", "outpatient", "2025-02-01", "I10"),
)


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _set_monthly(resource: dict, prefix: str, code: str) -> None:
    for ext in resource.get("extension", []):
        url = ext["url"]
        if url.startswith(BB_VARIABLES + prefix) and url[len(BB_VARIABLES + prefix):].isdigit():
            ext["valueCoding"]["code"] = code


def _set_extension(resource: dict, variable: str, code: str) -> None:
    for ext in resource.get("extension", []):
        if ext["url"] == BB_VARIABLES + variable:
            ext["valueCoding"]["code"] = code


def _person(template: dict, pid, gender, birth, death, dual) -> dict:
    p = copy.deepcopy(template)
    p.update(id=pid, gender=gender, birthDate=birth)
    p.pop("deceasedDateTime", None)
    p.pop("deceasedBoolean", None)
    p.update({"deceasedDateTime": death} if death else {"deceasedBoolean": False})
    _set_monthly(p, "dual_", dual)
    return p


def _coverages(templates: list[dict], pid: str, esrd: str) -> list[dict]:
    out = []
    for t in templates:
        c = copy.deepcopy(t)
        part = c["id"][:7]                              # "part-a-"
        c.update(id=part + pid, beneficiary={"reference": f"Patient/{pid}"})
        if part in ("part-a-", "part-b-"):
            c.update(status="active", period={"start": "2000-01-01"})
        if part == "part-a-":
            _set_extension(c, "ms_cd", "11" if esrd == "Y" else "10")
            _set_extension(c, "esrd_ind", esrd)
        out.append(c)
    return out


def _claim(template: dict, n: int, pid: str, day: str, code: str) -> dict:
    e = copy.deepcopy(template)
    old = e["patient"]["reference"].split("/", 1)[1]
    e = json.loads(json.dumps(e).replace(f"-{old}\"", f"-{pid}\""))   # coverage refs part-x-<id>
    e.update(id=f"{eob_type(e)}--{n}", patient={"reference": f"Patient/{pid}"})
    e["billablePeriod"].update(start=day, end=day)
    dx = e["diagnosis"][0]
    for coding in dx["diagnosisCodeableConcept"]["coding"]:
        coding["code"] = code
    e["diagnosis"] = [dx]
    return e


@pytest.fixture(scope="module")
def handmade(dataset_dir, tmp_path_factory) -> Path:
    """Four people and seven claims, cloned from generated lines with the facts set by PEOPLE and CLAIMS."""
    patients = _lines(dataset_dir / "Patient.ndjson")
    coverage = _lines(dataset_dir / "Coverage.ndjson")
    eobs = _lines(dataset_dir / "ExplanationOfBenefit.ndjson")
    first = patients[0]["id"]
    cov_templates = [c for c in coverage if c["beneficiary"]["reference"] == f"Patient/{first}"]
    eob_templates = {t: next(e for e in eobs if eob_type(e) == t and e.get("diagnosis"))
                     for t in ("carrier", "inpatient", "outpatient")}
    out = tmp_path_factory.mktemp("handmade") / "data"
    out.mkdir()
    people = [_person(patients[0], pid, g, b, d, dual) for pid, g, b, d, dual, _esrd in PEOPLE]
    covs = [c for pid, *_, esrd in PEOPLE for c in _coverages(cov_templates, pid, esrd)]
    claims = [_claim(eob_templates[t], n, pid, day, code) for n, (pid, t, day, code) in enumerate(CLAIMS, start=1)]
    manifest = json.loads((dataset_dir / "manifest.json").read_text())
    for rtype, resources in (("Patient", people), ("Coverage", covs), ("ExplanationOfBenefit", claims)):
        (out / f"{rtype}.ndjson").write_text("".join(json.dumps(r) + "\n" for r in resources))
        next(e for e in manifest["output"] if e["type"] == rtype)["count"] = len(resources)
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


def test_population_shares_on_handmade_people(handmade):
    report = dataset_stats(handmade)
    observed = {r.name: r.observed for r in report.rows}
    assert observed["female share"] == 0.5
    assert observed["under 65 share"] == 0.25
    assert observed["ESRD share"] == 0.25
    assert observed["dual share, under 65"] == 1.0
    assert observed["dual share, 65+"] == 0.0
    assert observed["75-79"] == pytest.approx(1 / 3)
    assert observed["85+"] == pytest.approx(2 / 3)
    assert observed["65-69"] == 0.0


def test_ccw_rule_counts_one_institutional_or_two_professional_dates(handmade):
    report = dataset_stats(handmade)
    assert report.row("hypertension").observed == 0.25
    assert report.row("diabetes").observed == 0.25
    assert report.row("hyperlipidemia").observed == 0.0
    assert report.row("0-1").observed == 1.0
    assert report.row("hypertension").ok is False and report.row("hypertension").tolerance == "±20%"


def test_utilization_is_per_ffs_beneficiary_year(handmade):
    report = dataset_stats(handmade)
    assert report.ffs_years == pytest.approx(3 + 6 / 12)          # the fourth person died in June
    assert report.row("carrier_claims_per_bene").observed == pytest.approx(5 / 3.5)
    assert report.row("inpatient_admissions_per_1000").observed == pytest.approx(1000 / 3.5)
    assert report.row("hospice_share_of_decedents").observed == 0.0
    assert report.claims_by_type["carrier"] == 5
    assert report.claims_per_bene_by_type["carrier"] == 5 / 4


def test_report_on_generated_data_covers_every_target(dataset_dir, tmp_path):
    report = dataset_stats(dataset_dir)
    names = {r.name for r in report.rows}
    assert set(CONDITIONS) <= names and set(UTILIZATION) - {"inpatient_readmission_rate"} <= names
    manifest = json.loads((dataset_dir / "manifest.json").read_text())
    eob_count = next(e["count"] for e in manifest["output"] if e["type"] == "ExplanationOfBenefit")
    assert sum(report.claims_by_type.values()) == eob_count
    assert set(report.payment_by_type) == set(CLAIM_TYPES)
    assert report.top_hcpcs and report.top_drugs
    profile = load_profile("default")
    assert report.row("female share").target == profile.population["female_share"]
    html = tmp_path / "stats.html"
    run = subprocess.run([sys.executable, str(ROOT / "cli.py"), "stats", str(dataset_dir), "--html", str(html)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "condition prevalence (CCW rule, FFS)" in run.stdout and "hypertension" in run.stdout
    assert "<table" in html.read_text()
