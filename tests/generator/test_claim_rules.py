"""Billing rules the claims follow, read from generated ExplanationOfBenefits: type-of-bill frequencies of
episodes billed in parts, hospice benefit periods, Part A benefit periods across hospital and SNF stays."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from generator.fhir import eob_resource
from generator.pipeline.shard import shard_people
from generator.profile import load_profile

V = "https://bluebutton.cms.gov/resources/variables/"


FACILITY_TYPES = ("inpatient", "snf", "hha", "hospice")


@pytest.fixture(scope="module")
def eobs():
    """(patient id, EOB) of the facility claims of 500 ESRD-profile beneficiaries (high mortality: hospice stays;
    many admissions)."""
    return [(insured.bene["bene_id"], eob_resource(claim, insured.bene))
            for insured, claims in shard_people(load_profile("esrd"), 2, 0, 0, 500)
            for claim in claims if claim["type"] in FACILITY_TYPES]


def of_type(eobs, claim_type):
    return [(patient, eob) for patient, eob in eobs if eob["id"].startswith(claim_type + "-")]


def type_of_bill(eob) -> str:
    facility = eob["facility"]["extension"][0]["valueCoding"]["code"]
    classification = next(e["valueCoding"]["code"] for e in eob["extension"]
                          if e["url"] == V + "clm_srvc_clsfctn_type_cd")
    frequency = next(s["code"]["coding"][0]["code"] for s in eob["supportingInfo"]
                     if any(c["code"] == "typeofbill" for c in s["category"]["coding"]))
    return facility + classification + frequency


def test_home_health_periods_are_final_claims(eobs):
    bills = {type_of_bill(eob) for _, eob in of_type(eobs, "hha")}
    assert bills == {"329"}, "each 30-day period is billed on its final claim, type of bill 0329"


def test_a_hospice_stay_is_billed_monthly_first_continuing_last(eobs):
    stays = defaultdict(list)
    for patient, eob in of_type(eobs, "hospice"):
        stays[patient].append(eob)
    assert len(stays) >= 10
    shapes = set()
    for claims in stays.values():
        claims.sort(key=lambda e: e["billablePeriod"]["start"])
        stay: list[str] = []
        for bill in map(type_of_bill, claims):       # a person's stays: each ends with its final claim (1 or 4)
            stay.append(bill)
            if bill[-1] in "14":
                shapes.add(len(stay) if len(stay) < 3 else 3)
                assert stay == (["811"] if len(stay) == 1 else ["812", *["813"] * (len(stay) - 2), "814"]), stay
                stay = []
        if stay:        # a stay still under way at the period's end: interim claims so far, the patient still there
            assert stay == ["812", *["813"] * (len(stay) - 1)], stay
            assert _discharge(claims[-1]) == "30", claims[-1]["id"]
    assert shapes == {1, 2, 3}, "single-month, two-month and longer stays all occur"


def _discharge(eob) -> str:
    return next(c["code"] for info in eob["supportingInfo"] for c in (info.get("code") or {}).get("coding", ())
                if c["system"].endswith("ptnt_dschrg_stus_cd"))


def test_hospice_benefit_periods_follow_the_election():
    from generator.model.care import hospice_benefit_period
    assert [hospice_benefit_period(d) for d in (0, 89, 90, 179, 180, 239, 240, 300)] == [1, 1, 2, 2, 3, 3, 4, 5]


def test_a_long_hospice_stay_counts_its_benefit_periods(eobs):
    stays = defaultdict(list)
    for patient, eob in of_type(eobs, "hospice"):
        period = next(e["valueQuantity"]["value"] for e in eob["extension"] if e["url"] == V + "bene_hospc_prd_cnt")
        stays[patient].append((eob["billablePeriod"]["start"], period))
    counts = [sorted(claims) for claims in stays.values()]
    assert all([p for _, p in claims] == sorted(p for _, p in claims) for claims in counts), "periods never go back"
    assert max(p for claims in counts for _, p in claims) >= 2, "some stay runs past its first 90 days"


def test_a_part_a_benefit_period_runs_through_hospital_and_snf_stays():
    from generator.model.cost_sharing import Ledger
    ledger = Ledger()
    assert ledger.part_a_stay("hospital", 1, 10, 9) == (True, 0)
    assert ledger.part_a_stay("snf", 10, 40, 30) == (False, 0)
    assert ledger.part_a_stay("hospital", 80, 90, 10) == (False, 9), "40 days after the SNF: the same period"
    assert ledger.part_a_stay("snf", 90, 100, 10) == (False, 30), "SNF days add up within the period"
    assert ledger.part_a_stay("hospital", 161, 170, 9) == (True, 0), "61 days without care: a new period"


def balance(eob, variable: str) -> float:
    return next(f.get("usedMoney", {}).get("value", f.get("usedUnsignedInt")) for b in eob["benefitBalance"]
                for f in b["financial"] if f["type"]["coding"][0]["code"] == V + variable)


def test_the_inpatient_deductible_is_due_once_per_benefit_period(eobs):
    stays = defaultdict(list)
    for patient, eob in eobs:
        if eob["id"].startswith(("inpatient-", "snf-")):
            stays[patient].append(eob)
    checked = 0
    for claims in stays.values():
        claims.sort(key=lambda e: (e["billablePeriod"]["start"], not e["id"].startswith("inpatient-")))
        last = None
        for eob in claims:
            start, end = (dt.date.fromisoformat(eob["billablePeriod"][k]) for k in ("start", "end"))
            if eob["id"].startswith("inpatient-"):
                opens = last is None or (start - last).days > 60
                assert (balance(eob, "nch_bene_ip_ddctbl_amt") > 0) == opens, eob["id"]
                checked += 1
            last = end if last is None else max(last, end)
    assert checked >= 100


@pytest.mark.parametrize("year, generic, brand", [(2023, 4.15, 10.35), (2025, 4.90, 12.15)])
def test_low_income_subsidy_copays_are_the_years(year, generic, brand):
    profile = load_profile("dual-eligible").with_period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    paid = defaultdict(set)
    for insured, claims in shard_people(profile, 1, 0, 0, 150):
        if insured.lis:
            for claim in claims:
                if claim["type"] == "pde":
                    paid[claim["brand_generic"]].add(claim["patient_paid"])
    assert max(paid["G"]) == generic and max(paid["B"]) == brand
