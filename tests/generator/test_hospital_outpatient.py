"""Hospital outpatient care on a small run: observation stays follow an ED visit for a reason that calls for them and
are paid once by the comprehensive APC; procedures need the condition they treat and come with the performing
clinician's claim; radiation only for a cancer, its fractions on weekdays with weekly management; dialysis paid
like the ESRD PPS; therapy only on a plan of care for its reason, with its discipline's modifier, billed monthly; a
hospital's Part B drug only with its indication on the claim; lab monitoring tests only for a condition on the
claim, without cost sharing."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from generator.claim_types.derived import opps_status
from generator.model.care.courses import courses
from generator.model.care.hospital import OBSERVATION_SHARE, hospital_services, lab_panels, radiation_courses
from generator.model.care_tables import visit_kinds
from generator.model.coding import hcpcs_table
from generator.model.care_tables import ESRD_CKD_CODE, acute_codes
from generator.model.cost_sharing import cost_sharing
from generator.pipeline.shard import shard_people
from generator.profile import load_profile

PEOPLE = 1500
RADIATION = {c.delivery for c in radiation_courses()}


@pytest.fixture(scope="module")
def people():
    return list(shard_people(load_profile("default"), 5, 0, 0, PEOPLE))


def _outpatient(claims):
    return [c for c in claims if c["type"] == "outpatient"]


def test_observation_follows_an_ed_visit_for_its_reasons_and_is_paid_once(people):
    reasons = {code for r in OBSERVATION_SHARE for code in acute_codes()[r][0]}
    cap = cost_sharing(2025)["part_a_deductible"]
    stays = 0
    for _, claims in people:
        for c in _outpatient(claims):
            obs = [line for line in c["lines"] if line["hcpcs"] == "G0378"]
            if not obs:
                continue
            stays += 1
            (line,) = obs
            assert line["revenue"] == "0762" and 8 <= line["quantity"] <= 48         # hours, C-APC 8011's 8+
            assert c["lines"][0]["revenue"] == "0450"                               # the ED visit before it
            assert c["diagnoses"][0]["code"] in reasons
            assert line["paid"] > 0 and all(o["paid"] == 0 for o in c["lines"] if o is not line)   # packaged
            assert line["coinsurance"] <= cap
    assert stays >= 30                                          # ≈50-60 per 1,000 a year


def test_hospital_procedures_need_their_condition_and_a_performing_clinician(people):
    by_code = {svc.lines[0][1]: svc for svc in hospital_services()}
    seen: Counter = Counter()
    for insured, claims in people:
        person = insured.person
        professional = {(c["from_date"], c["lines"][0]["hcpcs"], c["lines"][0]["performing"]["npi"])
                        for c in claims if c["type"] == "carrier" and c["lines"][0].get("performing")}
        sides: Counter = Counter()
        for c in _outpatient(claims):
            first = c["lines"][0]
            svc = by_code.get(first["hcpcs"])
            if svc is None or c["type_of_bill"].startswith("72"):
                continue
            seen[first["hcpcs"]] += 1
            codes = {person.chronic_codes.get(k) or person.other_codes.get(k) for k in svc.conditions}
            if "esrd" in svc.conditions and person.esrd:
                codes.add(ESRD_CKD_CODE)
            assert c["diagnoses"][0]["code"] in codes, (first["hcpcs"], c["diagnoses"][0]["code"])
            surgeon = c["attending"]["npi"]
            assert (c["from_date"], svc.professional.split("-")[0], surgeon) in professional
            if svc.sides:
                sides[(first["hcpcs"], tuple(first.get("modifiers") or ()))] += 1
        assert all(n <= 1 for n in sides.values())          # one operation per eye or knee
    assert seen["66984"] >= 10 and len(seen) >= 5


def test_radiation_only_for_cancer_with_fractions_on_weekdays_and_weekly_management(people):
    courses = 0
    for insured, claims in people:
        fractions = [line for c in _outpatient(claims) for line in c["lines"] if line["hcpcs"] in RADIATION]
        if not fractions:
            continue
        courses += 1
        cancers = {insured.person.chronic_codes.get(c.condition) for c in radiation_courses()} - {None}
        for c in _outpatient(claims):
            if any(line["hcpcs"] in RADIATION for line in c["lines"]):
                assert c["diagnoses"][0]["code"] in cancers
                assert c["lines"][-1]["from_date"] <= c["thru_date"]
        assert all(dt.date.fromisoformat(line["from_date"]).weekday() < 5 for line in fractions)
        management = sum(1 for c in claims if c["type"] == "carrier" and c["lines"][0]["hcpcs"] == "77427")
        assert management >= len(fractions) // 5             # (the office radiation kind bills some too)
    assert courses >= 1


def test_dialysis_months_pay_like_the_esrd_pps(people):
    dialysis = [c for _, claims in people for c in _outpatient(claims) if c["type_of_bill"].startswith("72")]
    per_session = [line["allowed"] / line["quantity"] for c in dialysis for line in c["lines"]
                   if line["revenue"] == "0821"]
    assert per_session and all(1 <= line["quantity"] <= 15 for c in dialysis for line in c["lines"][:1])
    assert all(line["paid"] == 0 for c in dialysis for line in c["lines"][1:])      # ESAs inside the bundle
    per_session.sort()
    assert 250 < per_session[len(per_session) // 2] < 320        # ESRD PPS 2025 base rate $273.82 with adjustments


DISCIPLINES = {"042": "GP", "043": "GO", "044": "GN"}      # physical, occupational, speech therapy
EVALUATIONS = {"97161", "97162", "97163", "97165", "97166", "97167", "92521", "92522", "92523"}


def _codes(person, condition):
    return {person.chronic_codes.get(condition) or person.other_codes.get(condition)} - {None}


def test_therapy_bills_only_a_plan_of_care_for_its_reason_with_the_disciplines_modifier(people):
    plans = [c for c in courses() if c.claim_type == "outpatient" and c.revenue[0][1].startswith(tuple(DISCIPLINES))]
    bills = 0
    for insured, claims in people:
        person = insured.person
        reasons = set().union(*(_codes(person, c.condition) | {code for code, _ in c.dx} for c in plans))
        evaluations: Counter = Counter()
        for c in _outpatient(claims):
            therapy = [line for line in c["lines"] if line["revenue"][:3] in DISCIPLINES]
            assert all(hcpcs_table()[line["hcpcs"]]["kind"] != "therapy" for line in c["lines"]
                       if line not in therapy)                                  # no therapy outside a plan
            if not therapy:
                continue
            bills += 1
            assert c["type_of_bill"].startswith("13") and c["diagnoses"][0]["code"] in reasons
            for line in therapy:
                assert line["modifiers"] == [DISCIPLINES[line["revenue"][:3]]], line
                assert opps_status(line["hcpcs"], line["allowed"]) == "A"      # paid on the PFS
                assert c["from_date"] <= line["from_date"] <= c["thru_date"]
                evaluations[line["revenue"][:3]] += line["hcpcs"] in EVALUATIONS
            assert c["from_date"][:7] == c["thru_date"][:7]                    # repetitive: a claim a month
            assert c["attending"] is not None
        assert all(n <= 1 for n in evaluations.values())                       # one evaluation a plan
    assert bills >= 20


def test_a_hospital_part_b_drug_only_with_its_indication(people):
    table = hcpcs_table()
    indications: dict[str, set[str]] = {}      # a drug's conditions: its hcpcs row's, the courses' giving it
    for course in courses():
        for drug in course.drugs:
            indications.setdefault(drug.split("-")[0], set()).add(course.condition)
    drugs = 0
    for insured, claims in people:
        person = insured.person
        for c in _outpatient(claims):
            if c["type_of_bill"].startswith("72"):         # dialysis ESAs: inside the ESRD PPS bundle
                continue
            dx = {d["code"] for d in c["diagnoses"]}
            for line in c["lines"]:
                row = table.get(line["hcpcs"])
                if line["revenue"] != "0636" or row is None or row["kind"] != "drug":
                    continue
                drugs += 1
                assert opps_status(line["hcpcs"], line["allowed"]) == ("K" if line["allowed"] else "N")  # or packaged
                conditions = indications.get(line["hcpcs"], set()) | {row["condition"]} - {""}
                if conditions:
                    assert any(dx & _codes(person, k) for k in conditions), (line["hcpcs"], dx)
                if line["allowed"] and not line["deductible"]:
                    assert line["coinsurance"] == pytest.approx(
                        min(0.2 * line["allowed"], cost_sharing(2025)["part_a_deductible"]), abs=0.02)
    assert drugs >= 50


def test_lab_monitoring_tests_only_for_a_condition_on_the_claim_and_free(people):
    own = {hcpcs for k in visit_kinds()["outpatient"] for _, hcpcs, _ in (*k.main, *k.extra)}
    for c in courses():
        own |= set(c.extra)
    by_code: dict[str, set[str]] = {}
    for condition, tests in lab_panels().items():
        for hcpcs, _ in tests:
            by_code.setdefault(hcpcs, set()).add(condition)
    tests = 0
    for insured, claims in people:
        person = insured.person
        for c in _outpatient(claims):
            dx = {d["code"] for d in c["diagnoses"]}
            for line in c["lines"]:
                if line["hcpcs"] in by_code and line["hcpcs"] not in own:
                    tests += 1
                    assert any(dx & _codes(person, k) for k in by_code[line["hcpcs"]]), (line["hcpcs"], dx)
                    assert line["deductible"] == line["coinsurance"] == 0
    assert tests >= 100
