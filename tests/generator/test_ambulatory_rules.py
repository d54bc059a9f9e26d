"""Ambulatory rules the claims follow, read from generated claim records of a small default-profile run: visits per
regular clinician (one office E/M a day, new-patient codes only on a first visit), preventive frequency limits and
sex/age eligibility, diagnosis sex edits, orders with their reasons, Part D drugs for the person's conditions, and
refill timing with early and late refills."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from generator import tables
from generator.claim_types import TYPES
from generator.model.coding import hcpcs_table, professional_coding
from generator.model.pricing import _fee
from generator.pipeline.shard import shard_people
from generator.profile import load_profile
import itertools

OFFICE_NEW = {"99202", "99203", "99204", "99205"}
OFFICE = OFFICE_NEW | {"99211", "99212", "99213", "99214", "99215"}
FLU_PRODUCTS = {"90662", "90694", "90686", "90688"}


@pytest.fixture(scope="module")
def people():
    """(beneficiary, claims) of 800 default-profile beneficiaries."""
    return list(shard_people(load_profile("default"), 3, 0, 0, 800))


def _age(bene, day: str) -> float:
    return (dt.date.fromisoformat(day) - dt.date.fromisoformat(bene["birth_date"])).days / 365.25


def _dx(claims) -> set[str]:
    return {d["code"] for c in claims for d in c["diagnoses"]}


def _lines(claims, claim_type="carrier"):
    for c in claims:
        if c["type"] == claim_type:
            for line in c["lines"]:
                yield c, line


def test_one_office_visit_a_day_per_clinician_and_new_patient_codes_only_first(people):
    office_lines = benes = 0
    for insured, claims in people:
        seen: dict[str, str] = {}
        days = Counter()
        for c, line in sorted(_lines(claims), key=lambda cl: cl[0]["from_date"]):
            if line["hcpcs"] not in OFFICE:
                continue
            npi = line["performing"]["npi"]
            days[(npi, c["from_date"])] += 1
            if line["hcpcs"] in OFFICE_NEW:
                assert npi not in seen, (insured.bene["bene_id"], npi, seen.get(npi), c["from_date"])
            seen.setdefault(npi, c["from_date"])
            office_lines += 1
        assert max(days.values(), default=1) == 1
        benes += insured.person is not None and insured.person.window_b is not None
    assert 4.5 <= office_lines / benes <= 8.5      # ≈6–7 office E/M a year (realism-detail.md §1)


def test_a_visit_bundles_the_conditions_its_clinician_treats(people):
    """A specialist's visit carries every condition of theirs the person has, on one claim."""
    cardiac = {r["icd10"] for r in tables.table("condition_codes")
               if r["condition"] in ("ischemic_heart_disease", "heart_failure", "atrial_fibrillation")}
    checked = 0
    for insured, claims in people:
        person = insured.person
        if person is None:
            continue
        mine = {person.chronic_codes[c] for c in ("ischemic_heart_disease", "heart_failure", "atrial_fibrillation")
                if c in person.chronic_codes}
        for c in claims:
            if (c["type"] == "carrier" and c["lines"][0]["hcpcs"] in OFFICE and c["provider"]["specialty"] == "06"
                    and c["diagnoses"][0]["code"] in mine):
                assert mine <= {d["code"] for d in c["diagnoses"]}
                checked += len(mine) > 1
        assert not (mine - cardiac)
    assert checked > 0


def test_preventive_services_keep_their_frequency_and_eligibility(people):
    for insured, claims in people:
        bene = insured.bene
        flu = Counter()
        awv, colonoscopies = [], []
        for c, line in _lines(claims):
            code, day = line["hcpcs"], dt.date.fromisoformat(c["from_date"])
            if code == "G0008":
                flu[day.year if day.month >= 8 else day.year - 1] += 1
                assert {ln["hcpcs"] for ln in c["lines"]} & FLU_PRODUCTS, c["lines"]
            elif code in ("G0438", "G0439"):
                awv.append(day)
            elif code in ("77067", "77063"):
                assert bene["sex"] == "female" and _age(bene, c["from_date"]) >= 40
                # read at the hospital (26), or billed globally by an imaging center; GV/GW in a hospice election
                assert (line["modifiers"][:1] == ["26"]) == (line["pos"] == "22"), (line["pos"], line["modifiers"])
                assert set(line["modifiers"]) - {"26"} <= {"GV", "GW"}
            elif code == "G0103":
                assert bene["sex"] == "male" and _age(bene, c["from_date"]) >= 50
            elif code == "G0121":
                if c["provider"]["specialty"] != "49":      # the endoscopist's (the surgical center bills its own)
                    colonoscopies.append(day)
                assert c["diagnoses"][0]["code"] == "Z1211"
        assert max(flu.values(), default=0) <= 1
        awv.sort()
        assert all((b - a).days >= 335 for a, b in itertools.pairwise(awv))
        assert len(colonoscopies) <= 1


def test_diagnoses_respect_the_code_editors_sex_edits(people):
    only = {r["prefix"]: r["sex"] for r in tables.table("sex_edits")}
    for insured, claims in people:
        sex = insured.bene["sex"]
        for code in _dx(claims):
            for prefix, allowed in only.items():
                assert not code.startswith(prefix) or allowed == sex, (code, sex)


def test_orders_have_their_reasons(people):
    cpap = {"E0601", "A7030", "A7034", "A7035", "A7037", "A7038", "A7039", "E0562"}
    seen = Counter()
    for _insured, claims in people:
        dx = _dx(claims)
        for c in claims:
            codes = {ln.get("hcpcs") for ln in c["lines"]}
            claim_dx = {d["code"] for d in c["diagnoses"]}
            if codes & cpap:
                seen["cpap"] += 1
                assert "G4733" in claim_dx
            if "85610" in codes:
                seen["inr"] += 1
                assert any(d.startswith(("I48", "I26", "I82")) for d in dx)
            if "J0897" in codes:
                seen["denosumab"] += 1
                assert any(d.startswith(("M80", "M81")) for d in claim_dx), claim_dx
    assert seen["cpap"] and seen["inr"]


def test_part_d_drugs_are_for_conditions_the_person_has(people):
    codes_of = defaultdict(set)
    for name in ("condition_codes", "other_conditions"):
        for r in tables.table(name):
            codes_of[r["condition"]].add(r["icd10"])
    condition_of = {r["ndc"]: r["condition"] for r in tables.table("drugs")}
    type_1 = 0
    for insured, claims in people:
        person = insured.person
        fills = [c for c in claims if c["type"] == "pde"]
        if person is None or not fills:
            continue
        mine = set(person.chronic_codes.values()) | set(person.other_codes.values())
        for fill in fills:
            assert codes_of[condition_of[fill["lines"][0]["ndc"]]] & mine
        enrolled = sum(last - first + 1 for first, last in person.part_d_days)
        if person.chronic_codes.get("diabetes", "").startswith("E10") and enrolled >= 90:
            # (a month's enrollee need not fill every drug within it)
            type_1 += 1
            assert any("INSULIN" in f["lines"][0]["drug"].upper() for f in fills)
    assert type_1 > 0


def test_refills_come_early_on_time_and_late(people):
    gaps = []
    for _, claims in people:
        by_drug = defaultdict(list)
        for c in claims:
            if c["type"] == "pde":
                by_drug[c["lines"][0]["ndc"]].append(c)
        for fills in by_drug.values():
            fills.sort(key=lambda c: c["from_date"])
            for a, b in itertools.pairwise(fills):
                gap = (dt.date.fromisoformat(b["from_date"]) - dt.date.fromisoformat(a["from_date"])).days
                gaps.append(gap - a["days_supply"])
    assert min(gaps) < 0 and max(gaps) > 15
    assert 0.5 <= sum(0 <= g <= 7 for g in gaps) / len(gaps) <= 0.8


def test_a_modifier_is_billed_with_its_code_and_scales_the_fee():
    line = professional_coding("71046-26", "22")
    assert (line["hcpcs"], line["modifiers"]) == ("71046", ["26"])
    assert float(hcpcs_table()["71046-26"]["allowed"]) == pytest.approx(0.33 * float(hcpcs_table()["71046"]["allowed"]))
    assert professional_coding("E0601-RR-KX", "12")["modifiers"] == ["RR", "KX"]


def test_a_component_is_paid_alike_in_every_setting():
    """A radiologist's reading (26) at the hospital is the professional component of the global fee, with no facility
    share on top (that share is the component already); a global study in a facility gets it."""
    carrier = TYPES["carrier"]
    assert _fee(carrier, "", "70450-26", "22") == pytest.approx(_fee(carrier, "", "70450-26", "11"))
    assert _fee(carrier, "", "70450-26", "22") == pytest.approx(0.33 * _fee(carrier, "", "70450", "11"))
    assert _fee(carrier, "", "70450", "22") == pytest.approx(0.33 * _fee(carrier, "", "70450", "11"))


def test_new_patient_visits_are_about_one_in_nine_and_urgent_care_first_visits_are_new(people):
    """New-patient office E/M ≈ 1 : 8.2 of established (realism-detail.md §1): first visits to a new PCP or
    specialist, and to an urgent care clinician the person has not seen."""
    new = office = urgent_new = 0
    for _, claims in people:
        for _, line in _lines(claims):
            if line["hcpcs"] in OFFICE:
                office += 1
                new += line["hcpcs"] in OFFICE_NEW
                urgent_new += line["hcpcs"] in OFFICE_NEW and line["pos"] == "20"
    assert 0.08 <= new / office <= 0.14, new / office
    assert urgent_new


def test_imaging_of_an_injury_shows_the_injured_region(people):
    """An x-ray, CT or MRI whose reason is an injury images the injured body region (a forearm film for a forearm
    fracture, not for a head injury): the injury's ICD-10-CM block S<region> is the study's region."""
    from generator.model.care_tables import imaging_region
    checked = 0
    for _, claims in people:
        for c in claims:
            principal = c["diagnoses"][0]["code"] if c["diagnoses"] else ""
            if c["type"] not in ("carrier", "outpatient") or not principal.startswith("S"):
                continue
            for line in c["lines"]:
                region = imaging_region(line["hcpcs"])
                if region is not None and line["hcpcs"].startswith("73"):      # the extremities' studies
                    assert principal[1] == region, (line["hcpcs"], principal)
                    checked += 1
    assert checked


VISIT_REVENUE = ("045", "051")      # ED, clinic
PREVENTIVE = {"G0008", "G0009", "G0439", "G0438", "G0402", "77067", "G0121", "G0105", "90480"}


def test_no_visit_or_preventive_service_inside_a_stay(people):
    """A person in a hospital, IRF, LTCH or SNF bed is not in an office, clinic or ED, nor given an outpatient
    preventive service: their care then is the facility's (and its clinicians' rounds)."""
    visits = inside = 0
    for _, claims in people:
        stays = [(c["from_date"], c["thru_date"]) for c in claims if c["type"] in ("inpatient", "snf")]
        for c in claims:
            codes = {line.get("hcpcs", "") for line in c["lines"]}
            revenue = {line.get("revenue", "")[:3] for line in c["lines"]}
            if (c["type"] == "carrier" and codes & (OFFICE | PREVENTIVE)) or (
                    c["type"] == "outpatient" and revenue & set(VISIT_REVENUE)):
                visits += 1
                inside += any(a < c["from_date"] < b for a, b in stays)
    assert visits > 1000
    assert inside == 0


EMERGENCY_POS = {"21", "23"}        # inpatient and ED professional care: not limited (repeats.py)


def _scheduled(claim) -> bool:
    """A claim of scheduled care: not the ED's, an observation stay's, or an inpatient clinician's; nor a drug
    course's treatment day, whose labs follow the regimen's schedule (courses.csv)."""
    if any(line.get("hcpcs", "")[:1] in ("J", "Q") for line in claim["lines"]):
        return False
    if claim["type"] == "carrier":
        return not any(line["pos"] in EMERGENCY_POS or line.get("hcpcs", "").startswith("9928")
                       for line in claim["lines"])
    return not any(line["revenue"].startswith("045") or line["revenue"] == "0762" for line in claim["lines"])


def test_scheduled_services_respect_their_repeat_limits(people):
    """A lab panel no more often than its interval (an HbA1c every 90 days, a metabolic panel every 30), one
    venipuncture a day, each eye's cataract extraction once, counted across carrier and outpatient claims."""
    limits = {r["code"]: (r["group"], int(r["days"]), r["per_side"] == "Y") for r in tables.table("repeat_limits")}
    checked = 0
    for insured, claims in people:
        dates: dict[str, set[dt.date]] = defaultdict(set)
        for c in claims:
            if c["type"] not in ("carrier", "outpatient") or not _scheduled(c):
                continue
            for line in c["lines"]:
                if line.get("hcpcs") not in limits:
                    continue
                group, _, per_side = limits[line["hcpcs"]]
                side = next((m for m in line["modifiers"] if m in ("RT", "LT", "50")), "") if per_side else ""
                dates[group + side].add(dt.date.fromisoformat(line["from_date"] or c["from_date"]))
        for key, days in dates.items():
            group = key[:-2] if key[-2:] in ("RT", "LT") else key
            interval = next(d for g, d, _ in limits.values() if g == group)
            ordered = sorted(days)
            if interval == 0:
                assert len(ordered) == 1, (insured.bene["bene_id"], key, ordered)
            else:
                gaps = [(b - a).days for a, b in itertools.pairwise(ordered)]
                assert all(g >= interval for g in gaps), (insured.bene["bene_id"], key, ordered)
            checked += len(ordered)
    assert checked > 2000       # the rule is exercised: most people have panels and a venipuncture


@pytest.fixture(scope="module")
def more_people():
    """(beneficiary, claims) of 3,000 default-profile beneficiaries (repeat endoscopies are rare)."""
    return list(shard_people(load_profile("default"), 7, 0, 0, 3000))


def test_a_diagnostic_endoscopy_is_not_repeated_within_its_frequency_limit(more_people):
    """An EGD or a colonoscopy (diagnostic or screening) is not done again for the same person within 90 days
    (the repeat_limits table): two EGDs three days apart for dysphagia and epigastric pain are one study."""
    limits = {r["code"]: (r["group"], int(r["days"])) for r in tables.table("repeat_limits")
              if r["group"] in ("egd", "colonoscopy")}
    studies = 0
    for _, claims in more_people:
        days = defaultdict(set)     # group -> days of its studies (the facility's and the endoscopist's claims)
        for c in claims:
            for line in c["lines"]:
                limit = limits.get(line.get("hcpcs", "").split("-")[0])
                if limit is not None:
                    days[limit].add(dt.date.fromisoformat(c["from_date"]).toordinal())
        for (group, interval), seen in days.items():
            ordered = sorted(seen)
            studies += len(ordered)
            gaps = [b - a for a, b in itertools.pairwise(ordered)]
            assert all(gap >= interval for gap in gaps), (group, gaps)
    assert studies > 30, studies
