"""Patient (C4BB-Patient) from a `Beneficiary`, shaped like BB2 v2 (data-model.md §2).

The extension array depends on a few fields that most beneficiaries share (sex, race, the monthly dual
statuses), so it is serialized once per distinct values (`serialized_once`).
"""
from __future__ import annotations

from dataset_contract.systems import MBI_SYSTEM, BB_CODESYSTEM, BB_VARIABLES, HL7_CODESYSTEM

from ..model.records import Beneficiary
from .codebook import ccw_coding_ext
from .fragments import profile, serialized_once

PROFILE = profile("Patient")
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
SEX_EXTENSIONS = {
    sex: {"url": US_CORE + "us-core-sex", "valueCode": code}
    for sex, code in (("male", "248153007"), ("female", "248152002"))
}
US_CORE_RACE_UNKNOWN = {  # BB2 always sends UNK here; the CCW race is the separate `race` extension
    "url": US_CORE + "us-core-race",
    "extension": [
        {"url": "ombCategory",
         "valueCoding": {"system": HL7_CODESYSTEM + "v3-NullFlavor", "code": "UNK", "display": "Unknown"}},
        {"url": "text", "valueString": "Unknown"},
    ],
}
BENE_ID_TYPE = {"coding": [{"system": HL7_CODESYSTEM + "v2-0203", "code": "MB", "display": "Member Number"}]}
MBI_TYPE_CURRENT = {"coding": [{
    "extension": [{
        "url": BB_CODESYSTEM + "identifier-currency",
        "valueCoding": {"system": BB_CODESYSTEM + "identifier-currency", "code": "current", "display": "Current"},
    }],
    "system": HL7_CODESYSTEM + "v2-0203", "code": "MC", "display": "Patient's Medicare number",
}]}


def reference_year_months(bene: Beneficiary) -> list[tuple[int, str]]:
    """(index into the monthly lists, "MM") for each month of the reference year present in the period."""
    prefix = f"{bene['ref_year']}-"
    return [(i, month[5:]) for i, month in enumerate(bene["months"]) if month.startswith(prefix)]


def rfrnc_yr_extension(bene: Beneficiary) -> dict:
    return {"url": BB_VARIABLES + "rfrnc_yr", "valueDate": str(bene["ref_year"])}


def monthly_extensions(variable: str, values: list[str], months: list[tuple[int, str]]) -> list[dict]:
    """`<variable>MM` extensions for the reference-year months (e.g. `dual_03`, `buyin03`)."""
    return [ccw_coding_ext(variable + mm, values[i]) for i, mm in months]


def _extensions(bene: dict) -> list[dict]:
    extension = []
    if bene["sex"] in SEX_EXTENSIONS:
        extension.append(SEX_EXTENSIONS[bene["sex"]])
    extension.append(ccw_coding_ext("race", bene["race"]))
    extension.append(US_CORE_RACE_UNKNOWN)
    extension.append(rfrnc_yr_extension(bene))
    extension += monthly_extensions("dual_", bene["dual"], reference_year_months(bene))
    return extension


EXTENSIONS = serialized_once(("sex", "race", "ref_year", "months", "dual"), _extensions)


def patient_resource(bene: Beneficiary) -> dict:
    """The Patient; its extension array is an orjson.Fragment (orjson.dumps writes it; loads gives the list)."""
    mbi = {"type": MBI_TYPE_CURRENT, "system": MBI_SYSTEM, "value": bene["mbi"]}
    if bene.get("mbi_effective"):
        mbi["period"] = {"start": bene["mbi_effective"]}
    resource = {
        "resourceType": "Patient",
        "id": bene["bene_id"],
        "meta": {"lastUpdated": bene["last_updated"], "profile": PROFILE},
        "extension": EXTENSIONS(bene),
        "identifier": [
            {"type": BENE_ID_TYPE, "system": BB_VARIABLES + "bene_id", "value": bene["bene_id"]},
            mbi,
        ],
        "name": [{"use": "usual", "family": bene["family"],
                  "given": [bene["given"], bene["middle_initial"]] if bene["middle_initial"] else [bene["given"]]}],
        "gender": bene["sex"] if bene["sex"] in SEX_EXTENSIONS else "unknown",
        "birthDate": bene["birth_date"],
    }
    if bene["death_date"]:
        resource["deceasedDateTime"] = bene["death_date"]
    else:
        resource["deceasedBoolean"] = False
    resource["address"] = [{"state": bene["state"], "postalCode": bene["zip"]}]
    return resource
