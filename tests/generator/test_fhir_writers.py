"""FHIR writers: hand-made records of all eight claim types render to valid, BB2-shaped R4 resources."""
from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit
from fhir.resources.R4B.patient import Patient

from generator.claim_types import TYPES
from generator.fhir import coverage_resources, eob_resource, patient_resource
from records_factory import beneficiary, claims

# shared/ sits beside the checkout (as in CI): ../shared/reference/samples/bfd-v2
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "samples" / "bfd-v2"
C4BB = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-"
SAMPLE_FILES = {"carrier": "Carrier", "dme": "Dme", "hha": "Hha", "hospice": "Hospice", "inpatient": "Inpatient",
                "outpatient": "Outpatient", "pde": "Pde", "snf": "Snf"}
# Top-level keys the sample has and we deliberately leave out (the records carry no such fact).
SKIPPED_KEYS = {"contained": "CARRIER/DME hematocrit/hemoglobin Observation: the simulation has no lab results"}
V = "https://bluebutton.cms.gov/resources/variables/"
# Header extensions of the samples that we deliberately skip, with the reason.
SKIPPED_EXTENSIONS = {
    V + "clm_clncl_tril_num": "no beneficiary is in a clinical trial",
    V + "clm_mdcr_non_pmt_rsn_cd": "every claim is paid: BFD sends this only for a non-payment reason",
}

BENE_VARIANTS = {"plain": beneficiary(), "dead-ma-no-part-d": beneficiary(dead=True, medicare_advantage=True,
                                                                           part_d=False)}
CLAIMS = {claim["type"]: claim for claim in claims()}


def _sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def _roundtrip(resource: dict) -> dict:
    return orjson.loads(orjson.dumps(resource))


@pytest.mark.parametrize("variant", sorted(BENE_VARIANTS))
def test_patient_is_valid_and_shaped_like_bb2(variant):
    bene = BENE_VARIANTS[variant]
    patient = _roundtrip(patient_resource(bene))
    Patient.model_validate(patient)
    assert patient["id"] == bene["bene_id"]
    assert patient["meta"]["profile"] == [C4BB + "Patient"]
    sample_order = [k for k in _sample("patientRead.json") if k not in ("deceasedDateTime", "deceasedBoolean")]
    assert [k for k in patient if not k.startswith("deceased")] == sample_order
    assert ("deceasedDateTime" in patient) == (variant != "plain")
    assert patient["address"] == [{"state": "05", "postalCode": "94110"}]
    duals = [e["url"] for e in patient["extension"] if "/dual_" in e["url"]]
    assert duals == [V + "dual_01", V + "dual_02", V + "dual_03"]  # reference-year months only


@pytest.mark.parametrize("variant", sorted(BENE_VARIANTS))
def test_coverages_are_four_valid_parts(variant):
    bene = BENE_VARIANTS[variant]
    coverages = [_roundtrip(c) for c in coverage_resources(bene)]
    sample = {c["resource"]["id"][:6]: c["resource"] for c in _sample("coverageSearchByPatientId.json")["entry"]}
    assert [c["id"] for c in coverages] == [f"part-{p}-{bene['bene_id']}" for p in "abcd"]
    for coverage in coverages:
        Coverage.model_validate(coverage)
        assert coverage["meta"]["profile"] == [C4BB + "Coverage"]
        expected = [k for k in sample[coverage["id"][:6]] if k != "period" or "period" in coverage]
        assert list(coverage) == expected
    part_d = coverages[3]
    history = [e["url"] for e in part_d["extension"] if "/20" in e["url"][len(V):]]
    assert len(history) == len(bene["months"]) and history[0] == V + "ptdcntrct01/2024-1"
    assert ("period" in part_d) == (variant == "plain")
    assert coverages[0]["status"] == ("cancelled" if variant != "plain" else "active")


@pytest.mark.parametrize("dead", [False, True])
def test_part_b_is_cancelled_for_someone_never_entitled_to_it(dead):
    """Entitlement decides (as the RIF beneficiary file's buy-in months do): no Part B start, no active Part B,
    alive or dead; Part A stays as its termination code says."""
    bene = beneficiary(part_b=False, dead=dead)
    part_a, part_b = (_roundtrip(c) for c in coverage_resources(bene)[:2])
    Coverage.model_validate(part_b)
    assert part_b["status"] == "cancelled" and "period" not in part_b
    assert part_a["status"] == ("cancelled" if dead else "active")
    assert {e["valueCoding"]["code"] for e in part_b["extension"] if "/buyin" in e["url"]} == {"1"}
    with_b = _roundtrip(coverage_resources(beneficiary(dead=dead))[1])
    assert with_b["status"] == ("cancelled" if dead else "active") and with_b["period"]["start"] == "2015-02-01"


@pytest.mark.parametrize("kind", sorted(CLAIMS))
def test_eob_is_valid_and_matches_the_bfd_sample(kind):
    claim, bene = CLAIMS[kind], BENE_VARIANTS["plain"]
    eob = _roundtrip(eob_resource(claim, bene))
    ExplanationOfBenefit.model_validate(eob)
    sample = _sample(f"eobRead{SAMPLE_FILES[kind]}.json")
    assert eob["id"] == f"{kind}-{claim['claim_id']}"
    assert eob["meta"]["profile"] == [C4BB + TYPES[kind].fhir.profile] == sample["meta"]["profile"]
    expected_keys = [k for k in sample if k not in SKIPPED_KEYS or k in eob]
    assert list(eob) == expected_keys  # same keys, same order
    ours = {e["url"] for e in eob.get("extension", [])}
    theirs = {e["url"] for e in sample.get("extension", [])} - set(SKIPPED_EXTENSIONS)
    assert ours == theirs
    assert [c["system"] for c in eob["type"]["coding"]] == [c["system"] for c in sample["type"]["coding"]]
    assert [c["code"] for c in eob["type"]["coding"]][-2:] == [c["code"] for c in sample["type"]["coding"]][-2:]
    part = sample["insurance"][0]["coverage"]["reference"].split("/")[1][:6]
    assert eob["insurance"][0]["coverage"]["reference"] == f"Coverage/{part}-{bene['bene_id']}"


@pytest.mark.parametrize("kind", sorted(CLAIMS))
def test_eob_references_and_sequences_resolve(kind):
    eob = eob_resource(CLAIMS[kind], BENE_VARIANTS["plain"])
    contained = {f"#{r['id']}" for r in eob.get("contained", [])}
    if eob["provider"].get("reference"):
        assert eob["provider"]["reference"] in contained
    for name in ("supportingInfo", "careTeam", "diagnosis", "procedure", "item"):
        assert [e["sequence"] for e in eob.get(name, [])] == list(range(1, len(eob.get(name, [])) + 1))
    care_team = {m["sequence"] for m in eob["careTeam"]}
    diagnoses = {d["sequence"] for d in eob.get("diagnosis", [])}
    info = {s["sequence"] for s in eob["supportingInfo"]}
    for item in eob["item"]:
        assert set(item.get("careTeamSequence", [])) <= care_team
        assert set(item.get("diagnosisSequence", [])) <= diagnoses
        assert set(item.get("informationSequence", [])) <= info
    for dx in eob.get("diagnosis", []):
        assert [c["system"] for c in dx["diagnosisCodeableConcept"]["coding"]] == [
            "http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10"]
    for member in eob["careTeam"]:
        assert "system" not in member["provider"]["identifier"]


@pytest.mark.parametrize("kind", sorted(CLAIMS))
def test_eob_money_is_the_records_money(kind):
    claim = CLAIMS[kind]
    eob = eob_resource(claim, BENE_VARIANTS["plain"])
    if kind == "pde":
        assert eob["payment"] == {"date": claim["paid_date"]}
        line = claim["lines"][0]
        amounts = {a["category"]["coding"][1]["code"][len(V):]: a["amount"]["value"]
                   for a in eob["item"][0]["adjudication"]}
        parts = (amounts["cvrd_d_plan_pd_amt"] + amounts["ptnt_pay_amt"] + amounts["lics_amt"]
                 + amounts["othr_troop_amt"])
        assert amounts["tot_rx_cst_amt"] == round(parts, 2) == line["allowed"]
        return
    assert eob["payment"]["amount"] == {"value": claim["paid"], "currency": "USD"}
    paid_slot = V + ("line_prvdr_pmt_amt" if TYPES[kind].form == "professional" else "rev_cntr_prvdr_pmt_amt")
    paid = sum(a["amount"]["value"] for item in eob["item"] for a in item["adjudication"]
               if "amount" in a and a["category"]["coding"][1]["code"] == paid_slot)   # (denial reasons: none)
    if kind not in ("inpatient", "snf", "hha"):  # their line slices carry charges only, as in BFD
        assert round(paid, 2) == claim["paid"]
    if kind not in ("carrier", "dme"):
        assert eob["total"][0]["amount"]["value"] == claim["submitted"]


def test_optional_facts_are_left_out_cleanly():
    bene = BENE_VARIANTS["dead-ma-no-part-d"]
    for claim in claims(procedures=False):
        eob = _roundtrip(eob_resource(claim, bene))
        ExplanationOfBenefit.model_validate(eob)
        assert "procedure" not in eob
        assert all(m["role"]["coding"][0]["code"] != "operating" for m in eob["careTeam"])
