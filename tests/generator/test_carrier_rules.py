"""Carrier rules read from the claim records of a small default-profile run: nursing facility visits only during a
SNF stay, scheduled office drugs only with the diagnosis that calls for them (anti-VEGF injections with exudative
AMD or diabetic macular edema on the treated eye, denosumab with osteoporosis at its six-month interval,
immunotherapy with lung cancer, skin substitutes on a chronic ulcer with their application), the endoscopist's
claim beside an outpatient endoscopy, and COVID-19 vaccines once a season with their administration and no cost
sharing; an ambulatory surgical center's claim beside the surgeon's, and anesthesia only with its procedure."""
from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict

import pytest

from generator import tables
from generator.model.care.courses import courses
from generator.pipeline.shard import shard_people
from generator.profile import load_profile

NURSING = {"99304", "99305", "99306", "99307", "99308", "99309", "99310", "99315", "99316"}
ANTI_VEGF = {"J0178", "J2777", "J2778", "Q5124", "J0179"}
SKIN_SUBSTITUTES = {"Q4262", "Q4236", "Q4253", "Q4217", "Q4205"}
IMMUNOTHERAPY = {"J9271", "J9299"}
COVID = {"91320", "91322"}
ENDOSCOPY = {"45378", "45380", "45385", "43239"}
ASC = "49"          # CMS specialty: ambulatory surgical center


@pytest.fixture(scope="module")
def people():
    """(beneficiary, claims) of 2,500 default-profile beneficiaries."""
    return list(shard_people(load_profile("default"), 5, 0, 0, 2500))


def _day(iso: str) -> int:
    return dt.date.fromisoformat(iso).toordinal()


def _carrier_lines(claims):
    for c in claims:
        if c["type"] == "carrier":
            for line in c["lines"]:
                yield c, line


def test_nursing_facility_visits_fall_in_a_snf_stay(people):
    visits = 0
    for _, claims in people:
        stays = [(_day(c["from_date"]), _day(c["thru_date"])) for c in claims if c["type"] == "snf"]
        for c, line in _carrier_lines(claims):
            if line["hcpcs"] in NURSING:
                visits += 1
                day = _day(c["from_date"])
                assert line["pos"] == "31"
                assert any(a <= day <= b for a, b in stays), (c["bene_id"], c["from_date"], stays)
    assert visits > 50
    stays = sum(c["type"] == "snf" for _, claims in people for c in claims)
    assert visits / stays >= 4       # an initial visit, one every other day, the discharge


def test_scheduled_office_drugs_follow_their_diagnosis(people):
    found = defaultdict(int)
    for _, claims in people:
        for c in claims:
            if c["type"] != "carrier":
                continue
            codes = {line["hcpcs"]: line for line in c["lines"]}
            principal = c["diagnoses"][0]["code"]
            if codes.keys() & ANTI_VEGF:
                found["anti_vegf"] += 1
                assert principal.startswith("H3532") or principal[:4] in ("E113", "E103"), principal
                sides = {m for line in c["lines"] if line["hcpcs"] == "67028"
                         for m in line["modifiers"] if m in ("RT", "LT")}     # (GW in a hospice election)
                eye = principal[5] if principal.startswith("H") else principal[6]    # the code's laterality
                side = {"1": {"RT"}, "2": {"LT"}, "3": {"RT", "LT"}}[eye]
                assert sides == side, (principal, sides)
            if "J0897" in codes:
                found["denosumab"] += 1
                assert principal[:3] in ("M80", "M81") and "96372" in codes
            if codes.keys() & IMMUNOTHERAPY:
                found["immunotherapy"] += 1
                assert principal.startswith("C34") and "96413" in codes
            if codes.keys() & SKIN_SUBSTITUTES:
                found["skin"] += 1
                assert principal.startswith("L97") and "15275" in codes
    assert found["anti_vegf"] > 20 and found["denosumab"] > 10, found


def test_denosumab_every_six_months_and_eye_injections_about_four_weeks_apart_at_least(people):
    for _, claims in people:
        days = defaultdict(list)
        for c, line in _carrier_lines(claims):
            if line["hcpcs"] == "J0897":
                days["J0897"].append(_day(c["from_date"]))
            elif line["hcpcs"] in ANTI_VEGF:
                days["eye"].append(_day(c["from_date"]))
        for kind, gap in (("J0897", 170), ("eye", 25)):      # less a weekend moved to Monday
            seen = sorted(set(days[kind]))
            assert all(b - a >= gap for a, b in itertools.pairwise(seen)), (kind, seen)


def test_courses_name_conditions_and_lines_the_tables_know():
    from generator import tables
    from generator.model.coding import hcpcs_table, split_modifiers
    conditions = {r["condition"] for r in tables.table("other_conditions")} | set(load_profile("default").conditions)
    for course in courses():
        assert course.condition in conditions, course.name
        for code in (*course.drugs, *course.admin, *course.extra):
            assert split_modifiers(code)[0] in hcpcs_table(), (course.name, code)
        assert 0 < course.share <= 1 and course.every > course.jitter >= 0


def test_covid_vaccines_once_a_season_with_their_administration_free(people):
    doses = 0
    for _, claims in people:
        seasons = defaultdict(int)
        for c in claims:
            if c["type"] != "carrier":
                continue
            codes = {line["hcpcs"] for line in c["lines"]}
            if codes & COVID:
                doses += 1
                assert "90480" in codes and c["diagnoses"][0]["code"] == "Z23"
                assert all(line["deductible"] == 0 and line["coinsurance"] == 0 for line in c["lines"])
                day = dt.date.fromisoformat(c["from_date"])
                seasons[day.year if day.month >= 8 else day.year - 1] += 1
        assert max(seasons.values(), default=0) <= 1
    assert doses > 200


def test_an_outpatient_endoscopy_has_the_endoscopists_claim(people):
    endoscopies = 0
    for _, claims in people:
        professional = {(c["from_date"], line["hcpcs"]) for c, line in _carrier_lines(claims) if line["pos"] == "22"}
        for c in claims:
            if c["type"] != "outpatient":
                continue
            for line in c["lines"]:
                if line["hcpcs"] in ENDOSCOPY:
                    endoscopies += 1
                    assert (c["from_date"], line["hcpcs"]) in professional, (c["bene_id"], c["from_date"])
    assert endoscopies > 20


def _anesthesia_for() -> dict[str, set[str]]:
    """The procedures each anesthesia code is billed for: the stays' (procedures table) and the ambulatory ones."""
    out: defaultdict[str, set[str]] = defaultdict(set)
    for r in tables.table("procedures"):
        out[r["anesthesia"]].add(r["cpt"])
    for r in tables.table("ambulatory_surgery"):
        out[r["anesthesia"]].add(r["code"])
    return out


def test_a_surgical_center_claim_pairs_with_the_surgeons_claim_on_the_same_day(people):
    """An ambulatory surgical center (specialty 49) bills its facility fee (type of service F) for the procedure the
    surgeon bills at POS 24 that day, and every procedure there that the ASC payment system pays has its center's
    claim."""
    asc_rated = {r["code"] for r in tables.table("ambulatory_surgery") if r["asc_rate"]}
    centers = 0
    for _, claims in people:
        surgeons: Counter = Counter()
        facility: Counter = Counter()
        for c, line in _carrier_lines(claims):
            if line["pos"] != "24":
                continue
            if c["provider"]["specialty"] == ASC:
                facility[c["from_date"], line["hcpcs"]] += 1
                assert line["type_of_service"] == "F" and line["hcpcs"] in asc_rated
            elif line["hcpcs"] in asc_rated:
                surgeons[c["from_date"], line["hcpcs"]] += 1
        centers += facility.total()
        assert facility == surgeons, claims[0]["bene_id"]      # one center claim per procedure
    assert centers > 50


def test_an_anesthesia_claim_only_with_a_procedure_it_is_for(people):
    """Anesthesia (00100–01999) is billed on the day of a surgeon's or endoscopist's claim for a procedure it is for,
    at the same place of service, with a modifier saying who gave it (AA, or QK with QX)."""
    anesthesia_for = _anesthesia_for()
    cases = ambulatory = 0
    for _, claims in people:
        procedures = {(c["from_date"], line["pos"], line["hcpcs"]) for c, line in _carrier_lines(claims)}
        for c, line in _carrier_lines(claims):
            code = line["hcpcs"]
            if code[:1] == "0" and code.isdigit() and int(code) < 2000:
                cases += 1
                ambulatory += line["pos"] != "21"
                assert any((c["from_date"], line["pos"], cpt) in procedures for cpt in anesthesia_for[code]), \
                    (c["bene_id"], c["from_date"], code)
                assert {"AA", "QK", "QX"} & set(line["modifiers"])
    assert ambulatory > 50 and cases > ambulatory


def test_cataract_surgery_once_per_eye(people):
    """Removal of a cataract with a lens implant (66984, 66982) at a surgical center is done once per eye (RT, LT).
    (Across settings, with the hospital outpatient department's: test_ambulatory_rules' repeat limits.)"""
    operated = 0
    for _, claims in people:
        eyes = Counter(tuple(line["modifiers"][:1]) for c, line in _carrier_lines(claims)
                       if line["hcpcs"] in {"66984", "66982"} and line["pos"] == "24"
                       and c["provider"]["specialty"] != ASC)
        operated += len(eyes)
        assert max(eyes.values(), default=0) <= 1, (claims[0]["bene_id"], eyes)
    assert operated > 50
