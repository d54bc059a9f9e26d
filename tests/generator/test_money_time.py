"""Money and time by the rules of the simulated year, on small runs: no cost sharing on preventive and clinical
lab lines, the $35 insulin cap, the Part D out-of-pocket cap with its catastrophic and subsidy fields, IPPS outlier
payments, office care on weekdays, and stays open at the period end billed as still a patient."""
from __future__ import annotations

import datetime as dt

import pytest

from generator.model.cost_sharing import Ledger, Tier, drug_tier, no_cost_sharing
from generator.pipeline.shard import shard_people
from generator.profile import load_profile

PEOPLE = 500


@pytest.fixture(scope="module")
def people():
    return list(shard_people(load_profile("default"), 3, 0, 0, PEOPLE))


@pytest.fixture(scope="module")
def claims(people):
    return [c for _, cs in people for c in cs]


def test_preventive_and_lab_lines_carry_no_cost_sharing(claims):
    exempt = shared = 0
    for claim in claims:
        if claim["type"] not in ("carrier", "outpatient"):
            continue
        for line in claim["lines"]:
            if no_cost_sharing(line.get("hcpcs", "")):
                exempt += 1
                assert line["deductible"] == line["coinsurance"] == 0.0, (claim["claim_id"], line["hcpcs"])
                assert line["paid"] == line["allowed"]
            elif line["deductible"] or line["coinsurance"]:
                shared += 1
    assert exempt > 1000 and shared > 1000       # the rule, and the normal Part B cost sharing beside it


def test_the_exempt_codes_are_named_by_the_table():
    assert all(map(no_cost_sharing, ("80053", "85025", "36415", "G0008", "G0439", "G0402", "77067", "G0121", "0124A")))
    assert not any(map(no_cost_sharing, ("99213", "88305", "77065", "45378", "J0897", "0100T", "8005")))


def test_insulin_costs_at_most_35_a_month(claims):
    fills = [c for c in claims if c["type"] == "pde" and "INSULIN" in c["lines"][0]["drug"].upper()]
    assert fills
    for fill in fills:
        assert fill["patient_paid"] <= 35 * fill["days_supply"] / 30 + 0.005, fill["claim_id"]
    tier = drug_tier("B", "insulin glargine", 420.0)
    share = Ledger().part_d(2025, 126_000, tier, 3.0, None, insulin=True)     # a 90-day fill of $1,260
    assert (share.deductible, share.patient) == (0, 10_500)


def test_the_out_of_pocket_cap_ends_cost_sharing_and_fills_the_catastrophic_fields():
    ledger, tier = Ledger(), Tier("preferred_brand", 0, 0.25, True)
    shares = [ledger.part_d(2025, 100_000, tier, 1.0, None) for _ in range(12)]     # a $1,000 brand monthly
    assert sum(s.patient for s in shares) == 200_000                                  # exactly the $2,000 cap
    assert shares[0].deductible == 59_000
    crossing = next(i for i, s in enumerate(shares) if s.above)
    assert shares[crossing].below + shares[crossing].above == 100_000 and shares[crossing].below
    for s in shares[crossing + 1:]:
        assert (s.patient, s.below, s.above) == (0, 0, 100_000)
    assert all(s.above == 0 for s in shares[:crossing])
    assert ledger.part_d(2026, 100_000, tier, 1.0, None).patient == 61_500 + 9_625   # a new year starts over


def test_a_low_income_subsidy_pays_the_rest_and_counts_towards_the_cap():
    ledger, tier = Ledger(), Tier("preferred_brand", 0, 0.25, True)
    first = ledger.part_d(2025, 100_000, tier, 1.0, 1215)
    assert (first.deductible, first.patient, first.subsidy) == (0, 1215, 59_000 + 10_250 - 1215)
    rest = [ledger.part_d(2025, 100_000, tier, 1.0, 1215) for _ in range(11)]
    assert sum(s.patient + s.subsidy for s in [first, *rest]) == 200_000
    assert rest[-1].patient == rest[-1].subsidy == 0


def test_pde_fields_follow_the_cap_on_generated_fills(people):
    lis_subsidy = 0
    for insured, cs in people:
        spent = 0.0
        for c in (c for c in cs if c["type"] == "pde"):
            line = c["lines"][0]
            if spent >= 2000 - 0.005 and not insured.lis:
                assert line["patient_paid"] == 0 and line["gdc_above"] == line["allowed"]
            spent += c["patient_paid"] + line["subsidy"]
            lis_subsidy += insured.lis and line["subsidy"] > 0
            assert not line["subsidy"] or insured.lis
    assert lis_subsidy > 50


def test_inpatient_outliers_pay_the_cost_above_the_fixed_loss_threshold(claims):
    stays = [c for c in claims if c["type"] == "inpatient"]
    outliers = [c for c in stays if c["outlier"] > 0]
    assert stays and 0 < len(outliers) < 0.15 * len(stays)
    for c in outliers:
        assert c["paid"] > c["outlier"] and c["submitted"] > c["paid"] + 46_152    # cost above payment + threshold


def test_office_visits_fall_on_weekdays(claims):
    days = [dt.date.fromisoformat(line["from_date"]).weekday() for c in claims if c["type"] == "carrier"
            for line in c["lines"] if line.get("pos") == "11" and line["hcpcs"].startswith("992")]
    assert len(days) > 2000
    assert sum(d >= 5 for d in days) / len(days) < 0.06
    assert sum(d == 0 for d in days) / len(days) > 0.15


def test_stays_open_at_the_period_end_are_billed_still_a_patient(claims):
    end = load_profile("default").period_end.isoformat()
    open_at_end = [c for c in claims if c["type"] in ("inpatient", "snf") and c["thru_date"] == end]
    assert open_at_end
    for c in open_at_end:
        assert c["discharge_status"] in ("30", "20"), (c["claim_id"], c["discharge_status"])
        if c["discharge_status"] == "30":
            assert c["patient_status"] == "C" and c["type_of_bill"].endswith("2")
    assert any(c["discharge_status"] == "30" for c in open_at_end)


def test_processing_lags_have_a_long_tail(claims):
    lags = sorted((dt.date.fromisoformat(c["processed"]) - dt.date.fromisoformat(c["thru_date"])).days
                  for c in claims if c["type"] != "pde")
    assert 7 <= lags[len(lags) // 2] <= 25
    assert lags[-1] > 60 and lags[0] >= 1
