"""The code vocabulary: the tables' codes are real and consistent (billable ICD-10-CM, a reason for every visit kind,
modifiers that fit their codes), and a small default-profile run bills them that way: every diagnosis billable, a
chronic condition only on the claims of a clinician who treats it (or orders for it), modifiers on the codes they
belong to, and a vocabulary far wider than one code per condition."""
from __future__ import annotations

import pytest
import simple_icd_10_cm as icd

from dataset_contract.systems import EOB_TYPE_SYSTEM, ICD10CM_SYSTEM
from generator import tables
from generator.model.care_tables import CONDITION, visit_kinds, visit_reasons
from generator.model.coding import hcpcs_table, split_modifiers
from generator.model.providers import PRIMARY_CARE
from generator.pipeline.shard import shard_people
from generator.profile import load_profile
from generator.quality.joint.ambulatory import SPECIALTY_SYSTEM, Ambulatory

# The HCPCS kinds (hcpcs table) each modifier belongs on: CMS's modifier definitions (HCPCS Level II, CPT appendix A)
MODIFIER_KINDS = {
    "26": {"imaging", "ecg"}, "TC": {"imaging", "ecg"},                 # professional / technical component
    "JZ": {"drug"}, "JW": {"drug"},                                     # single-dose drug wastage (since 2023)
    "QW": {"lab"},                                                      # CLIA-waived test
    "GP": {"therapy"}, "GO": {"therapy"}, "GN": {"therapy"},            # PT / OT / SLP plan of care
    "AT": {"therapy"},                                                  # chiropractic active treatment
    "25": {"em_office", "em_ed", "em_hospital", "awv"},                 # separately identifiable E/M
    "95": {"em_office", "psych", "care_management"},                    # telehealth
    "RT": {"procedure", "surgery", "eye", "imaging", "dme"},           # a side: joint replacement, arthroscopy…
    "LT": {"procedure", "surgery", "eye", "imaging", "dme"},
    "KX": {"dme"}, "RR": {"dme"}, "NU": {"dme"},
}


def _billable(code: str) -> bool:
    dotted = code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"
    return icd.is_valid_item(dotted) and icd.is_leaf(dotted)


def test_every_visit_kind_reason_is_an_acute_reason_or_the_kinds_condition():
    acute = {r["reason"] for r in tables.table("acute_codes")}
    kinds = {(k.spec.name, k.kind): k for ks in visit_kinds().values() for k in ks}
    for (claim_type, kind), reasons in visit_reasons().items():
        assert (claim_type, kind) in kinds, kind
        assert set(reasons.reasons) <= acute | {CONDITION}, kind
        # "condition" names the person's code for a condition the kind treats: a kind treating none carries any
        assert reasons.carries is None or reasons.carries == frozenset(kinds[claim_type, kind].conditions)
    for r in tables.table("visit_reasons"):
        assert float(r["weight"]) > 0
    # every professional visit kind says what it is billed for
    assert [k.kind for k in visit_kinds()["carrier"] if ("carrier", k.kind) not in visit_reasons()] == []


def test_every_visit_kind_specialty_is_a_specialty_of_the_provider_pool():
    codes = {r["code"] for r in tables.table("specialties")}
    assert {k.specialty for ks in visit_kinds().values() for k in ks} - codes <= {"pcp", "dme"}


def test_modifiers_of_the_visit_tables_fit_their_codes():
    known = {r["modifier"] for r in tables.table("modifiers")}
    seen = set()
    for ks in visit_kinds().values():
        for k in ks:
            for _, hcpcs, _ in k.main + k.extra:
                code, modifiers = split_modifiers(hcpcs)
                kind = hcpcs_table()[code]["kind"]
                for m in modifiers:
                    assert m in known, hcpcs
                    assert kind in MODIFIER_KINDS.get(m, {kind}), (hcpcs, kind)
                    seen.add(m)
    assert {"26", "JZ", "QW", "GP", "GO", "GN", "AT", "RT", "LT"} <= seen


def test_sex_specific_codes_of_the_tables_have_their_sex_edit():
    male = tuple(r["prefix"] for r in tables.table("sex_edits") if r["sex"] == "male")
    codes = {r["icd10"] for name in ("condition_codes", "acute_codes") for r in tables.table(name)}
    # prostate, male genital organs, PSA and a history of prostate cancer: men only (MCE sex edits)
    for code in codes:
        if code.startswith(("C61", "D075", "N40", "N52", "R972", "Z8546")):
            assert code.startswith(male), code


@pytest.fixture(scope="module")
def people():
    """(beneficiary, claims) of 400 default-profile beneficiaries."""
    return list(shard_people(load_profile("default"), 11, 0, 0, 400))


def test_every_diagnosis_billed_is_a_billable_icd10cm_code(people):
    codes = {d["code"] for _, claims in people for c in claims for d in c.get("diagnoses") or ()}
    assert len(codes) > 500
    assert sorted(c for c in codes if not _billable(c)) == []


def _treats() -> dict[str, frozenset[str] | None]:
    """Specialty → the chronic conditions its office claims may carry (None: any), from the visit tables."""
    out: dict[str, set[str] | None] = dict.fromkeys(PRIMARY_CARE)
    for k in visit_kinds()["carrier"]:
        if k.specialty in ("pcp", "dme") or out.get(k.specialty, set()) is None:
            continue
        reasons = visit_reasons().get(("carrier", k.kind))
        if reasons is not None and reasons.carries is None:
            out[k.specialty] = None
        else:
            out.setdefault(k.specialty, set()).update(k.conditions)
    return {s: None if c is None else frozenset(c) for s, c in out.items()}


def test_a_chronic_condition_is_only_on_the_office_claims_of_a_clinician_who_treats_it(people):
    """A dermatologist's or chiropractor's claim carries no heart failure code; a cardiologist's no COPD code."""
    condition_of = {r["icd10"]: r["condition"] for r in tables.table("condition_codes")}
    treats = _treats()
    assert treats["07"] == frozenset() and "heart_failure" in treats["06"] and treats["69"] is None
    checked = 0
    for _, claims in people:
        for c in claims:
            if c["type"] != "carrier" or c["lines"][0]["pos"] != "11":
                continue
            performer = c["lines"][0]["performing"] or c["provider"]
            allowed = treats.get(performer["specialty"], None)
            if allowed is None:
                continue
            carried = {condition_of[d["code"]] for d in c["diagnoses"] if d["code"] in condition_of}
            assert carried <= allowed, (performer["specialty"], carried)
            checked += 1
    assert checked > 500


def test_modifiers_billed_fit_their_codes(people):
    lines = modified = 0
    for _, claims in people:
        for c in claims:
            if c["type"] != "carrier":
                continue
            for line in c["lines"]:
                lines += 1
                modified += bool(line["modifiers"])
                kind = hcpcs_table()[line["hcpcs"]]["kind"]
                for m in line["modifiers"]:
                    assert kind in MODIFIER_KINDS.get(m, {kind}), (line["hcpcs"], m)
                if kind == "drug" and line["hcpcs"].startswith("J") and line["hcpcs"] not in MULTI_DOSE:
                    assert "JZ" in line["modifiers"] or "JW" in line["modifiers"], line["hcpcs"]
    assert 0.2 <= modified / lines <= 0.4        # issue 14: real carrier lines carry modifiers on ≈20–40%


MULTI_DOSE = {"J1100", "J3301", "J1030", "J1040", "J0696", "J1885"}
"""Part B drugs usually drawn from multi-dose vials: no JZ/JW (CMS: JW/JZ apply to single-dose containers)."""


def test_the_carrier_vocabulary_is_wide(people):
    hcpcs = {line["hcpcs"] for _, claims in people for c in claims if c["type"] == "carrier" for line in c["lines"]}
    assert len(hcpcs) >= 250


def test_the_joint_figure_counts_heart_and_lung_codes_on_dermatology_claims():
    """`medisynth stats` reads the specialty from the care team's CMS specialty coding and the codes from the EOB."""
    def eob(specialty: str, *codes: str) -> dict:
        return {"type": {"coding": [{"system": EOB_TYPE_SYSTEM, "code": "CARRIER"}]},
                "patient": {"reference": "Patient/-1"},
                "careTeam": [{"sequence": 1, "qualification": {"coding": [{"system": SPECIALTY_SYSTEM,
                                                                            "code": specialty}]}}],
                "diagnosis": [{"diagnosisCodeableConcept": {"coding": [{"system": ICD10CM_SYSTEM, "code": c}]}}
                              for c in codes], "item": []}

    figures = Ambulatory()
    for e in (eob("07", "L57.0"), eob("07", "L82.1", "I50.22"), eob("35", "M99.03"), eob("06", "I50.22")):
        figures.see(e, None)
    row = next(r for r in figures.rows({}, set(), 0.0) if r.name.startswith("derm/chiro"))
    assert row.observed == pytest.approx(1 / 3) and row.ok is False
