"""ExplanationOfBenefit for all eight claim types: one shared machinery driven by `claim_types.TYPES`.

Each builder below makes one part of the resource (careTeam, diagnosis, items, …) in the style the
claim type's table entry names; constant fragments come precomputed from the table. Key order
follows BFD's v2 responses (data-model.md §4).
"""
from __future__ import annotations

from functools import lru_cache

import orjson

from ..records import Claim, Beneficiary
from .claim_types import TYPES, ClaimType
from .codebook import VARIABLES, ccw_coding, ccw_coding_ext
from .fragments import (BB_CS, C4BB_CS, HL7_CS, NDC_SYSTEM, NPI_SYSTEM, NUCC_SYSTEM,
                        ccw_concept, concept, money, npi_identifier, profile)

UC_TYPE = concept(C4BB_CS + "C4BBIdentifierType", "uc", "Unique Claim ID")
CLAIM_GROUP_SYSTEM = "https://bluebutton.cms.gov/resources/identifier/claim-group"
INSURER = {"identifier": {"value": "CMS"}}
PROVIDER_ORG_REF = {"reference": "#provider-org"}
ORG_PROFILE = {"profile": profile("Organization")}
PRN_TYPE = {"coding": [{"system": HL7_CS + "v2-0203", "code": "PRN"}]}
ORG_NPI_TYPE = {"coding": [{"system": C4BB_CS + "C4BBIdentifierType", "code": "npi"}]}
ROLE_SYSTEM = C4BB_CS + "C4BBClaimCareTeamRole"
ROLES = {role: concept(ROLE_SYSTEM, role, display) for role, display in (
    ("referring", "Referring"), ("performing", "Performing provider"), ("attending", "Attending"),
    ("operating", "Operating"), ("prescribing", "Prescribing provider"))}
ROLES["primary"] = concept(HL7_CS + "claimcareteamrole", "primary", "Primary provider")
PARTICIPATING = [ccw_coding_ext("prtcptng_ind_cd", "1")]
DIAGNOSIS_TYPES = {
    ("principal", "professional"): concept(HL7_CS + "ex-diagnosistype", "principal", "principal"),
    ("principal", "institutional"): concept(HL7_CS + "ex-diagnosistype", "principal", "Principal Diagnosis"),
    "admitting": concept(HL7_CS + "ex-diagnosistype", "admitting", "Admitting Diagnosis"),
    "secondary": concept(C4BB_CS + "C4BBClaimDiagnosisType", "secondary", "Secondary"),
    "other": concept(C4BB_CS + "C4BBClaimDiagnosisType", "other", "Other"),
    "external": concept(C4BB_CS + "C4BBClaimDiagnosisType", "externalcauseofinjury", "External Cause of Injury"),
}
ICD10_CM, ICD10, ICD10_PCS = ("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10",
                              "http://www.cms.gov/Medicare/Coding/ICD10")
HCPCS_SYSTEM = BB_CS + "hcpcs"
DATA_ABSENT = {"system": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "code": "NULL",
               "display": "Data Absent Reason"}


@lru_cache(maxsize=1 << 14)
def _two_codings(first_system: str, code: str, display: str) -> dict:
    """ICD codes travel as two codings with the same code and display (data-model.md §6); shared, never mutated."""
    return {"coding": [{"system": first_system, "code": code, "display": display},
                       {"system": ICD10, "code": code, "display": display}]}


def _member(seq: int, role: str, provider: dict, qualification: bool, extension=None, responsible=False):
    """A careTeam entry, serialized once per distinct (sequence, role, provider, flags)."""
    named = provider["kind"] == "org" or role in ("prescribing", "referring")
    return _member_fragment(seq, role, provider["npi"], provider["name"] if named else None,
                            provider["taxonomy"] if qualification else None,
                            provider["specialty"] if extension else None, qualification, extension is not None,
                            responsible)


@lru_cache(maxsize=1 << 16)
def _member_fragment(seq, role, npi, display, taxonomy, specialty, qualification, participating,
                     responsible) -> orjson.Fragment:
    member = {"extension": PARTICIPATING} if participating else {}
    member["sequence"] = seq
    member["provider"] = {"identifier": npi_identifier(npi)}
    if display is not None:
        member["provider"]["display"] = display
    if responsible:
        member["responsible"] = True
    member["role"] = ROLES[role]
    if qualification:
        codings = [{"system": NUCC_SYSTEM, "code": taxonomy}]
        if participating:  # professional performers also carry the CMS specialty
            codings.append(ccw_coding("prvdr_spclty", specialty))
        member["qualification"] = {"coding": codings}
    return orjson.Fragment(orjson.dumps(member))


def _care_team(ct: ClaimType, claim: Claim) -> tuple[list[dict], list[list[int]]]:
    """careTeam entries and, per line, the careTeamSequence it links to."""
    team: list[dict] = []
    if ct.style == "pharmacy":
        team.append(_member(1, "prescribing", claim["prescriber"], True))
        return team, [[1]]
    heads = ("referring",) if ct.style == "professional" else ("attending", "operating")
    for role in heads:
        if claim.get(role):
            team.append(_member(len(team) + 1, role, claim[role], ct.style == "institutional"))
    performers: dict[str, int] = {}
    line_links = []
    for line in claim["lines"]:
        performer = line.get("performing") or (claim["provider"] if ct.name == "dme" else None)
        if performer is None:
            line_links.append([1] if team else [])
            continue
        if performer["npi"] not in performers:
            performers[performer["npi"]] = len(team) + 1
            professional = ct.style == "professional"
            team.append(_member(len(team) + 1, "performing", performer, True,
                                PARTICIPATING if professional else None, responsible=professional))
        line_links.append([performers[performer["npi"]]])
    if ct.name == "carrier":  # the billing provider closes the team and every line links to it
        team.append(_member(len(team) + 1, "primary", claim["provider"], False))
        line_links = [links + [len(team)] for links in line_links]
    return team, line_links


def _diagnoses(ct: ClaimType, claim: Claim) -> list[dict]:
    result = []
    poa_counts = {"clm_poa_ind_sw": 0, "clm_e_poa_ind_sw": 0}
    for seq, dx in enumerate(claim["diagnoses"], 1):
        role = dx["role"]
        poa_variable = None
        if ct.poa and role != "admitting":
            variable = "clm_e_poa_ind_sw" if role == "external" else "clm_poa_ind_sw"
            poa_counts[variable] += 1
            if dx["poa"]:
                poa_variable = f"{variable}{poa_counts[variable]}"
        if role == "principal":
            dx_type = ("principal", ct.diagnosis_style)
        elif role == "secondary" and ct.diagnosis_style == "institutional":
            dx_type = "other"
        else:
            dx_type = role
        result.append(_diagnosis(seq, dx["code"], dx["display"], dx_type, poa_variable, dx["poa"]))
    return result


@lru_cache(maxsize=1 << 15)
def _diagnosis(seq: int, code: str, display: str, dx_type, poa_variable: str | None, poa: str) -> dict:
    """One diagnosis entry (shared between claims with the same one; never mutated)."""
    entry = {"extension": [ccw_coding_ext(poa_variable, poa)]} if poa_variable else {}
    entry["sequence"] = seq
    entry["diagnosisCodeableConcept"] = _two_codings(ICD10_CM, code, display)
    entry["type"] = [DIAGNOSIS_TYPES[dx_type]]
    return entry


def _procedures(claim: Claim) -> list[dict]:
    return [{"sequence": seq, "date": proc["date"] + "T00:00:00+00:00",
             "procedureCodeableConcept": _two_codings(ICD10_PCS, proc["code"], proc["display"])}
            for seq, proc in enumerate(claim["procedures"], 1)]


def _supporting_info(ct: ClaimType, claim: Claim) -> list[dict]:
    result = []
    for category, build in ct.supporting_info:
        value = build(claim)
        if value is None:
            continue
        entry = {"sequence": len(result) + 1, "category": category}
        entry[value[0]] = value[1]
        result.append(entry)
    return result


def _product(ct: ClaimType, line) -> dict:
    return _product_of(ct.style == "pharmacy", ct.hcpcs_cd_coding, line.get("hcpcs"), line.get("hcpcs_display"),
                       line.get("ndc"), line.get("drug"))


@lru_cache(maxsize=1 << 14)
def _product_of(pharmacy: bool, hcpcs_cd_coding: bool, hcpcs, hcpcs_display, ndc, drug) -> dict:
    """productOrService (shared between lines with the same codes; never mutated)."""
    if pharmacy:
        return {"coding": [{"system": NDC_SYSTEM, "code": ndc, "display": drug}]}
    product = {}
    if ndc:
        product["extension"] = [{"url": NDC_SYSTEM, "valueCoding": {"system": NDC_SYSTEM, "code": ndc, "display": drug}}]
    if not hcpcs:  # R4 requires productOrService: BFD's absent-code coding for revenue-only lines
        product["coding"] = [DATA_ABSENT]
        return product
    coding = {"system": HCPCS_SYSTEM, "code": hcpcs}
    if hcpcs_display:
        coding["display"] = hcpcs_display
    product["coding"] = [{"system": VARIABLES + "hcpcs_cd", "code": hcpcs}, coding] if hcpcs_cd_coding else [coding]
    return product


def _modifiers(line) -> list[dict]:
    return [{"coding": [{"system": HCPCS_SYSTEM, "code": modifier}]} for modifier in line.get("modifiers") or ()]


def _professional_item(ct, claim, line, head) -> dict:
    extension = [ccw_coding_ext("betos_cd", line["betos"])] if line.get("betos") else []
    item = {"extension": extension + list(ct.line_extensions), **head}
    if line.get("dx_index", -1) >= 0:
        item["diagnosisSequence"] = [line["dx_index"] + 1]
    item["category"] = ccw_concept("line_cms_type_srvc_cd", line.get("type_of_service", "1"))
    item["productOrService"] = _product(ct, line)
    if line.get("modifiers"):
        item["modifier"] = _modifiers(line)
    item["servicedPeriod"] = {"start": line["from_date"], "end": line["thru_date"]}
    where = line.get("performing") or claim["provider"]
    item["locationCodeableConcept"] = _location(where["state"], where["zip"], line["pos"])
    return item


@lru_cache(maxsize=1 << 14)
def _location(state: str, zip_: str, pos: str) -> dict:
    """A professional line's locationCodeableConcept (shared; never mutated)."""
    return {"extension": [ccw_coding_ext("prvdr_state_cd", state), ccw_coding_ext("prvdr_zip", zip_)],
            "coding": [ccw_coding("line_place_of_srvc_cd", pos)]}


def _revenue(ct: ClaimType, line) -> dict:
    code = {"system": VARIABLES + "rev_cntr", "code": line["revenue"]}
    if line.get("revenue_display"):
        code["display"] = line["revenue_display"]
    revenue = {}
    if ct.revenue_status:
        revenue["extension"] = [ccw_coding_ext("rev_cntr_stus_ind_cd", ct.revenue_status(line))]
    revenue["coding"] = [code, *ct.revenue_codings]
    return revenue


def _institutional_item(ct, claim, line, head) -> dict:
    item = {}
    if line.get("quantity"):
        item["extension"] = [{"url": VARIABLES + "rev_cntr_unit_cnt", "valueQuantity": {"value": line["quantity"]}}]
    item.update(head)
    item["revenue"] = _revenue(ct, line)
    item["productOrService"] = _product(ct, line)
    if line.get("modifiers"):
        item["modifier"] = _modifiers(line)
    if ct.line_date:
        item["servicedDate"] = line["from_date"]
    item["locationAddress"] = {"state": claim["provider"]["state"]}
    return item


def _pharmacy_item(ct, claim, line, head) -> dict:
    return {**head, "productOrService": _product(ct, line), "servicedDate": claim["from_date"]}


ITEM_BUILDERS = {"professional": _professional_item, "institutional": _institutional_item,
                 "pharmacy": _pharmacy_item}


def _items(ct: ClaimType, claim: Claim, line_links: list[list[int]]) -> list[dict]:
    items = []
    build = ITEM_BUILDERS[ct.style]
    for seq, line in enumerate(claim["lines"], 1):
        head = {"sequence": seq, "careTeamSequence": line_links[seq - 1]} if line_links[seq - 1] else {"sequence": seq}
        item = build(ct, claim, line, head)
        item["quantity"] = {"value": line.get("quantity", 1)}
        item["adjudication"] = ct.line_adjudication.fill(line)
        items.append(item)
    return items


def _contained_org(provider) -> list[dict]:
    return [{
        "resourceType": "Organization", "id": "provider-org", "meta": ORG_PROFILE,
        "identifier": [{"type": PRN_TYPE, "value": provider["ccn"]},
                       {"type": ORG_NPI_TYPE, "system": NPI_SYSTEM, "value": provider["npi"]}],
        "active": True, "name": provider["name"],
    }]


def _provider(ct: ClaimType, claim: Claim) -> dict:
    provider = claim["provider"]
    if ct.style == "institutional":
        return PROVIDER_ORG_REF
    if ct.name == "carrier":
        return {"identifier": {"system": VARIABLES + "carr_clm_blg_npi_num", "value": provider["npi"]}}
    if ct.name == "dme":
        return {"type": "Practitioner", "identifier": {"system": NPI_SYSTEM, "value": provider["npi"]},
                "display": provider["name"]}
    return {"identifier": {"system": NPI_SYSTEM, "value": provider["npi"]}}


def _facility(ct: ClaimType, claim: Claim) -> dict:
    if ct.style == "pharmacy":
        pharmacy = claim["provider"]
        return {"extension": [ccw_coding_ext("phrmcy_srvc_type_cd", claim.get("pharmacy_type", "01"))],
                "identifier": {"type": ORG_NPI_TYPE, "value": pharmacy["npi"]}, "display": pharmacy["name"]}
    facility_type = claim.get("type_of_bill", "")[:1] or ct.facility_type
    return {"extension": [ccw_coding_ext("clm_fac_type_cd", facility_type)]}


def _insurance(ct: ClaimType, claim: Claim) -> list[dict]:
    coverage = {"reference": f"Coverage/part-{ct.part}-{claim['bene_id']}"}
    if ct.style == "pharmacy":
        coverage = {"extension": [
            {"url": VARIABLES + variable, "valueIdentifier": {"system": VARIABLES + variable, "value": claim[key]}}
            for variable, key in (("plan_cntrct_rec_id", "contract"), ("plan_pbp_rec_num", "pbp"))], **coverage}
    return [{"focal": True, "coverage": coverage}]


def eob_resource(claim: Claim, bene: Beneficiary) -> dict:
    """The ExplanationOfBenefit of one claim as plain dicts and lists (for callers that read it)."""
    return orjson.loads(eob_json(claim, bene))


def eob_json(claim: Claim, bene: Beneficiary) -> bytes:
    """The ExplanationOfBenefit of one claim serialized (compact JSON, no trailing newline)."""
    return orjson.dumps(_eob_document(claim, bene))


def _eob_document(claim: Claim, bene: Beneficiary) -> dict:
    """The ExplanationOfBenefit of one claim, ready for orjson: its templated arrays are `orjson.Fragment`s.
    (The beneficiary supplies nothing the claim lacks today.)"""
    ct = TYPES[claim["type"]]
    claim_id = claim["claim_id"]
    eob = {"resourceType": "ExplanationOfBenefit", "id": f"{claim['type']}-{claim_id}",
           "meta": {"lastUpdated": claim["last_updated"], "profile": ct.profile}}
    if ct.style == "institutional":
        eob["contained"] = _contained_org(claim["provider"])
    header = [build(claim) for build in ct.header_extensions]
    if header:
        eob["extension"] = header
    identifiers = [{"type": UC_TYPE, "system": VARIABLES + ct.id_variable, "value": claim_id},
                   {"type": UC_TYPE, "system": CLAIM_GROUP_SYSTEM, "value": claim["group_id"]}]
    if ct.style == "pharmacy":
        identifiers.append({"type": UC_TYPE, "system": VARIABLES + "rx_srvc_rfrnc_num",
                            "value": claim_id.lstrip("-")[-12:]})
    eob["identifier"] = identifiers
    eob["status"] = "active"
    eob["type"] = ct.type_concept
    if ct.subtype:
        eob["subType"] = ct.subtype
    eob["use"] = "claim"
    eob["patient"] = {"reference": "Patient/" + claim["bene_id"]}
    period = {"start": claim["from_date"], "end": claim["thru_date"]}
    eob["billablePeriod"] = {"extension": ct.billable_extension, **period} if ct.billable_extension else period
    eob["created"] = claim["processed"] + "T00:00:00+00:00"  # BB2 sends request time; ours is deterministic
    eob["insurer"] = INSURER
    eob["provider"] = _provider(ct, claim)
    if ct.style == "professional" and claim.get("referring"):
        eob["referral"] = {"identifier": npi_identifier(claim["referring"]["npi"]),
                           "display": claim["referring"]["name"]}
    if ct.name != "carrier" and ct.name != "dme":
        eob["facility"] = _facility(ct, claim)
    eob["outcome"] = "complete"
    if ct.disposition:
        eob["disposition"] = ct.disposition
    team, line_links = _care_team(ct, claim)
    eob["careTeam"] = team
    eob["supportingInfo"] = _supporting_info(ct, claim)
    if claim.get("diagnoses"):
        eob["diagnosis"] = _diagnoses(ct, claim)
    if ct.procedures and claim.get("procedures"):
        eob["procedure"] = _procedures(claim)
    eob["insurance"] = _insurance(ct, claim)
    eob["item"] = _items(ct, claim, line_links)
    eob["total"] = ct.total.fill(claim)
    eob["payment"] = {"date": claim["paid_date"]} if ct.style == "pharmacy" else {"amount": money(claim["paid"])}
    if ct.benefit_balance:
        eob["benefitBalance"] = ct.benefit_balance.fill(claim)
    return eob
