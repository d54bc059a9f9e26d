"""Billing rules the claims follow, read from generated ExplanationOfBenefits: type-of-bill frequencies of
episodes billed in parts, hospice benefit periods, Part A benefit periods across hospital and SNF stays."""
from __future__ import annotations

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
    classification = next(e["valueCoding"]["code"] for e in eob["extension"] if e["url"] == V + "clm_srvc_clsfctn_type_cd")
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
        bills = [type_of_bill(e) for e in claims]
        shapes.add(len(bills) if len(bills) < 3 else 3)
        assert bills == (["811"] if len(bills) == 1 else ["812", *["813"] * (len(bills) - 2), "814"]), bills
    assert shapes == {1, 2, 3}, "single-month, two-month and longer stays all occur"


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
