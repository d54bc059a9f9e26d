"""The four Coverage resources (C4BB-Coverage: Part A, B, C, D) of a `Beneficiary` (data-model.md §3).

The parts differ only by data: which monthly CCW variables they carry, their status and period. A part's status
follows its termination code as BFD derives it (0 active, else cancelled); Part B is also cancelled for someone
never entitled to it (no Part B start date; buy-in 1, "Part A only"), so a reader counting `active`
Part B as fee-for-service agrees with the RIF beneficiary file, which follows the monthly entitlement. A part's
extension array is serialized once per distinct values of the beneficiary fields it reads (most
beneficiaries share their monthly patterns): `serialized_once`.
"""
from __future__ import annotations

import calendar

from dataset_contract.systems import HL7_CODESYSTEM

from ..model.records import Beneficiary
from .codebook import ccw_coding_ext
from .fragments import concept, profile, serialized_once
from .patient import monthly_extensions, reference_year_months, rfrnc_yr_extension

PROFILE = profile("Coverage")
TYPE = {"coding": [{"system": HL7_CODESYSTEM + "v3-ActCode", "code": "SUBSIDIZ"}]}
RELATIONSHIP = concept(HL7_CODESYSTEM + "subscriber-relationship", "self", "Self")
PAYOR = [{"identifier": {"value": "Centers for Medicare and Medicaid Services"}}]
GROUP_CLASS = {"type": concept(HL7_CODESYSTEM + "coverage-class", "group", "Group"), "value": "Medicare"}
CLASSES = {part: [GROUP_CLASS, {"type": concept(HL7_CODESYSTEM + "coverage-class", "plan", "Plan"),
                                "value": "Part " + part.upper()}] for part in "abcd"}
NOT_MA = ""  # part_c entry of a fee-for-service month


def _part_a_extensions(bene, months):
    return [
        ccw_coding_ext("ms_cd", bene["ms_cd"]), ccw_coding_ext("orec", bene["orec"]),
        ccw_coding_ext("crec", bene["crec"]), ccw_coding_ext("esrd_ind", "Y" if bene["esrd"] else "0"),
        ccw_coding_ext("a_trm_cd", bene["a_trm_cd"]), rfrnc_yr_extension(bene),
        *monthly_extensions("dual_", bene["dual"], months), *monthly_extensions("buyin", bene["buyin"], months),
    ]


def _part_b_extensions(bene, months):
    return [
        ccw_coding_ext("ms_cd", bene["ms_cd"]), ccw_coding_ext("b_trm_cd", bene["b_trm_cd"]), rfrnc_yr_extension(bene),
        *monthly_extensions("dual_", bene["dual"], months), *monthly_extensions("buyin", bene["buyin"], months),
    ]


def _part_c_extensions(bene, months):
    contracts = [c or "0" for c in bene["part_c"]]
    enrolled = [(i, mm) for i, mm in months if bene["part_c"][i] != NOT_MA]
    return [
        *monthly_extensions("ptc_cntrct_id_", contracts, months),
        *[ccw_coding_ext(f"ptc_pbp_id_{mm}", bene["part_c_pbp"]) for _, mm in enrolled],
        *[ccw_coding_ext(f"ptc_plan_type_cd_{mm}", bene["part_c_plan_type"]) for _, mm in enrolled],
        *[ccw_coding_ext(f"hmo_ind_{mm}", "C" if bene["part_c"][i] != NOT_MA else "0") for i, mm in months],
        rfrnc_yr_extension(bene), *monthly_extensions("dual_", bene["dual"], months),
    ]


def _part_d_extensions(bene, months):
    history = [ccw_coding_ext(f"ptdcntrct{month[5:]}", contract, f"/{month[:4]}-{int(month[5:])}")
               for month, contract in zip(bene["months"], bene["part_d"])]
    enrolled = [(i, mm) for i, mm in months if bene["part_d"][i] != "0"]
    return [
        ccw_coding_ext("ms_cd", bene["ms_cd"]),
        *monthly_extensions("ptdcntrct", bene["part_d"], months),
        *history,
        *[ccw_coding_ext(f"ptdpbpid{mm}", bene["part_d_pbp"]) for _, mm in enrolled],
        *[ccw_coding_ext(f"sgmtid{mm}", bene["part_d_segment"]) for _, mm in enrolled],
        *monthly_extensions("cstshr", bene["cstshr"], months),
        *monthly_extensions("rdsind", bene["rdsind"], months),
        rfrnc_yr_extension(bene), *monthly_extensions("dual_", bene["dual"], months),
    ]


def _period(start: str | None, end: str | None) -> dict | None:
    if not start:
        return None
    return {"start": start, "end": end} if end else {"start": start}


def _part_d_period(bene, months) -> dict | None:
    """First to last enrolled day of the reference year (BFD derives it from the monthly contracts)."""
    enrolled = [bene["months"][i] for i, _ in months if bene["part_d"][i] != "0"]
    if not enrolled:
        return None
    last = enrolled[-1]
    last_day = calendar.monthrange(int(last[:4]), int(last[5:]))[1]
    end = f"{last}-{last_day:02d}"
    if bene["death_date"] and bene["death_date"] < end:
        end = bene["death_date"]
    return {"start": enrolled[0] + "-01", "end": end}


def _extensions(build, *keys: str):
    """A part's extension builder serialized once per distinct values of the fields it reads."""
    return serialized_once(("ref_year", "months", "dual", *keys), lambda b: build(b, reference_year_months(b)))


PARTS = (  # part, extensions, status, period
    ("a", _extensions(_part_a_extensions, "ms_cd", "orec", "crec", "esrd", "a_trm_cd", "buyin"),
     lambda b: "active" if b["a_trm_cd"] == "0" else "cancelled",
     lambda b, m: _period(b["part_a_start"], b["part_a_end"])),
    ("b", _extensions(_part_b_extensions, "ms_cd", "b_trm_cd", "buyin"),
     lambda b: "active" if b["b_trm_cd"] == "0" and b["part_b_start"] else "cancelled",
     lambda b, m: _period(b["part_b_start"], b["part_b_end"])),
    ("c", _extensions(_part_c_extensions, "part_c", "part_c_pbp", "part_c_plan_type"),
     lambda b: "active", lambda b, m: None),
    ("d", _extensions(_part_d_extensions, "ms_cd", "part_d", "part_d_pbp", "part_d_segment", "cstshr", "rdsind"),
     lambda b: "active", _part_d_period),
)


def coverage_resources(bene: Beneficiary) -> list[dict]:
    """Parts A, B, C, D; each extension array is an orjson.Fragment (orjson.dumps writes it; loads gives the list)."""
    months = reference_year_months(bene)
    meta = {"lastUpdated": bene["last_updated"], "profile": PROFILE}
    beneficiary = {"reference": "Patient/" + bene["bene_id"]}
    resources = []
    for part, extensions, status, period in PARTS:
        resource = {
            "resourceType": "Coverage", "id": f"part-{part}-{bene['bene_id']}", "meta": meta,
            "extension": extensions(bene), "status": status(bene), "type": TYPE,
            "subscriberId": bene["mbi"], "beneficiary": beneficiary, "relationship": RELATIONSHIP,
        }
        span = period(bene, months)
        if span is not None:
            resource["period"] = span
        resource["payor"] = PAYOR
        resource["class"] = CLASSES[part]
        resources.append(resource)
    return resources
