"""Fidelity to BFD's v2 shape on small generated runs: strict R4 JSON (no empty arrays, objects, strings, nulls)
in every profile, the share of BFD's golden-sample fields per claim type, group billing (billing NPI ≠ performing
NPI), contractor numbers by state, and the strict-R4 check `medisynth validate` runs."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import orjson
import pytest

from dataset_contract.systems import BB_VARIABLES
from generator.fhir.read import eob_type, extension_value
from generator.profile import builtin_profiles
from generator.quality.checks import check_chunk
from generator.quality.golden_fields import golden_rows
from generator.quality.joint.fidelity import GOLDEN_SHARE, Fidelity, field_paths, golden_fields
from generator.quality.strict import violations
from generator.run import GenerateOptions, generate
from generator.tables import table, rows
from tests.conftest import ROOT

SAMPLES = ROOT.parent / "shared" / "reference" / "samples" / "bfd-v2"
BELOW_BAR = {"dme": 0.89, "snf": 0.855, "outpatient": 0.88}
"""Types whose golden share stays under the bar in this 300-person run (issue 14 is open on these), with the floor
they keep: DME lacks the Hct/Hgb results, the clinical-trial number and MSP line payer codes (89.7%); SNF reaches
90.4% on 5,000 beneficiaries, but its stays past the benefit period's 100 days (benefits-exhausted date,
non-covered stay) need not occur among 300, and it lacks operating physicians and external-cause codes; outpatient
reaches 90% on 5,000 beneficiaries, but the other-operating physician of its rare multi-surgeon cases need not occur
in this 300-person run."""


def _run(tmp: Path, profile: str, n: int) -> Path:
    out = tmp / profile
    generate(GenerateOptions(profile=profile, beneficiaries=n, seed=0, out=out, workers=1, fmt="ndjson",
                             progress=False))
    return out


def _eobs(out: Path) -> list[dict]:
    return [orjson.loads(line) for line in (out / "ExplanationOfBenefit.ndjson").read_bytes().splitlines()]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> list[dict]:
    return _eobs(_run(tmp_path_factory.mktemp("fidelity"), "default", 300))


@pytest.mark.parametrize("profile", builtin_profiles())
def test_every_resource_of_every_profile_is_strict_r4(tmp_path, profile):
    out = _run(tmp_path, profile, 60)
    found = []
    for path in sorted(out.glob("*.ndjson")):
        for number, line in enumerate(path.read_bytes().splitlines(), 1):
            found += [f"{path.name}:{number} {where}" for where in violations(orjson.loads(line))]
    assert found == []


def test_golden_field_share_per_claim_type(default_run):
    fidelity = Fidelity()
    for eob in default_run:
        fidelity.see(eob, None)
    shares = fidelity.shares()
    assert set(shares) == set(golden_fields())
    for name, share in shares.items():
        floor = BELOW_BAR.get(name, GOLDEN_SHARE)
        assert share >= floor, f"{name}: {share:.1%} of BFD's golden fields, missing {fidelity.missing(name)[:8]}"
    assert fidelity.strict_errors == 0
    report = {row.name: row for row in fidelity.rows({}, set(), 0.0)}
    assert report["strict-R4 errors (empty, null)"].ok
    assert report["golden fields present: pde"].ok and report["golden fields present: pde"].low == GOLDEN_SHARE


def test_field_paths_name_array_elements_by_what_tells_them_apart():
    eob = {"extension": [{"url": BB_VARIABLES + "carr_num", "valueIdentifier": {"value": "1"}}],
           "careTeam": [{"sequence": 1, "role": {"coding": [{"system": "x", "code": "referring"}]}}],
           "item": [{"productOrService": {"coding": [{"system": "http://h/hcpcs", "code": "99213"}]},
                     "category": {"coding": [{"code": "1"}]}}]}
    assert field_paths(eob) == {
        "extension[carr_num].url", "extension[carr_num].valueIdentifier.value",
        "careTeam[referring].sequence", "careTeam[referring].role.coding[x].system",
        "careTeam[referring].role.coding[x].code", "item[].productOrService.coding[hcpcs].system",
        "item[].productOrService.coding[hcpcs].code", "item[].category.coding[].code"}


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="BFD's golden samples (shared/reference/samples/bfd-v2) absent")
def test_the_golden_fields_table_is_bfds_samples():
    assert list(golden_rows(SAMPLES)) == list(rows("golden_fields"))


def _performers(eob: dict) -> dict[int, dict]:
    return {m["sequence"]: m for m in eob.get("careTeam", ()) if m["role"]["coding"][0]["code"] == "performing"}


def test_group_practices_bill_for_most_clinicians(default_run):
    carrier = [e for e in default_run if eob_type(e) == "carrier"]
    grouped = solo = 0
    for eob in carrier:
        billing = eob["provider"]["identifier"]["value"]
        for member in _performers(eob).values():
            performing = member["provider"]["identifier"]["value"]
            kind = next(x["valueCoding"]["code"] for x in member["extension"]
                        if x["url"] == BB_VARIABLES + "carr_line_prvdr_type_cd")
            assert kind == ("0" if performing != billing else "1"), eob["id"]
            grouped += performing != billing
            solo += performing == billing
    assert grouped > 0.6 * (grouped + solo) and solo > 0


def test_contractor_numbers_follow_the_providers_state(default_run):
    part_b = {r["state"]: r["part_b"] for r in table("mac_contractors")}
    part_a = {r["state"]: r["part_a"] for r in table("mac_contractors")}
    numbers = defaultdict(set)
    for eob in default_run:
        kind = eob_type(eob)
        if kind == "carrier":   # the clinicians of a claim practise in its billing group's state
            state = eob["item"][0]["locationCodeableConcept"]["extension"][0]["valueCoding"]["code"]
            assert extension_value(eob, "carr_num") == part_b[state], eob["id"]
            numbers["carr_num"].add(part_b[state])
        elif kind == "inpatient":
            state = eob["item"][0]["locationAddress"]["state"]
            assert extension_value(eob, "fi_num") == part_a[state], eob["id"]
            numbers["fi_num"].add(part_a[state])
    assert len(numbers["carr_num"]) >= 5 and len(numbers["fi_num"]) >= 5     # not one number nationwide


def test_validate_reports_strict_r4_errors(default_run):
    eob = next(e for e in default_run if eob_type(e) == "outpatient")
    broken = dict(eob, careTeam=[], extension=[*eob["extension"], {"url": BB_VARIABLES + "x", "valueString": ""}])
    (problems, _), = check_chunk(("ExplanationOfBenefit", "2025-01-01", "2025-12-31", [(7, orjson.dumps(broken))]))
    strict = [p.message for p in problems if p.kind == "strict-r4"]
    assert "ExplanationOfBenefit.careTeam: empty array" in strict
    assert any(m.endswith("valueString: empty string") for m in strict)
    (problems, _), = check_chunk(("ExplanationOfBenefit", "2025-01-01", "2025-12-31", [(7, orjson.dumps(eob))]))
    assert [p for p in problems if p.kind == "strict-r4"] == []


def test_strict_r4_finds_nulls_and_empty_objects():
    assert list(violations({"resourceType": "Patient", "a": {"b": None, "c": {}}, "d": [1]})) == [
        "Patient.a.b: null", "Patient.a.c: empty object"]
    assert list(violations({"resourceType": "Patient", "name": [{"given": ["A"]}]})) == []
