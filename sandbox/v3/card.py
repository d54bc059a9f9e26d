"""The CARIN Digital Insurance Card (C4DIC) Bundle for `$generate-insurance-card`, built from the store.

A `collection` Bundle: the member (C4DIC-Patient), the payer (C4DIC-Organization, CMS) and one
C4DIC-Coverage per Medicare part the beneficiary has, all from the stored Patient and Coverage resources.
Ids are the stored (v2) ones; the v3 route rewrites them like any other v3 body.
"""
from __future__ import annotations

import uuid
from datetime import datetime, UTC

import orjson

from sandbox.store import MBI_SYSTEM

C4DIC = "http://hl7.org/fhir/us/insurance-card/StructureDefinition/"
PAYER_ID = "c4dic-cms"
MEMBER_ID_TYPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MB",
                              "display": "Member Number"}]}
_COVERAGE_FIELDS = ("status", "type", "subscriberId", "relationship", "period", "class")


def _meta(profile: str, last_updated: str) -> dict:
    return {"lastUpdated": last_updated, "profile": [C4DIC + profile]}


def _mbi(patient: dict) -> str | None:
    return next((i["value"] for i in patient.get("identifier", []) if i.get("system") == MBI_SYSTEM), None)


def _member(patient: dict, mbi: str | None) -> dict:
    member = {"resourceType": "Patient", "id": patient["id"],
              "meta": _meta("C4DIC-Patient", patient["meta"]["lastUpdated"])}
    if mbi:
        member["identifier"] = [{"type": MEMBER_ID_TYPE, "system": MBI_SYSTEM, "value": mbi}]
    member.update({k: patient[k] for k in ("name", "gender", "birthDate", "address") if k in patient})
    return member


def _payer(last_updated: str) -> dict:
    return {"resourceType": "Organization", "id": PAYER_ID, "meta": _meta("C4DIC-Organization", last_updated),
            "active": True, "name": "Centers for Medicare and Medicaid Services",
            "telecom": [{"system": "phone", "value": "1-800-633-4227", "use": "work"},
                        {"system": "url", "value": "https://www.medicare.gov", "use": "work"}]}


def _card_coverage(coverage: dict, patient_id: str, mbi: str | None) -> dict:
    card = {"resourceType": "Coverage", "id": coverage["id"],
            "meta": _meta("C4DIC-Coverage", coverage["meta"]["lastUpdated"])}
    if mbi:
        card["identifier"] = [{"type": MEMBER_ID_TYPE, "system": MBI_SYSTEM, "value": mbi}]
    card.update({k: coverage[k] for k in _COVERAGE_FIELDS if k in coverage})
    card["beneficiary"] = {"reference": f"Patient/{patient_id}"}
    card["payor"] = [{"reference": f"Organization/{PAYER_ID}"}]
    return card


def insurance_card(base_url: str, patient_raw: bytes, coverages_raw: list[bytes]) -> bytes:
    """The card Bundle's bytes; `base_url` (…/v3/fhir) makes the entries' fullUrls."""
    patient = orjson.loads(patient_raw)
    mbi = _mbi(patient)
    coverages = [orjson.loads(raw) for raw in coverages_raw]
    newest = max([patient["meta"]["lastUpdated"], *(c["meta"]["lastUpdated"] for c in coverages)])
    resources = [_member(patient, mbi), _payer(newest),
                 *(_card_coverage(c, patient["id"], mbi) for c in coverages)]
    return orjson.dumps({
        "resourceType": "Bundle", "id": str(uuid.uuid4()), "meta": {"lastUpdated": newest},
        "type": "collection", "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "entry": [{"fullUrl": f"{base_url}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources],
    })
