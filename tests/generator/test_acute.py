"""Acute and post-acute care on a small run, read from the generated EOBs alone: discharges lead where their status
says, readmissions exist, DRGs agree with the CMS grouper, post-acute and dialysis claims are billed as real ones."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import orjson
import pytest

from generator.fhir.read import diagnosis_codes, eob_type, parse_date, ref_id, supporting_code
from generator.model.care.inpatient import procedures
from generator.quality.joint.acute import AcuteFigures, _ccn, _codes, _status
from generator.run import GenerateOptions, generate

N = 800
SURGICAL_PCS = frozenset(procedures())     # every procedure the procedures table gives a surgeon and anesthesia


@pytest.fixture(scope="module")
def eobs(tmp_path_factory):
    out = tmp_path_factory.mktemp("acute") / "ds"
    generate(GenerateOptions(profile="default", beneficiaries=N, seed=5, out=out, workers=1))
    return [orjson.loads(line) for line in (out / "ExplanationOfBenefit.ndjson").read_bytes().splitlines()]


def _by_patient(eobs, kind):
    out = defaultdict(list)
    for e in eobs:
        if eob_type(e) == kind:
            period = e["billablePeriod"]
            out[ref_id(e["patient"], "Patient/")].append((parse_date(period["start"]), parse_date(period["end"]), e))
    return out


def test_discharges_lead_where_their_status_says(eobs):
    stays, hospice, snf = _by_patient(eobs, "inpatient"), _by_patient(eobs, "hospice"), _by_patient(eobs, "snf")
    last = max(end for claims in stays.values() for _, end, _ in claims)
    seen = defaultdict(int)
    for patient, claims in stays.items():
        for _, end, e in claims:
            status = _status(e)
            if end >= last:
                continue
            if status in ("50", "51"):
                seen["hospice"] += 1
                assert any(end <= s <= end + dt.timedelta(days=7) for s, _, _ in hospice[patient]), e["id"]
            elif status == "02":
                seen["transfer"] += 1
                assert any(s == end and _ccn(o) != _ccn(e) for s, _, o in claims), e["id"]
            elif status == "03":
                seen["snf"] += 1
                assert any(end <= s <= end + dt.timedelta(days=1) for s, _, _ in snf[patient]), e["id"]
    assert seen["hospice"] and seen["transfer"] and seen["snf"], seen


def test_readmissions_exist_and_are_a_minority(eobs):
    figures = AcuteFigures()
    for e in eobs:
        figures.see(e, None)
    rows = {r.name: r.observed for r in figures.rows({}, set(), 0.0)}
    assert 0.05 < rows["30-day readmission rate"] < 0.3
    assert rows["DRG 871 share of stays"] < 0.12


def test_drgs_agree_with_the_cms_grouper(eobs):
    msdrg = pytest.importorskip("msdrg")
    stays = [e for e in eobs if eob_type(e) == "inpatient"]
    with msdrg.MsdrgGrouper() as grouper:
        wrong = []
        for e in stays:
            dx = list(diagnosis_codes(e))
            roles = [d["type"][0]["coding"][0]["code"] for d in e["diagnosis"]]
            codes = [c for c, r in zip(dx, roles) if r != "admitting"]
            pcs = [p["procedureCodeableConcept"]["coding"][0]["code"] for p in e.get("procedure") or ()]
            status = int(_status(e))
            got = grouper.group(msdrg.create_claim(version=431, age=79, sex=1, discharge_status=status, pdx=codes[0],
                                                   sdx=codes[1:], procedures=pcs))["final_drg"]
            if f"{got:03d}" != supporting_code(e, "clm_drg_cd")[0]:
                wrong.append(e["id"])
    assert len(wrong) <= 0.02 * len(stays), wrong[:5]


def test_surgical_stays_have_surgeon_and_anesthesia_claims(eobs):
    carriers = _by_patient(eobs, "carrier")
    surgical = 0
    for patient, claims in _by_patient(eobs, "inpatient").items():
        for start, end, e in claims:
            if not any(p["procedureCodeableConcept"]["coding"][0]["code"] in SURGICAL_PCS
                       for p in e.get("procedure") or ()):
                continue
            if not carriers[patient]:
                continue            # Part A only: nobody bills Part B for this person (no carrier claims at all)
            surgical += 1
            near = [o for s, _, o in carriers[patient] if start <= s <= end]
            assert any(c.isdigit() and 10000 <= int(c) <= 99999 and not c.startswith("99")
                       for o in near for c in _codes(o, "productOrService")), e["id"]
            anesthesia = [o for o in near if any(c.startswith("0") for c in _codes(o, "productOrService"))]
            assert anesthesia and all(i.get("modifier") for o in anesthesia for i in o["item"]), e["id"]
    assert surgical


def test_dialysis_is_billed_by_dialysis_facilities_with_a_monthly_nephrologist_claim(eobs):
    dialysis = [e for e in eobs if eob_type(e) == "outpatient" and "0821" in _codes(e, "revenue")]
    assert dialysis
    for e in dialysis:
        bill = {x["url"].rsplit("/", 1)[-1]: x["valueCoding"]["code"] for x in e["facility"]["extension"]}
        assert bill["clm_fac_type_cd"] == "7", e["id"]
        assert "N186" in diagnosis_codes(e)
    patients = {ref_id(e["patient"], "Patient/") for e in dialysis}
    capitation = {ref_id(e["patient"], "Patient/") for e in eobs if eob_type(e) == "carrier"
                  and {"90960", "90966"} & set(_codes(e, "productOrService"))}
    assert patients == capitation
    with_n186 = {ref_id(e["patient"], "Patient/") for e in eobs if "N186" in diagnosis_codes(e)}
    assert with_n186 <= patients


def test_hospice_has_live_discharges_and_stroke_codes_stay_on_the_acute_episode(eobs):
    hospice = [e for e in eobs if eob_type(e) == "hospice"]
    assert any(_status(e) == "01" for e in hospice)
    for e in eobs:
        if eob_type(e) != "inpatient":
            assert not any(c.startswith("I63") for c in diagnosis_codes(e)), e["id"]


def test_a_stays_principal_agrees_with_the_persons_own_code():
    """A DRG's principal diagnoses of a condition the person has follow the person's code: a type 2 diabetic's
    diabetes stay is E11.65 (or glycosuria), a type 1 diabetic's E10.9."""
    from generator.model.care.drg import drg_rows, principals
    row = next(r for r, _ in drg_rows() if r.drg == "638")
    assert set(principals(row, (("diabetes", "E1122"),))) == {"E1165", "R81"}
    assert set(principals(row, (("diabetes", "E1065"),))) == {"E109", "R81"}
    copd = next(r for r, _ in drg_rows() if r.drg == "191")
    assert principals(copd, (("copd", "J439"),)) == ("J439",)
