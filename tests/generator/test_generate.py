"""`medisynth generate` end to end: the dataset contract, the issue's bar on 300 beneficiaries,
clinical coherence, money, determinism, and clear errors for bad output directories."""
import datetime as dt
import gzip
import hashlib
import json
import subprocess
import sys
from collections import Counter, defaultdict

import orjson
import pytest

from generator.errors import OutputError
from generator.model.identifiers import is_synthetic_mbi, is_valid_npi
from generator.run import GenerateOptions, generate

EOB_TYPES = {"carrier", "dme", "hha", "hospice", "inpatient", "outpatient", "pde", "snf"}


def read(path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        return [orjson.loads(line) for line in f]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "ds"
    generate(GenerateOptions(profile="default", beneficiaries=300, seed=3, out=out, workers=2, fmt="both"))
    return out, {t: read(out / f"{t}.ndjson") for t in ("Patient", "Coverage", "ExplanationOfBenefit")}


def test_files_and_manifest(dataset):
    out, res = dataset
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["generator"]["beneficiaries"] == 300
    assert manifest["generator"]["period"] == {"start": "2025-01-01", "end": "2025-12-31"}
    assert {o["type"]: o["count"] for o in manifest["output"]} == {t: len(v) for t, v in res.items()}
    assert len(res["Patient"]) == 300 and len(res["Coverage"]) == 1200
    assert len(list((out / "bundles").iterdir())) == 300
    assert not [p for p in out.iterdir() if p.name.startswith(".partial")]


def test_profiles_ids_and_references(dataset):
    _, res = dataset
    ids = Counter((r["resourceType"], r["id"]) for rs in res.values() for r in rs)
    assert max(ids.values()) == 1, "ids are unique"
    for rs in res.values():
        for r in rs:
            assert r["meta"]["profile"][0].startswith("http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-")
    patients = {p["id"] for p in res["Patient"]}
    coverages = {c["id"] for c in res["Coverage"]}
    for c in res["Coverage"]:
        assert c["beneficiary"]["reference"][len("Patient/"):] in patients
    for e in res["ExplanationOfBenefit"]:
        assert e["patient"]["reference"][len("Patient/"):] in patients
        for ins in e["insurance"]:
            assert ins["coverage"]["reference"][len("Coverage/"):] in coverages


def test_all_claim_types_and_most_people_have_claims(dataset):
    _, res = dataset
    types = Counter(e["id"].split("-")[0] for e in res["ExplanationOfBenefit"])
    assert set(types) == EOB_TYPES
    with_claims = {e["patient"]["reference"] for e in res["ExplanationOfBenefit"]}
    assert len(with_claims) >= 0.8 * 300


def test_identifiers_are_valid(dataset):
    _, res = dataset
    for p in res["Patient"]:
        mbi = next(i["value"] for i in p["identifier"] if i["system"] == "http://hl7.org/fhir/sid/us-mbi")
        assert is_synthetic_mbi(mbi) and mbi[1] == "S"
    npis = set()

    def collect(node):
        if isinstance(node, dict):
            if node.get("system") == "http://hl7.org/fhir/sid/us-npi" and "value" in node:
                npis.add(node["value"])
            for t in node.get("type", {}).get("coding", []) if isinstance(node.get("type"), dict) else []:
                if t.get("code") == "npi" and "value" in node:
                    npis.add(node["value"])
            for v in node.values():
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)
    collect(res["ExplanationOfBenefit"])
    assert len(npis) > 50
    assert all(is_valid_npi(n) for n in npis), [n for n in npis if not is_valid_npi(n)][:5]


def test_no_claim_after_death_or_outside_the_period(dataset):
    _, res = dataset
    death = {p["id"]: p.get("deceasedDateTime") for p in res["Patient"]}
    assert sum(1 for d in death.values() if d) > 0, "some people die in a year of 300"
    for e in res["ExplanationOfBenefit"]:
        pid = e["patient"]["reference"][len("Patient/"):]
        start, end = e["billablePeriod"]["start"], e["billablePeriod"]["end"]
        assert "2025-01-01" <= start <= end <= "2025-12-31"
        if death[pid]:
            assert end <= death[pid][:10], (e["id"], end, death[pid])


def submitted_total(e) -> float:
    """The claim's total charge: `total` (submitted or drug cost) or, for carrier/DME claims whose
    `total` holds the prior-payer amount (a BFD quirk), the submitted charge in benefitBalance."""
    for t in e.get("total", []):
        if t["category"]["coding"][0]["code"] in ("submitted", "drugcost"):
            return t["amount"]["value"]
    for f in e["benefitBalance"][0]["financial"]:
        if f["type"]["coding"][0]["code"].endswith("/nch_carr_clm_sbmtd_chrg_amt"):
            return f["usedMoney"]["value"]
    raise AssertionError(f"{e['id']} has no total charge")


def test_coverage_periods_are_ordered_and_nobody_dies_before_entitlement(tmp_path):
    # a person who turns 65 during the period can only die once enrolled (seen as end < start before)
    out = tmp_path / "ma"
    generate(GenerateOptions(profile="medicare-advantage", beneficiaries=300, seed=1, out=out, workers=1))
    for c in read(out / "Coverage.ndjson"):
        period = c.get("period", {})
        if "start" in period and "end" in period:
            assert period["start"] <= period["end"], (c["id"], period)

def test_payment_within_total(dataset):
    _, res = dataset
    for e in res["ExplanationOfBenefit"]:
        paid = e["payment"]["amount"]["value"] if "amount" in e.get("payment", {}) else None
        if paid is not None:
            assert 0 <= paid <= submitted_total(e) + 0.005, e["id"]


def test_coherent_stories(dataset):
    _, res = dataset
    by_patient = defaultdict(list)
    for e in res["ExplanationOfBenefit"]:
        by_patient[e["patient"]["reference"]].append(e)
    part_d = {c["beneficiary"]["reference"] for c in res["Coverage"]
              if c["id"].startswith("part-d") and any(
                  x["url"].startswith("https://bluebutton.cms.gov/resources/variables/ptdcntrct")
                  and x["valueCoding"].get("code") not in (None, "0") for x in c.get("extension", []))}
    for ref, eobs in by_patient.items():
        kinds = {e["id"].split("-")[0] for e in eobs}
        if "pde" in kinds:
            assert ref in part_d, f"{ref} fills prescriptions without Part D"
        inpatient = [e for e in eobs if e["id"].startswith("inpatient")]
        for snf in (e for e in eobs if e["id"].startswith("snf")):
            start = snf["billablePeriod"]["start"]
            assert any(_days(i["billablePeriod"]["start"], i["billablePeriod"]["end"]) >= 3
                       and i["billablePeriod"]["end"] <= start for i in inpatient), \
                f"SNF stay {snf['id']} without a qualifying 3-day inpatient stay"


def _days(a, b):
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


def test_same_inputs_same_bytes_whatever_the_workers(tmp_path):
    digests = []
    for workers, name in ((1, "a"), (2, "b")):
        out = tmp_path / name
        generate(GenerateOptions(profile="small-demo", beneficiaries=1100, seed=11, out=out, workers=workers,
                                 gzip=True))
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted(out.iterdir()) if p.is_file()})
    assert digests[0] == digests[1]
    assert set(digests[0]) == {"Patient.ndjson.gz", "Coverage.ndjson.gz", "ExplanationOfBenefit.ndjson.gz",
                               "manifest.json"}


def test_refuses_a_non_empty_directory_without_force(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(OutputError, match="--force"):
        generate(GenerateOptions(profile="small-demo", beneficiaries=5, out=tmp_path))
    generate(GenerateOptions(profile="small-demo", beneficiaries=5, out=tmp_path, force=True))
    assert (tmp_path / "keep.txt").read_text() == "mine", "--force only replaces the dataset's own files"
    assert (tmp_path / "manifest.json").exists()


def test_cli_errors_are_one_line(tmp_path):
    run = subprocess.run([sys.executable, "cli.py", "generate", "--profile", "nope", "--out", str(tmp_path / "x")],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.startswith("Error: profile") or "unknown profile 'nope'" in run.stderr
    assert "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "cli.py", "generate", "-n", "zero"], capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
