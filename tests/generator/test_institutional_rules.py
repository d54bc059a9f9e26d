"""Post-acute, hospice and DME rules the claims follow, read from the claim records of a small default-profile run:
valid PDPM/PDGM HIPPS codes on the PPS lines, visit lines by discipline on their own days inside the period,
the hospice's routine home care rates and the service intensity add-on, GV/GW on professional claims during an
election, DME quantities and rental modifiers, SNF days past the benefit period's 100, IRF and LTCH stays after the
acute stays that discharge there, paid by their own PPS, and no home health or admission inside a hospice election."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import numpy as np
import pytest

from generator.claim_types import TYPES
from generator.model.care.dme import due
from generator.model.cost_sharing import Ledger
from generator.model.pricing import ClaimBuilder
from generator.model.records import Encounter, SnfStay
from generator.pipeline.shard import shard_people
from generator.profile import load_profile

PDPM = re.compile(r"[A-P][A-L][A-Y][A-F][01]")
PDGM = re.compile(r"[1-4][A-L][A-C][1-3]1")
HH_VISITS = {("0551", "G0299"), ("0551", "G0300"), ("0421", "G0151"), ("0421", "G0157"), ("0431", "G0152"),
             ("0431", "G0158"), ("0441", "G0153"), ("0561", "G0155"), ("0571", "G0156")}


@pytest.fixture(scope="module")
def people():
    """(beneficiary, claims) of 1,500 default-profile beneficiaries."""
    return list(shard_people(load_profile("default"), 5, 0, 0, 1500))


def claims_of(people, kind):
    return [(bene, c) for bene, claims in people for c in claims if c["type"] == kind]


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_snf_and_home_health_pps_lines_bill_a_valid_hipps_code(people):
    snf = [line["hcpcs"] for _, c in claims_of(people, "snf") for line in c["lines"] if line["revenue"] == "0022"]
    hha = [(c, line["hcpcs"]) for _, c in claims_of(people, "hha") for line in c["lines"] if line["revenue"] == "0023"]
    assert snf and hha
    assert all(PDPM.fullmatch(code) for code in snf), [c for c in snf if not PDPM.fullmatch(c)][:5]
    assert all(PDGM.fullmatch(code) for _, code in hha), [c for _, c in hha if not PDGM.fullmatch(c)][:5]
    for claim, code in hha:     # position 1: a community referral is 1 (early) or 3 (late), an institutional 2 or 4
        assert (code[0] in "13") == (claim["hha_referral"] == "1"), (code, claim["hha_referral"])
    assert not any(line["hcpcs"] == "G0299" for _, c in claims_of(people, "hha") for line in c["lines"]
                   if line["revenue"] == "0023"), "the PPS line bills the HIPPS code, not a visit code"


def test_home_health_visits_are_lines_by_discipline_on_their_days_in_the_period(people):
    periods = claims_of(people, "hha")
    visits_per_full_period = []
    for _, claim in periods:
        first, last = day(claim["from_date"]), day(claim["thru_date"])
        visits = claim["lines"][1:]
        assert visits, claim["claim_id"]
        for line in visits:
            assert (line["revenue"], line["hcpcs"]) in HH_VISITS, line["hcpcs"]
            assert first <= day(line["from_date"]) <= last
            assert line["quantity"] >= 1 and line["quantity"] == int(line["quantity"]), "15-minute units"
        if (last - first).days == 29:
            visits_per_full_period.append(len(visits))
            assert len(visits) == claim["hha_visits"]
    several = [c for _, c in periods if len(c["lines"]) > 2]
    spread = [c for c in several if len({line["from_date"] for line in c["lines"][1:]}) > 1]
    assert len(spread) >= 0.9 * len(several), "a period's visits fall on many days, not all on its first"
    mean = sum(visits_per_full_period) / len(visits_per_full_period)
    assert 6 <= mean <= 11, f"{mean:.1f} visits per period (MedPAC 2024: 8.6)"
    paid_on_pps = [c for _, c in periods if not c["lupa"]]
    assert all(c["lines"][0]["paid"] == c["paid"] for c in paid_on_pps), "a full period is paid on its HIPPS line"


def test_hospice_claims_bill_days_at_a_site_and_visits_with_the_intensity_add_on(people):
    hospice = claims_of(people, "hospice")
    assert hospice
    disciplines = set()
    intensive_paid = 0
    for _, claim in hospice:
        first, last = day(claim["from_date"]), day(claim["thru_date"])
        days_line, *visits = claim["lines"]
        assert days_line["revenue"] == "0651" and re.fullmatch(r"Q50(0[1-9]|10)", days_line["hcpcs"])
        assert days_line["quantity"] == (last - first).days + 1
        for line in visits:
            disciplines.add(line["revenue"])
            assert first <= day(line["from_date"]) <= last
            late = (last - day(line["from_date"])).days < 7
            if line["paid"] > 0:    # only nurse and social worker visits in the last 7 days of life are paid
                assert claim["discharge_status"] == "40" and late and line["revenue"] in ("0551", "0561")
                intensive_paid += 1
        if claim["discharge_status"] == "40":
            assert "PM" not in {m for line in visits for m in line["modifiers"]} or any(
                line["from_date"] == claim["thru_date"] for line in visits if "PM" in line["modifiers"])
    assert {"0551", "0561", "0571"} <= disciplines
    assert intensive_paid > 0, "deaths in routine home care earn the service intensity add-on"
    per_day = [c["lines"][0]["paid"] / c["lines"][0]["quantity"] for _, c in hospice]
    # FY 2025 routine home care $176.92-$224.62 a day, times the hospice's wage index (lognormal, σ 0.05: ±4σ ≈ ±20%)
    assert min(per_day) > 176.92 * 0.8 and max(per_day) < 224.62 * 1.2, (min(per_day), max(per_day))


def test_professional_claims_during_a_hospice_election_carry_gv_or_gw(people):
    checked = 0
    for _, claims in people:
        spans = [(day(c["from_date"]), day(c["thru_date"])) for c in claims if c["type"] == "hospice"]
        for c in claims:
            if c["type"] != "carrier":
                continue
            modifiers = {m for line in c["lines"] for m in line["modifiers"]}
            inside = any(a <= day(c["from_date"]) <= b for a, b in spans)
            assert inside == bool(modifiers & {"GV", "GW"}), (c["claim_id"], inside, modifiers)
            checked += inside
    assert checked > 0


def test_dme_bills_units_and_rents_equipment_month_by_month(people):
    dme = claims_of(people, "dme")
    lines = [line for _, c in dme for line in c["lines"]]
    assert sum(line["quantity"] > 1 for line in lines) > 0.1 * len(lines), "supplies come in boxes, not ones"
    strips = [line["quantity"] for line in lines if line["hcpcs"] == "A4253"]
    assert strips and all(2 <= q <= 6 for q in strips), "A4253 per 50 strips: 100-300 a quarter"
    rentals = defaultdict(list)
    for _, c in dme:
        for line in c["lines"]:
            if {"KH", "KI", "KJ"} & set(line["modifiers"]):
                rentals[(c["bene_id"], line["hcpcs"])].append((c["from_date"], line["modifiers"][-1]))
    assert rentals
    order = {"KH": 0, "KI": 1, "KJ": 2}
    for months in rentals.values():
        months.sort()
        assert [order[m] for _, m in months] == sorted(order[m] for _, m in months), months
        assert len(months) <= 13, "a capped rental is owned after 13 months"
        assert sum(m == "KH" for _, m in months) <= 1 and sum(m == "KI" for _, m in months) <= 2
    assert [due("capped", 1, m) for m in (0, 1, 2, 3, 12, 13)] == ["KH", "KI", "KI", "KJ", "KJ", None]
    assert all(c["referring"] for _, c in dme), "DME is ordered by a clinician"


def test_snf_days_past_the_benefit_periods_hundred_are_not_covered():
    snf = TYPES["snf"]
    provider = {"npi": "1225301823", "name": "SUNNY ACRES SNF", "kind": "org", "taxonomy": "314000000X",
                "specialty": "A0", "state": "CA", "zip": "94110", "ccn": "055001"}
    start = dt.date(2025, 2, 1).toordinal()
    stay = SnfStay(qualifying_stay=(start - 5, start), drg="470", admission_type="3", admission_source="4",
                   discharge_status="01", days=130, hipps="KAEC1")
    enc = Encounter(snf, start, start + 130, ["S72001A"], [], provider, attending=provider, facts=stay)
    claim = ClaimBuilder(0, np.random.default_rng(0), dt.date(2026, 3, 1).toordinal()).build(
        enc, "-1", Ledger(), False, {})
    assert claim["utilization_days"] == 100
    assert claim["benefits_exhausted"] == dt.date.fromordinal(start + 100).isoformat()
    assert claim["noncovered_stay"] == (dt.date.fromordinal(start + 100).isoformat(),
                                        dt.date.fromordinal(start + 130).isoformat())
    assert claim["coinsurance_days"] == 80
    assert claim["lines"][0]["revenue"] == "0022" and claim["lines"][0]["hcpcs"] == "KAEC1"


def test_home_health_principal_follows_the_reason_for_care_and_gives_the_clinical_group(people):
    """A period's principal diagnosis is one PDGM accepts (no symptom, no initial-encounter injury) and its HIPPS
    clinical group (position 2) is that diagnosis's; after a discharge to home health (06) the first period's
    principal is the stay's condition (an injury's subsequent encounter), its surgery's aftercare, or, when PDGM
    refuses the stay's, a chronic condition of the person's that PDGM accepts, or with none a fall injury's
    aftercare (unless the agency's care was under way already: its next period goes on with its own diagnosis)."""
    from generator.model.care.post_acute import JOINT_AFTERCARE, SURGICAL_AFTERCARE, pdgm_group, subsequent
    after = checked = 0
    for insured, claims in people:
        discharges = {day(c["thru_date"]) + dt.timedelta(days=1): c for c in claims
                      if c["type"] == "inpatient" and c["discharge_status"] == "06"}
        chronic = set(insured.person.chronic_codes.values()) if insured.person else set()
        continuing = {day(c["thru_date"]) + dt.timedelta(days=1) for c in claims if c["type"] == "hha"}
        for c in claims:
            if c["type"] != "hha":
                continue
            principal = c["diagnoses"][0]["code"]
            pps = next(line["hcpcs"] for line in c["lines"] if line["revenue"] == "0023")
            assert pdgm_group(principal) == pps[1], (principal, pps)
            assert principal[0] != "R" and not (principal[0] in "ST" and principal.endswith("A")), principal
            checked += 1
            stay = discharges.get(day(c["from_date"]))
            if stay is not None and day(c["from_date"]) not in continuing:  # not the next period of care under way
                after += 1
                fallback = not any(pdgm_group(code) for code in chronic) and principal[0] in "ST"
                reasons = {subsequent(stay["diagnoses"][0]["code"]), JOINT_AFTERCARE, SURGICAL_AFTERCARE} | chronic
                assert fallback or principal in reasons, (principal, stay["diagnoses"][0]["code"])
    assert checked and after


def test_hospice_terminal_diagnosis_is_a_terminal_illness_not_respiratory_failure(people):
    """The terminal diagnosis is the person's grave condition or a terminal illness, never a bare acute code."""
    terminal = [c["diagnoses"][0]["code"] for _, c in claims_of(people, "hospice")]
    assert terminal
    assert not [code for code in terminal if code.startswith(("J96", "R"))]

def _ccn_number(claim) -> int:
    ccn = claim["provider"].get("ccn") or ""
    return int(ccn[2:6]) if len(ccn) == 6 and ccn[2:6].isdigit() else -1


def _post_acute_stays(people, low, high):
    """(the acute stay discharging there, the stay) of the inpatient stays at hospitals of the CCN range."""
    out = []
    for _, claims in people:
        stays = [c for c in claims if c["type"] == "inpatient"]
        for c in stays:
            if low <= _ccn_number(c) <= high:
                before = [a for a in stays if 1 <= _ccn_number(a) <= 879 and a["thru_date"] == c["from_date"]]
                out.append((before[0] if before else None, c))
    return out


@pytest.fixture(scope="module")
def more_people():
    """(beneficiary, claims) of 4,000 default-profile beneficiaries (LTCH stays are ≈1 per 1,000)."""
    return list(shard_people(load_profile("default"), 11, 0, 0, 4000))


def test_irf_stays_follow_a_discharge_to_rehab_and_are_paid_by_their_cmg(people):
    irf = _post_acute_stays(people, 3025, 3099)
    assert len(irf) >= 5
    for acute, stay in irf:
        assert acute is not None and acute["discharge_status"] == "62", stay["claim_id"]
        pps = [line for line in stay["lines"] if line["revenue"] == "0024"]
        assert len(pps) == 1 and re.fullmatch(r"[A-D]\d{4}", pps[0]["hcpcs"]), stay["claim_id"]
        assert {"0420", "0430"} <= {line["revenue"] for line in stay["lines"]}, "IRF patients get therapy daily"
        assert stay["admission_source"] == "4" and stay["pps_excluded"]
        days = day(stay["thru_date"]).toordinal() - day(stay["from_date"]).toordinal()
        assert 3 <= days <= 60 or (stay["discharge_status"] == "30" and days < 3), stay["claim_id"]   # cut at the end
    paid = [stay["paid"] for _, stay in irf if stay["discharge_status"] != "30"]
    assert 15_000 < sum(paid) / len(paid) < 32_000, sum(paid) / len(paid)       # ≈$20-25k a stay (FY2025 IRF PPS)


def test_an_irf_physician_visits_every_other_day_at_the_irf(people):
    """An IRF's rehabilitation physician sees the patient at least 3 days a week (42 CFR 412.622(a)(3)(iv)), at
    place of service 61, without the acute stay's daily consultant."""
    checked = 0
    for insured, claims in people:
        if insured.person is None or insured.person.window_b is None:
            continue        # Part A only: no Part B clinician's claims
        for stay in (c for c in claims if c["type"] == "inpatient" and 3025 <= _ccn_number(c) <= 3099):
            first, last = stay["from_date"], stay["thru_date"]
            days = Counter(c["from_date"] for c in claims if c["type"] == "carrier" and first < c["from_date"] < last
                           and any(line.get("pos") == "61" for line in c["lines"]))
            inside = day(last).toordinal() - day(first).toordinal() - 1
            assert max(days.values(), default=1) == 1, stay["claim_id"]
            assert inside // 2 - 1 <= len(days) <= inside // 2 + 1, (stay["claim_id"], len(days), inside)
            checked += 1
    assert checked >= 5


def test_ltch_stays_follow_an_icu_stay_discharged_to_an_ltch(more_people):
    ltch = _post_acute_stays(more_people, 2000, 2299)
    assert ltch
    for acute, stay in ltch:
        assert acute is not None and acute["discharge_status"] == "63", stay["claim_id"]
        assert any(line["revenue"] == "0200" for line in acute["lines"]), "the LTCH criteria: ICU days before"
        assert day(acute["thru_date"]).toordinal() - day(acute["from_date"]).toordinal() >= 3
        assert stay["pps_excluded"] and stay["drg"] in {"189", "871", "872", "592", "593", "594", "682", "683",
                                                        "684", "949", "950"}
    paid = [stay["paid"] for _, stay in ltch]
    assert 25_000 < sum(paid) / len(paid) < 90_000, paid


def test_no_home_health_or_hospital_admission_begins_inside_a_hospice_election(more_people):
    """A hospice patient's care for the terminal illness is the hospice's (42 CFR 418.24(d)): home health and
    hospital stays end before an election begins and begin only after it ends."""
    elections = 0
    for _, claims in more_people:
        days = set()
        for c in claims:
            if c["type"] == "hospice":
                days.update(range(day(c["from_date"]).toordinal(), day(c["thru_date"]).toordinal() + 1))
        if not days:
            continue
        elections += 1
        for c in claims:
            first, last = day(c["from_date"]).toordinal(), day(c["thru_date"]).toordinal()
            if c["type"] == "hha":
                assert not days & set(range(first, last + 1)), c["claim_id"]
            elif c["type"] == "inpatient":
                assert first not in days, c["claim_id"]
    assert elections > 50


DISCHARGE_DAY = {"99238", "99239", "99315", "99316"}     # hospital and nursing facility discharge-day management


def test_a_stay_still_open_at_the_period_end_has_no_discharge_day_visit(more_people):
    """Discharge status 30 (still a patient): nobody was discharged, so no clinician bills discharge-day management
    on the stay's last day, whether the stay is acute, IRF/LTCH or SNF."""
    checked = Counter()
    for insured, claims in more_people:
        if insured.person is None or insured.person.window_b is None:
            continue
        carrier_codes = defaultdict(set)
        for c in claims:
            if c["type"] == "carrier":
                carrier_codes[c["from_date"]].update(line["hcpcs"].split("-")[0] for line in c["lines"])
        for stay in claims:
            if stay["type"] in ("inpatient", "snf") and stay["discharge_status"] == "30":
                kind = "snf" if stay["type"] == "snf" else "post-acute" if stay.get("pps_excluded") else "acute"
                assert not carrier_codes[stay["thru_date"]] & DISCHARGE_DAY, (kind, stay["claim_id"])
                checked[kind] += 1
    assert checked["acute"] >= 5 and checked["snf"] >= 1, checked


def test_routine_ambulatory_care_stays_out_of_a_hospice_election(more_people):
    """In a hospice election the hospice gives the care of the terminal illness and its attending (the PCP) sees
    the patient; specialists' office visits, ancillary tests, preventive services, office drug courses, hospital
    outpatient visits, tests and procedures do not fall inside it (dialysis and radiation may go on)."""
    from generator.model.care_tables import preventive_services
    preventive = {code for svc in preventive_services() for code in svc.lines}
    elections, pcp_visits = 0, 0
    for insured, claims in more_people:
        days = set()
        for c in claims:
            if c["type"] == "hospice":
                days.update(range(day(c["from_date"]).toordinal(), day(c["thru_date"]).toordinal() + 1))
        if not days or insured.person is None or insured.person.window_b is None:
            continue
        elections += 1
        pcp = insured.person.pcp["npi"]
        for c in claims:
            if day(c["from_date"]).toordinal() not in days:
                continue
            codes = {line.get("hcpcs", "").split("-")[0] for line in c["lines"]}
            if c["type"] == "outpatient":
                revenue = {line["revenue"] for line in c["lines"]}
                assert revenue <= {"0333"} or codes & {"90999"}, (c["claim_id"], sorted(codes))
            elif c["type"] == "carrier":
                assert not codes & preventive, (c["claim_id"], sorted(codes))
                performer = c["lines"][0].get("performing") or {}
                if any(line.get("pos") in ("11", "81") for line in c["lines"]):
                    assert performer.get("npi") == pcp, (c["claim_id"], sorted(codes))
                    pcp_visits += 1
    assert elections > 50 and pcp_visits > 20, (elections, pcp_visits)


def test_a_few_dme_claims_are_medicare_secondary_to_an_employer_plan(people):
    """Medicare Secondary Payer: the working aged (65-74, code A) and working disabled (code G) with an employer's
    group health plan have it pay first on all their DME claims (line_bene_prmry_pyr_cd, the prior payer's amount),
    Medicare the rest; a dual-eligible never; a small share of claims."""
    dme = claims_of(people, "dme")
    msp = [(bene, c) for bene, c in dme if any(line.get("primary_payer") for line in c["lines"])]
    assert 0.005 < len(msp) / len(dme) < 0.06, (len(msp), len(dme))
    payers = {}
    for insured, c in msp:
        person = insured.person
        code = c["lines"][0]["primary_payer"]
        assert not person.dual and ((code == "A" and 65 <= person.age < 75) or (code == "G" and person.age < 65))
        payers[insured.bene["bene_id"]] = code
        for line in c["lines"]:
            assert line["primary_payer"] == code and line["prior_payer"] > 0, c["claim_id"]
            parts = line["paid"] + line["deductible"] + line["coinsurance"] + line["prior_payer"]
            assert abs(parts - line["allowed"]) < 0.005, c["claim_id"]
            assert line["paid"] < line["allowed"] * PART_B_SHARE, "Medicare pays less than it would as primary"
        assert abs(c["prior_payer"] - sum(line["prior_payer"] for line in c["lines"])) < 0.005
    for insured, c in dme:      # a person's DME claims are all secondary, or none
        assert c["lines"][0].get("primary_payer", "") == payers.get(insured.bene["bene_id"], ""), c["claim_id"]


PART_B_SHARE = 0.8
