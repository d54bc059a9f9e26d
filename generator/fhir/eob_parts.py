"""The parts of an ExplanationOfBenefit that recur between claims, each serialized once per distinct value.

lru-cached builders return bytes: a careTeam (keyed by its providers' fields), a diagnosis entry (a list whole
where present-on-admission indicators are numbered along it), a product, a location, a provider, a period, an
item's codes. What they build differs by claim type only through the fields of the type's spec.
"""
from __future__ import annotations

from functools import lru_cache, cache
from operator import itemgetter
from collections.abc import Callable

import orjson

from dataset_contract.systems import (BB_VARIABLES, C4BB_CODESYSTEM, HCPCS_SYSTEM, HL7_CODESYSTEM, ICD10_SYSTEM,
                                      ICD10CM_SYSTEM, ICD10PCS_SYSTEM, NDC_SYSTEM, NPI_SYSTEM, NUCC_SYSTEM)
from generator.claim_types.derived import lab_clia, pricing_locality, rendering, units_indicator, visit_reason
from generator.claim_types.spec import ClaimType
from generator.model.identifiers import supplier_number
from generator.model.records import Claim, Line, Provider

from .codebook import DISPLAYS, TAXONOMY_DISPLAYS, ccw_coding, ccw_coding_ext
from .fragments import ccw_concept, concept, npi_identifier, profile
from .layout import DEDUCTIBLE_CODINGS, Layout
from .slots import compile_shape, slot

dumps = orjson.dumps
ORG_PROFILE = {"profile": profile("Organization")}
PRN_TYPE = {"coding": [{"system": HL7_CODESYSTEM + "v2-0203", "code": "PRN"}]}
ORG_NPI_TYPE = {"coding": [{"system": C4BB_CODESYSTEM + "C4BBIdentifierType", "code": "npi"}]}
ROLE_SYSTEM = C4BB_CODESYSTEM + "C4BBClaimCareTeamRole"
ROLES = {role: concept(ROLE_SYSTEM, role, display) for role, display in (
    ("referring", "Referring"), ("performing", "Performing provider"), ("attending", "Attending"),
    ("operating", "Operating"), ("prescribing", "Prescribing provider"))}
ROLES["primary"] = concept(HL7_CODESYSTEM + "claimcareteamrole", "primary", "Primary provider")
PARTICIPATING = [ccw_coding_ext("prtcptng_ind_cd", "1")]
DIAGNOSIS_TYPES = {
    ("principal", "professional"): concept(HL7_CODESYSTEM + "ex-diagnosistype", "principal", "principal"),
    ("principal", "institutional"): concept(HL7_CODESYSTEM + "ex-diagnosistype", "principal", "Principal Diagnosis"),
    "admitting": concept(HL7_CODESYSTEM + "ex-diagnosistype", "admitting", "Admitting Diagnosis"),
    "secondary": concept(C4BB_CODESYSTEM + "C4BBClaimDiagnosisType", "secondary", "Secondary"),
    "other": concept(C4BB_CODESYSTEM + "C4BBClaimDiagnosisType", "other", "Other"),
    "external": concept(C4BB_CODESYSTEM + "C4BBClaimDiagnosisType", "externalcauseofinjury",
                        "External Cause of Injury"),
    "reason": concept(C4BB_CODESYSTEM + "C4BBClaimDiagnosisType", "patientreasonforvisit",
                      "Patient Reason for Visit"),
}
DATA_ABSENT = {"system": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "code": "NULL",
               "display": "Data Absent Reason"}
QUANTITY_EXTENSION = compile_shape({"extension": [{"url": BB_VARIABLES + "rev_cntr_unit_cnt",
                                                   "valueQuantity": {"value": slot("quantity")}}]},
                                   ("quantity",), members=True, where="revenue line quantity").format + b","
MIDNIGHT = "T00:00:00+00:00"
UCUM = "http://unitsofmeasure.org"
SUPPLIER_TYPE = "3"     # dmerc_line_supplr_type_cd: a supplier other than a sole proprietorship (an organization)


# --- careTeam ----------------------------------------------------------------------------------------------
PROVIDER_FIELDS = itemgetter("npi", "name", "kind", "taxonomy", "specialty")


def care_team(spec: ClaimType, claim: Claim) -> tuple[bytes, tuple[bytes, ...]]:
    """`,"careTeam":[…]` (b"" for a claim with nobody on it: R4 allows no empty array) and, per line, its
    `careTeamSequence` member (b"" when it links to nobody)."""
    team = spec.fhir.care_team
    heads = tuple([PROVIDER_FIELDS(claim[key]) if claim.get(key) else None for key, _ in team.heads])
    lines = claim["lines"]
    if team.line_performers:
        fallback = claim["provider"] if team.supplier_performs else None
        performers = tuple([_performer(performer) if (performer := line.get("performing") or fallback) else None
                            for line in lines])
    elif team.performed_by:
        performers = tuple([_performer(performer) if (performer := rendering(team.performed_by, claim, line))
                            else None for line in lines])
    else:
        performers = (None,) * len(lines)
    billing = PROVIDER_FIELDS(claim["provider"]) if team.billing_primary else None
    return _team(spec, heads, performers, billing)


def _performer(provider: Provider) -> tuple:
    """A performer's fields, and whether a group practice bills for them."""
    return (*PROVIDER_FIELDS(provider), "billing" in provider)


@lru_cache(maxsize=1 << 13)
def _team(spec: ClaimType, heads: tuple, performers: tuple, billing: tuple | None) -> tuple[bytes, tuple[bytes, ...]]:
    """`care_team` from the providers' fields, serialized once per distinct team."""
    shape = spec.fhir.care_team
    team: list[bytes] = []
    for (_, role), provider in zip(shape.heads, heads):
        if provider is not None:
            team.append(_member(len(team) + 1, role, provider, shape.heads_qualified))
    sequences: dict[str, int] = {}
    links: list[int | None] = []
    credentialed = shape.performers_credentialed
    for performer in performers:
        if performer is None:
            links.append(1 if team else None)
            continue
        if performer[0] not in sequences:
            sequences[performer[0]] = len(team) + 1
            typed = performer[5] if shape.performer_type else None
            team.append(_member(len(team) + 1, "performing", performer[:5], True, credentialed, credentialed,
                                typed))
        links.append(sequences[performer[0]])
    last = None
    if billing is not None:  # the billing provider closes the team and every line links to it
        team.append(_member(len(team) + 1, "primary", billing, False))
        last = len(team)
    return (b',"careTeam":[' + b",".join(team) + b"]" if team else b"",
            tuple(_links(link, last) for link in links))


@lru_cache(maxsize=1 << 16)
def _member(seq: int, role: str, provider: tuple, qualification: bool, participating=False, responsible=False,
            grouped: bool | None = None):
    """One careTeam entry, serialized once per distinct entry (`grouped`: with carr_line_prvdr_type_cd, "0" when a
    group practice bills for the performer, "1" for a solo practitioner)."""
    npi, name, kind, taxonomy, specialty = provider
    extension = [] if grouped is None else [ccw_coding_ext("carr_line_prvdr_type_cd", "0" if grouped else "1")]
    if participating:
        extension += PARTICIPATING
    member: dict = {"extension": extension} if extension else {}
    member["sequence"] = seq
    member["provider"] = {"identifier": npi_identifier(npi)}
    if kind == "org" or role in ("prescribing", "referring"):
        member["provider"]["display"] = name
    if responsible:
        member["responsible"] = True
    member["role"] = ROLES[role]
    if qualification:
        codings = [_taxonomy(taxonomy)]
        if participating:  # credentialed performers also carry the CMS specialty
            codings.append(ccw_coding("prvdr_spclty", specialty))
        member["qualification"] = {"coding": codings}
    return dumps(member)


@cache
def _taxonomy(code: str) -> dict:
    coding = {"system": NUCC_SYSTEM, "code": code}
    display = TAXONOMY_DISPLAYS.get(code)
    if display is not None:
        coding["display"] = display
    return coding


def _links(first: int | None, last: int | None) -> bytes:
    sequences = [s for s in (first, last) if s is not None]
    return b',"careTeamSequence":' + dumps(sequences) if sequences else b""


# --- diagnosis and procedure -------------------------------------------------------------------------------
@lru_cache(maxsize=1 << 14)
def _two_codings(first_system: str, code: str, display: str) -> bytes:
    """ICD codes travel as two codings with the same code and display (data-model.md §6)."""
    return dumps({"coding": [{"system": first_system, "code": code, "display": display},
                             {"system": ICD10_SYSTEM, "code": code, "display": display}]})


DIAGNOSIS_FIELDS = itemgetter("code", "display", "role", "poa")
ENTRY_FIELDS = itemgetter("code", "display", "role")


def diagnosis_member(spec: ClaimType, diagnoses: list, lines: list) -> bytes:
    """`,"diagnosis":[…]`: entries serialized once per distinct (position, code, role); a type with
    present-on-admission indicators numbers them along the list, so its lists are built whole. A type that
    writes the reason for a visit marks the principal as it too on an emergency or clinic visit (rsn_visit_cd1):
    BFD adds a second type to the entry whose code is already listed rather than listing the code twice."""
    if spec.fhir.poa:
        return _poa_diagnoses(spec, tuple(map(DIAGNOSIS_FIELDS, diagnoses)))
    style = spec.fhir.diagnosis_style
    entries = [_plain_diagnosis(style, seq, *ENTRY_FIELDS(diagnosis)) for seq, diagnosis in enumerate(diagnoses, 1)]
    if spec.fhir.visit_reason and visit_reason(lines):
        first = diagnoses[0]
        entries[0] = _plain_diagnosis(style, 1, first["code"], first["display"], first["role"], "reason")
    return b',"diagnosis":[' + b",".join(entries) + b"]"


def _diagnosis_type(style: str, role: str):
    if role == "principal":
        return "principal", style
    return "other" if role == "secondary" and style == "institutional" else role


@lru_cache(maxsize=1 << 15)
def _plain_diagnosis(style: str, seq: int, code: str, display: str, *roles: str) -> bytes:
    return _diagnosis(seq, code, display, tuple(_diagnosis_type(style, role) for role in roles), None, None)


@lru_cache(maxsize=1 << 10)
def _poa_diagnoses(spec: ClaimType, diagnoses: tuple) -> bytes:
    """The diagnosis array from the claim's (code, display, role, poa) tuples, each POA indicator numbered
    along the list (`clm_poa_ind_sw<n>`, `clm_e_poa_ind_sw<n>`), serialized once per distinct list."""
    style = spec.fhir.diagnosis_style
    result = []
    poa_counts = {"clm_poa_ind_sw": 0, "clm_e_poa_ind_sw": 0}
    for seq, (code, display, role, poa) in enumerate(diagnoses, 1):
        poa_variable = None
        if role != "admitting":
            variable = "clm_e_poa_ind_sw" if role == "external" else "clm_poa_ind_sw"
            poa_counts[variable] += 1
            if poa:
                poa_variable = f"{variable}{poa_counts[variable]}"
        result.append(_diagnosis(seq, code, display, (_diagnosis_type(style, role),), poa_variable, poa))
    return b',"diagnosis":[' + b",".join(result) + b"]"


@lru_cache(maxsize=1 << 15)
def _diagnosis(seq: int, code: str, display: str, dx_types: tuple, poa_variable: str | None, poa: str) -> bytes:
    """One diagnosis entry (of one or more types), serialized once per distinct entry."""
    extension = b'"extension":' + dumps([ccw_coding_ext(poa_variable, poa)]) + b"," if poa_variable else b""
    return b"".join((b"{", extension, b'"sequence":%d,"diagnosisCodeableConcept":' % seq,
                     _two_codings(ICD10CM_SYSTEM, code, display), b',"type":',
                     dumps([DIAGNOSIS_TYPES[dx_type] for dx_type in dx_types]), b"}"))


def procedure_member(claim: Claim) -> bytes:
    """`,"procedure":[…]`."""
    return b',"procedure":[' + b",".join([
        b'{"sequence":%d,"date":%b,"procedureCodeableConcept":%b}'
        % (seq, dumps(proc["date"] + MIDNIGHT), _two_codings(ICD10PCS_SYSTEM, proc["code"], proc["display"]))
        for seq, proc in enumerate(claim["procedures"], 1)]) + b"]"


# --- items -------------------------------------------------------------------------------------------------
def _product(spec: ClaimType, line: Line) -> bytes:
    return _product_of(spec.fhir.products, spec.fhir.hcpcs_cd_coding, line.get("hcpcs"), line.get("hcpcs_display"),
                       line.get("ndc"), line.get("drug"))


@lru_cache(maxsize=1 << 14)
def _product_of(products: str, hcpcs_cd_coding: bool, hcpcs, hcpcs_display, ndc, drug) -> bytes:
    """`,"productOrService":…`, serialized once per distinct codes."""
    if products == "ndc":
        return b',"productOrService":' + dumps({"coding": [{"system": NDC_SYSTEM, "code": ndc, "display": drug}]})
    product = {}
    if ndc:
        product["extension"] = [{"url": NDC_SYSTEM,
                                 "valueCoding": {"system": NDC_SYSTEM, "code": ndc, "display": drug}}]
    if not hcpcs:  # R4 requires productOrService: BFD's absent-code coding for revenue-only lines
        product["coding"] = [DATA_ABSENT]
    else:
        coding = {"system": HCPCS_SYSTEM, "code": hcpcs}
        if hcpcs_display:
            coding["display"] = hcpcs_display
        product["coding"] = ([{"system": BB_VARIABLES + "hcpcs_cd", "code": hcpcs}, coding] if hcpcs_cd_coding
                             else [coding])
    return b',"productOrService":' + dumps(product)


@lru_cache(maxsize=1 << 10)
def _modifiers(modifiers: tuple[str, ...], ndc_unit: str | None = None, version: str | None = None) -> bytes:
    """`,"modifier":…` (b"" for none): the HCPCS modifiers (a professional claim's with its HCPCS year code as
    their version, carr_clm_hcpcs_yr_cd), then a drug line's NDC quantity qualifier."""
    found = [{"coding": [{"system": HCPCS_SYSTEM, **({"version": version} if version else {}), "code": m}]}
             for m in modifiers]
    if ndc_unit:
        found.append({"coding": [{"system": UCUM, "code": ndc_unit}]})
    return b',"modifier":' + dumps(found) if found else b""


@lru_cache(maxsize=1 << 12)
def _period(start: str, end: str) -> bytes:
    return dumps({"start": start, "end": end})


@lru_cache(maxsize=1 << 14)
def _location(state: str, zip_: str, pos: str, locality: str | None = None, clia: str | None = None) -> bytes:
    """A professional line's `,"locationCodeableConcept":…` (with the fee schedule locality and the lab's CLIA
    number where given)."""
    extension = [ccw_coding_ext("prvdr_state_cd", state), ccw_coding_ext("prvdr_zip", zip_)]
    if locality is not None:
        extension.append(ccw_coding_ext("carr_line_prcng_lclty_cd", locality))
    if clia is not None:
        extension.append({"url": BB_VARIABLES + "carr_line_clia_lab_num",
                          "valueIdentifier": {"system": BB_VARIABLES + "carr_line_clia_lab_num", "value": clia}})
    return b',"locationCodeableConcept":' + dumps(
        {"extension": extension, "coding": [ccw_coding("line_place_of_srvc_cd", pos)]})


PROFESSIONAL_CODES = ("betos", "dx_index", "type_of_service", "hcpcs", "hcpcs_display", "ndc", "drug", "primary_payer",
                      "modifiers")
PROFESSIONAL_DEFAULTS = (None, -1, "1", None, None, None, None, "", None)


def _professional_item(layout: Layout, claim: Claim, line: Line, seq: int, links: bytes) -> tuple:
    *codes, modifiers = map(line.get, PROFESSIONAL_CODES, PROFESSIONAL_DEFAULTS)
    spec = layout.spec
    shape = spec.fhir
    extension, middle = _professional_codes(spec, *codes, tuple(modifiers or ()), claim["thru_date"][3])
    where = line.get("performing") or claim["provider"]
    billing = claim["provider"]
    if shape.line_units:
        extension = _then_codes(_line_facts(spec, line.get("quantity") or 1, codes[3], billing["npi"],
                                            billing["state"]), extension)
    if shape.pricing_location:
        location = _location(where["state"], where["zip"], line["pos"], pricing_locality(where["state"]),
                             lab_clia(codes[3], billing["npi"], billing["state"]))
    else:
        location = _location(where["state"], where["zip"], line["pos"])
    return (extension, seq, links, middle, _period(line["from_date"], line["thru_date"]), location)


@lru_cache(maxsize=1 << 14)
def _line_facts(spec: ClaimType, quantity: float, hcpcs: str | None, npi: str, state: str) -> bytes:
    """The extensions a professional item carries before its codes' (`"[…,` : it opens the extension array):
    its units and their indicator, and a DME supplier's number, screen savings, pricing state and type."""
    shape = spec.fhir
    prefix, indicator = shape.line_units, units_indicator(hcpcs)
    extension: list[dict] = []
    if shape.supplier_lines:
        extension += [{"url": BB_VARIABLES + "suplrnum",
                       "valueIdentifier": {"system": BB_VARIABLES + "suplrnum", "value": supplier_number(npi)}},
                      {"url": BB_VARIABLES + "dmerc_line_scrn_svgs_amt", "valueQuantity": {"value": 0.0}}]
    if prefix == "dmerc_line_mtus":
        quantity_value = {"value": quantity, "unit": DISPLAYS.get(("dmerc_line_mtus_cd", indicator)),
                          "system": BB_VARIABLES + "dmerc_line_mtus_cd", "code": indicator}
        extension.append({"url": BB_VARIABLES + "dmerc_line_mtus_cnt", "valueQuantity": quantity_value})
    elif prefix:   # the count, its indicator as BFD also codes it under the count's variable, the indicator
        extension += [{"url": BB_VARIABLES + prefix + "_cnt", "valueQuantity": {"value": quantity}},
                      {"url": BB_VARIABLES + prefix + "_cnt",
                       "valueCoding": {"system": BB_VARIABLES + prefix + "_cnt", "code": indicator}},
                      ccw_coding_ext(prefix + "_cd", indicator)]
    if shape.supplier_lines:
        extension += [ccw_coding_ext("dmerc_line_prcng_state_cd", state),
                      ccw_coding_ext("dmerc_line_supplr_type_cd", SUPPLIER_TYPE)]
    return dumps(extension)[:-1] + b","


def _then_codes(facts: bytes, codes: bytes) -> bytes:
    return facts[:-1] + b"]" if codes == b"[]" else facts + codes[1:]


@lru_cache(maxsize=1 << 16)
def _professional_codes(spec: ClaimType, betos, dx_index, type_of_service, hcpcs, hcpcs_display, ndc, drug,
                        primary_payer, modifiers, year_code) -> tuple[bytes, bytes]:
    """A professional item's `extension` array (BETOS, the primary payer of a Medicare Secondary Payer line, then
    the type's fixed line extensions) and its members from `diagnosisSequence` to `modifier`, serialized once per
    distinct codes."""
    shape = spec.fhir
    extension = [ccw_coding_ext("betos_cd", betos)] if betos else []
    if primary_payer:       # BB2 leaves the code out when Medicare is primary (blank)
        extension.append(ccw_coding_ext("line_bene_prmry_pyr_cd", primary_payer))
    extension += [ccw_coding_ext(variable, code) for variable, code in shape.line_extensions]
    return dumps(extension), b"".join((
        b',"diagnosisSequence":[%d]' % (dx_index + 1) if dx_index >= 0 else b"",
        b',"category":', dumps(ccw_concept("line_cms_type_srvc_cd", type_of_service)),
        _product_of("hcpcs", shape.hcpcs_cd_coding, hcpcs, hcpcs_display, ndc, drug),
        _modifiers(modifiers, None, year_code)))


@lru_cache(maxsize=1 << 12)
def _revenue(spec: ClaimType, revenue: str, display: str | None, status: str | None) -> bytes:
    code = {"system": BB_VARIABLES + "rev_cntr", "code": revenue}
    if display:
        code["display"] = display
    result = {}
    if status is not None:
        result["extension"] = [ccw_coding_ext("rev_cntr_stus_ind_cd", status)]
    result["coding"] = [code, *(DEDUCTIBLE_CODINGS if spec.fhir.revenue_deductible_coding else ())]
    return b',"revenue":' + dumps(result)


@lru_cache(maxsize=1 << 8)
def _location_address(state: str) -> bytes:
    return b',"locationAddress":' + dumps({"state": state})


def _institutional_item(layout: Layout, claim: Claim, line: Line, seq: int, links: bytes) -> tuple:
    spec, quantity, status = layout.spec, line.get("quantity"), layout.revenue_status
    return (
        QUANTITY_EXTENSION % (dumps(quantity),) if quantity else b"", seq, links,
        _revenue(spec, line["revenue"], line.get("revenue_display"), status(line) if status else None),
        _product(spec, line), _modifiers(tuple(line.get("modifiers") or ()), line.get("ndc_unit")),
        b',"servicedDate":' + dumps(line["from_date"]) if spec.fhir.line_date else b"",
        _location_address(claim["provider"]["state"]))


def _pharmacy_item(layout: Layout, claim: Claim, line: Line, seq: int, links: bytes) -> tuple:
    return seq, links, _product(layout.spec, line), dumps(claim["from_date"])


ITEM_BUILDERS: dict[str, Callable[[Layout, Claim, Line, int, bytes], tuple]] = {
    "professional": _professional_item, "institutional": _institutional_item, "pharmacy": _pharmacy_item}
"""Per billing form: a line's values for the item's slots before its amounts (layout.ITEM_SLOTS, in order)."""


# --- header parts ------------------------------------------------------------------------------------------
@lru_cache(maxsize=1 << 12)
def contained_org(ccn: str, npi: str, name: str) -> bytes:
    return b',"contained":' + dumps([{
        "resourceType": "Organization", "id": "provider-org", "meta": ORG_PROFILE,
        "identifier": [{"type": PRN_TYPE, "value": ccn},
                       {"type": ORG_NPI_TYPE, "system": NPI_SYSTEM, "value": npi}],
        "active": True, "name": name,
    }])


PROVIDERS: dict[str, Callable[[str, str], dict]] = {  # by the spec's `provider`
    "contained": lambda npi, name: {"reference": "#provider-org"},
    "billing_npi": lambda npi, name: {"identifier": {"system": BB_VARIABLES + "carr_clm_blg_npi_num", "value": npi}},
    "practitioner": lambda npi, name: {"type": "Practitioner", "identifier": {"system": NPI_SYSTEM, "value": npi},
                                       "display": name},
    "npi": lambda npi, name: {"identifier": {"system": NPI_SYSTEM, "value": npi}},
}


@lru_cache(maxsize=1 << 14)
def provider(shape: str, npi: str, name: str) -> bytes:
    return dumps(PROVIDERS[shape](npi, name))


@lru_cache(maxsize=1 << 14)
def referral(npi: str, name: str) -> bytes:
    return b',"referral":' + dumps({"identifier": npi_identifier(npi), "display": name})


@lru_cache(maxsize=1 << 12)
def _pharmacy_facility(pharmacy_type: str, npi: str, name: str) -> bytes:
    return b',"facility":' + dumps({"extension": [ccw_coding_ext("phrmcy_srvc_type_cd", pharmacy_type)],
                                    "identifier": {"type": ORG_NPI_TYPE, "value": npi}, "display": name})


@cache
def _facility_type(facility_type: str) -> bytes:
    return b',"facility":' + dumps({"extension": [ccw_coding_ext("clm_fac_type_cd", facility_type)]})


def _pharmacy(claim: Claim) -> bytes:
    pharmacy = claim["provider"]
    return _pharmacy_facility(claim.get("pharmacy_type", "01"), pharmacy["npi"], pharmacy["name"])


def _bill_type(claim: Claim) -> bytes:
    return _facility_type(claim["type_of_bill"][:1])


FACILITIES: dict[str, Callable[[Claim], bytes]] = {"pharmacy": _pharmacy, "bill_type": _bill_type}
"""By the spec's `facility`: `,"facility":…`, the pharmacy or the facility type of the type of bill."""
