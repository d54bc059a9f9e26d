"""ExplanationOfBenefit JSON for all eight claim types, written straight to bytes by one shared machinery
driven by `claim_types.TYPES`; the bytes are exactly what `orjson.dumps` gives for the same resource
(key order follows BFD's v2 responses, data-model.md §4).

What is fixed for a claim type (profile, type codings, header extensions, categories, the bytes between
members, an item's %-format) is serialized once per type at import (`Layout`). What recurs between
claims is serialized once per distinct value by lru-cached builders that return bytes: a careTeam
(keyed by its providers' fields), a diagnosis entry (an inpatient claim's POA-numbered list whole), a
supportingInfo array (keyed by the claim values it reads), a professional line's codes, a product, a
location, a provider, a period. Per claim only what
varies is serialized: strings one by one through orjson (its escaping) and all the numbers of the claim
(quantities, adjudications, totals, benefit balances) in one orjson call (its float formatting) that
the byte templates are filled from; the pieces are joined once.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

import orjson

from dataset_contract.systems import HCPCS_SYSTEM, ICD10CM_SYSTEM, ICD10PCS_SYSTEM, ICD10_SYSTEM, BB_VARIABLES, C4BB_CODESYSTEM, HL7_CODESYSTEM, NDC_SYSTEM, NPI_SYSTEM, NUCC_SYSTEM

from ..model.records import Claim, Beneficiary
from .claim_types import TYPES, ClaimType
from .codebook import ccw_coding, ccw_coding_ext
from .fragments import ccw_concept, concept, npi_identifier, profile
from .template import HOLE, PLACEHOLDER, around, serialized

dumps = orjson.dumps
UC_TYPE = concept(C4BB_CODESYSTEM + "C4BBIdentifierType", "uc", "Unique Claim ID")
CLAIM_GROUP_SYSTEM = "https://bluebutton.cms.gov/resources/identifier/claim-group"
INSURER = {"identifier": {"value": "CMS"}}
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
    "external": concept(C4BB_CODESYSTEM + "C4BBClaimDiagnosisType", "externalcauseofinjury", "External Cause of Injury"),
}
DATA_ABSENT = {"system": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "code": "NULL",
               "display": "Data Absent Reason"}
QUANTITY_EXTENSION = around(dumps({"extension": [{"url": BB_VARIABLES + "rev_cntr_unit_cnt",
                                                  "valueQuantity": {"value": PLACEHOLDER}}]})[1:-1])
MIDNIGHT = "T00:00:00+00:00"


# --- per claim type: the fixed bytes between the varying members ------------------------------------------
def _holes(shape) -> list[bytes]:
    """The serialized shape cut at its PLACEHOLDERs: the fixed bytes the varying values go between."""
    return dumps(shape).split(HOLE)


@dataclass(frozen=True)
class Layout:
    """A claim type's fixed bytes. `identifier` runs from `,"identifier":` to `"provider":` with holes for the
    claim id, group id[, prescription number], patient id, billable period and creation date."""
    profile: bytes                # `,"profile":[…]}` closes meta
    header: bytes | None          # `,"extension":[…]` as a %-format with a %b per header function (None: none)
    header_functions: tuple       # functions claim → an extension's bytes
    identifier: list[bytes]
    middle: bytes                 # `,"outcome":…,"careTeam":`
    info_keys: tuple              # the claim keys supportingInfo reads (each as claim.get(key, 0.0))
    info_zeros: tuple
    info: tuple                   # supportingInfo: (`,"category":…,` bytes, positions in info_keys, build)
    insurance: list[bytes]        # `,"insurance":[…]` with holes for the coverage (pharmacy: contract, PBP first)
    payment: list[bytes]          # the payment object with a hole for its date or amount
    item: bytes                   # an item's %-format: the style's pieces, then the line template's numbers


def _layout(ct: ClaimType) -> Layout:
    identifiers = [{"type": UC_TYPE, "system": BB_VARIABLES + ct.id_variable, "value": PLACEHOLDER},
                   {"type": UC_TYPE, "system": CLAIM_GROUP_SYSTEM, "value": PLACEHOLDER}]
    if ct.style == "pharmacy":
        identifiers.append({"type": UC_TYPE, "system": BB_VARIABLES + "rx_srvc_rfrnc_num", "value": PLACEHOLDER})
    period = {"start": PLACEHOLDER, "end": PLACEHOLDER}
    head = {"identifier": identifiers, "status": "active", "type": ct.type_concept}
    if ct.subtype:
        head["subType"] = ct.subtype
    head.update({"use": "claim", "patient": {"reference": PLACEHOLDER},
                 "billablePeriod": {"extension": ct.billable_extension, **period} if ct.billable_extension else period,
                 "created": PLACEHOLDER, "insurer": INSURER, "provider": None})
    middle = {"outcome": "complete"}
    if ct.disposition:
        middle["disposition"] = ct.disposition
    middle["careTeam"] = None
    coverage = {"reference": PLACEHOLDER}
    if ct.style == "pharmacy":
        coverage = {"extension": [
            {"url": BB_VARIABLES + variable, "valueIdentifier": {"system": BB_VARIABLES + variable, "value": PLACEHOLDER}}
            for variable in ("plan_cntrct_rec_id", "plan_pbp_rec_num")], **coverage}
    info_keys = tuple(dict.fromkeys(key for _, (keys, _) in ct.supporting_info for key in keys))
    payment = {"date": PLACEHOLDER} if ct.style == "pharmacy" else {"amount": {"value": PLACEHOLDER, "currency": "USD"}}
    return Layout(
        profile=b',"profile":' + dumps(ct.profile) + b"}", header=_header(ct.header_extensions),
        header_functions=tuple(e for e in ct.header_extensions if e.__class__ is not bytes),
        identifier=_members(head),
        middle=b"".join(_members(middle)), insurance=_members({"insurance": [{"focal": True, "coverage": coverage}]}),
        info_keys=info_keys, info_zeros=(0.0,) * len(info_keys),
        info=tuple((b',"category":' + dumps(category) + b",", tuple(map(info_keys.index, keys)), build)
                   for category, (keys, build) in ct.supporting_info),
        payment=_holes(payment), item=ITEM_BUILDERS[ct.style][1] + ct.line_amounts.format + b"}")


def _header(extensions) -> bytes | None:
    """The header extension array as a %-format: fixed extensions as they are, a %b per function."""
    if not extensions:
        return None
    return b',"extension":[' + b",".join([e.replace(b"%", b"%%") if e.__class__ is bytes else b"%b"
                                          for e in extensions]) + b"]"


def _members(shape: dict) -> list[bytes]:
    """`_holes` of an object as members that continue another object: `,"a":…` (a last None value: up to its key)."""
    holes = _holes(shape)
    holes[0] = b"," + holes[0][1:]
    holes[-1] = holes[-1][:-5] if holes[-1].endswith(b"null}") else holes[-1][:-1]
    return holes


@lru_cache(maxsize=None)
def _facility_extension(facility_type: str) -> bytes:
    return dumps({"extension": [ccw_coding_ext("clm_fac_type_cd", facility_type)]})


# --- careTeam ----------------------------------------------------------------------------------------------
PROVIDER_FIELDS = itemgetter("npi", "name", "kind", "taxonomy", "specialty")
HEADS = {"professional": (("referring", "referring"),),  # (claim key, careTeam role) of the team's first members
         "institutional": (("attending", "attending"), ("operating", "operating")),
         "pharmacy": (("prescriber", "prescribing"),)}


def _care_team(ct: ClaimType, claim: Claim) -> tuple[bytes, tuple[bytes, ...]]:
    """careTeam bytes and, per line, its `careTeamSequence` member (b"" when it links to nobody)."""
    if ct.style == "pharmacy":  # the prescriber only: every line links to it
        prescriber = claim.get("prescriber")
        return _team(ct.name, (PROVIDER_FIELDS(prescriber) if prescriber else None,), (None,) * len(claim["lines"]),
                     None)
    heads = tuple([PROVIDER_FIELDS(claim[key]) if claim.get(key) else None for key, _ in HEADS[ct.style]])
    fallback = claim["provider"] if ct.name == "dme" else None  # DME lines are performed by the supplier
    performers = tuple([PROVIDER_FIELDS(performer) if (performer := line.get("performing") or fallback) else None
                        for line in claim["lines"]])
    billing = PROVIDER_FIELDS(claim["provider"]) if ct.name == "carrier" else None
    return _team(ct.name, heads, performers, billing)


@lru_cache(maxsize=1 << 13)
def _team(ct_name: str, heads: tuple, performers: tuple, billing: tuple | None) -> tuple[bytes, tuple[bytes, ...]]:
    """`_care_team` from the providers' fields, serialized once per distinct team."""
    style = TYPES[ct_name].style
    team: list[bytes] = []
    for (_, role), provider in zip(HEADS[style], heads):
        if provider is not None:
            team.append(_member(len(team) + 1, role, provider, style != "professional"))
    sequences: dict[str, int] = {}
    links: list[int | None] = []
    for performer in performers:
        if performer is None:
            links.append(1 if team else None)
            continue
        if performer[0] not in sequences:
            sequences[performer[0]] = len(team) + 1
            professional = style == "professional"
            team.append(_member(len(team) + 1, "performing", performer, True, professional, professional))
        links.append(sequences[performer[0]])
    last = None
    if billing is not None:  # carrier: the billing provider closes the team and every line links to it
        team.append(_member(len(team) + 1, "primary", billing, False))
        last = len(team)
    return b"[" + b",".join(team) + b"]", tuple(_links(link, last) for link in links)


@lru_cache(maxsize=1 << 16)
def _member(seq: int, role: str, provider: tuple, qualification: bool, participating=False, responsible=False):
    """One careTeam entry, serialized once per distinct entry."""
    npi, name, kind, taxonomy, specialty = provider
    member = {"extension": PARTICIPATING} if participating else {}
    member["sequence"] = seq
    member["provider"] = {"identifier": npi_identifier(npi)}
    if kind == "org" or role in ("prescribing", "referring"):
        member["provider"]["display"] = name
    if responsible:
        member["responsible"] = True
    member["role"] = ROLES[role]
    if qualification:
        codings = [{"system": NUCC_SYSTEM, "code": taxonomy}]
        if participating:  # professional performers also carry the CMS specialty
            codings.append(ccw_coding("prvdr_spclty", specialty))
        member["qualification"] = {"coding": codings}
    return dumps(member)


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


def _diagnosis_list(ct: ClaimType, diagnoses: list) -> bytes:
    """The diagnosis array: entries serialized once per distinct (position, code, role); a type with
    present-on-admission indicators numbers them along the list, so its lists are built whole."""
    if ct.poa:
        return _poa_diagnoses(ct.name, tuple(map(DIAGNOSIS_FIELDS, diagnoses)))
    style = ct.diagnosis_style
    return b"[" + b",".join([_plain_diagnosis(style, seq, *ENTRY_FIELDS(diagnosis))
                             for seq, diagnosis in enumerate(diagnoses, 1)]) + b"]"


def _diagnosis_type(style: str, role: str):
    if role == "principal":
        return "principal", style
    return "other" if role == "secondary" and style == "institutional" else role


@lru_cache(maxsize=1 << 15)
def _plain_diagnosis(style: str, seq: int, code: str, display: str, role: str) -> bytes:
    return _diagnosis(seq, code, display, _diagnosis_type(style, role), None, None)


@lru_cache(maxsize=1 << 10)
def _poa_diagnoses(ct_name: str, diagnoses: tuple) -> bytes:
    """The diagnosis array from the claim's (code, display, role, poa) tuples, each POA indicator numbered
    along the list (`clm_poa_ind_sw<n>`, `clm_e_poa_ind_sw<n>`), serialized once per distinct list."""
    style = TYPES[ct_name].diagnosis_style
    result = []
    poa_counts = {"clm_poa_ind_sw": 0, "clm_e_poa_ind_sw": 0}
    for seq, (code, display, role, poa) in enumerate(diagnoses, 1):
        poa_variable = None
        if role != "admitting":
            variable = "clm_e_poa_ind_sw" if role == "external" else "clm_poa_ind_sw"
            poa_counts[variable] += 1
            if poa:
                poa_variable = f"{variable}{poa_counts[variable]}"
        result.append(_diagnosis(seq, code, display, _diagnosis_type(style, role), poa_variable, poa))
    return b"[" + b",".join(result) + b"]"


@lru_cache(maxsize=1 << 15)
def _diagnosis(seq: int, code: str, display: str, dx_type, poa_variable: str | None, poa: str) -> bytes:
    """One diagnosis entry, serialized once per distinct entry."""
    extension = b'"extension":' + dumps([ccw_coding_ext(poa_variable, poa)]) + b"," if poa_variable else b""
    return b"".join((b"{", extension, b'"sequence":%d,"diagnosisCodeableConcept":' % seq,
                     _two_codings(ICD10CM_SYSTEM, code, display), b',"type":', dumps([DIAGNOSIS_TYPES[dx_type]]), b"}"))


def _procedures(claim: Claim) -> bytes:
    return b"[" + b",".join([
        b'{"sequence":%d,"date":%b,"procedureCodeableConcept":%b}'
        % (seq, dumps(proc["date"] + MIDNIGHT), _two_codings(ICD10PCS_SYSTEM, proc["code"], proc["display"]))
        for seq, proc in enumerate(claim["procedures"], 1)]) + b"]"


@lru_cache(maxsize=1 << 14)
def _supporting_info(ct_name: str, values: tuple) -> bytes:
    """The supportingInfo array of a claim type for the values of its `info_keys`, serialized once per values."""
    result = []
    for category, positions, build in LAYOUTS[ct_name].info:
        value = build(*[values[i] for i in positions])
        if value is not None:
            result.append(b'{"sequence":%d%b%b}' % (len(result) + 1, category, value))
    return b"[" + b",".join(result) + b"]"


# --- items -------------------------------------------------------------------------------------------------
def _product(ct: ClaimType, line) -> bytes:
    return _product_of(ct.style == "pharmacy", ct.hcpcs_cd_coding, line.get("hcpcs"), line.get("hcpcs_display"),
                       line.get("ndc"), line.get("drug"))


@lru_cache(maxsize=1 << 14)
def _product_of(pharmacy: bool, hcpcs_cd_coding: bool, hcpcs, hcpcs_display, ndc, drug) -> bytes:
    """`,"productOrService":…`, serialized once per distinct codes."""
    if pharmacy:
        return b',"productOrService":' + dumps({"coding": [{"system": NDC_SYSTEM, "code": ndc, "display": drug}]})
    product = {}
    if ndc:
        product["extension"] = [{"url": NDC_SYSTEM, "valueCoding": {"system": NDC_SYSTEM, "code": ndc, "display": drug}}]
    if not hcpcs:  # R4 requires productOrService: BFD's absent-code coding for revenue-only lines
        product["coding"] = [DATA_ABSENT]
    else:
        coding = {"system": HCPCS_SYSTEM, "code": hcpcs}
        if hcpcs_display:
            coding["display"] = hcpcs_display
        product["coding"] = [{"system": BB_VARIABLES + "hcpcs_cd", "code": hcpcs}, coding] if hcpcs_cd_coding else [coding]
    return b',"productOrService":' + dumps(product)


@lru_cache(maxsize=1 << 10)
def _modifiers(modifiers: tuple[str, ...]) -> bytes:
    """`,"modifier":…` (b"" for none)."""
    if not modifiers:
        return b""
    return b',"modifier":' + dumps([{"coding": [{"system": HCPCS_SYSTEM, "code": m}]} for m in modifiers])


@lru_cache(maxsize=1 << 12)
def _period(start: str, end: str) -> bytes:
    return dumps({"start": start, "end": end})


@lru_cache(maxsize=1 << 14)
def _location(state: str, zip_: str, pos: str) -> bytes:
    """A professional line's `,"locationCodeableConcept":…`."""
    return b',"locationCodeableConcept":' + dumps(
        {"extension": [ccw_coding_ext("prvdr_state_cd", state), ccw_coding_ext("prvdr_zip", zip_)],
         "coding": [ccw_coding("line_place_of_srvc_cd", pos)]})


PROFESSIONAL_CODES = ("betos", "dx_index", "type_of_service", "hcpcs", "hcpcs_display", "ndc", "drug", "modifiers")
PROFESSIONAL_DEFAULTS = (None, -1, "1", None, None, None, None, None)


def _professional_item(ct, claim, line, seq, links) -> tuple:
    *codes, modifiers = map(line.get, PROFESSIONAL_CODES, PROFESSIONAL_DEFAULTS)
    head, middle = _professional_codes(ct.name, *codes, tuple(modifiers or ()))
    where = line.get("performing") or claim["provider"]
    return (head, seq, links, middle, _period(line["from_date"], line["thru_date"]),
            _location(where["state"], where["zip"], line["pos"]))


@lru_cache(maxsize=1 << 16)
def _professional_codes(ct_name, betos, dx_index, type_of_service, hcpcs, hcpcs_display, ndc, drug,
                        modifiers) -> tuple[bytes, bytes]:
    """A professional item's opening `{"extension":[…]` (BETOS, then the type's fixed line extensions) and its
    members from `diagnosisSequence` to `"servicedPeriod":`, serialized once per distinct codes."""
    ct = TYPES[ct_name]
    extension = [ccw_coding_ext("betos_cd", betos)] if betos else []
    return b'{"extension":' + dumps(extension + list(ct.line_extensions)), b"".join((
        b',"diagnosisSequence":[%d]' % (dx_index + 1) if dx_index >= 0 else b"",
        b',"category":', dumps(ccw_concept("line_cms_type_srvc_cd", type_of_service)),
        _product_of(False, ct.hcpcs_cd_coding, hcpcs, hcpcs_display, ndc, drug), _modifiers(modifiers),
        b',"servicedPeriod":'))


@lru_cache(maxsize=1 << 12)
def _revenue(ct_name: str, revenue: str, display: str | None, status: str | None) -> bytes:
    ct = TYPES[ct_name]
    code = {"system": BB_VARIABLES + "rev_cntr", "code": revenue}
    if display:
        code["display"] = display
    result = {}
    if status is not None:
        result["extension"] = [ccw_coding_ext("rev_cntr_stus_ind_cd", status)]
    result["coding"] = [code, *ct.revenue_codings]
    return b',"revenue":' + dumps(result)


@lru_cache(maxsize=1 << 8)
def _location_address(state: str) -> bytes:
    return b',"locationAddress":' + dumps({"state": state})


def _institutional_item(ct, claim, line, seq, links) -> tuple:
    quantity = line.get("quantity")
    return (
        QUANTITY_EXTENSION[0] + dumps(quantity) + QUANTITY_EXTENSION[1] + b"," if quantity else b"", seq, links,
        _revenue(ct.name, line["revenue"], line.get("revenue_display"),
                 ct.revenue_status(line) if ct.revenue_status else None),
        _product(ct, line), _modifiers(tuple(line.get("modifiers") or ())),
        b',"servicedDate":' + dumps(line["from_date"]) if ct.line_date else b"",
        _location_address(claim["provider"]["state"]))


def _pharmacy_item(ct, claim, line, seq, links) -> tuple:
    return seq, links, _product(ct, line), dumps(claim["from_date"])


# per style: a function of the line → the values of the item's %-format before its numbers, and that format's head
ITEM_BUILDERS = {"professional": (_professional_item, b'%b,"sequence":%d%b%b%b%b,'),
                 "institutional": (_institutional_item, b'{%b"sequence":%d%b%b%b%b%b%b,'),
                 "pharmacy": (_pharmacy_item, b'{"sequence":%d%b%b,"servicedDate":%b,')}


# --- header parts ------------------------------------------------------------------------------------------
@lru_cache(maxsize=1 << 12)
def _contained_org(ccn: str, npi: str, name: str) -> bytes:
    return b',"contained":' + dumps([{
        "resourceType": "Organization", "id": "provider-org", "meta": ORG_PROFILE,
        "identifier": [{"type": PRN_TYPE, "value": ccn},
                       {"type": ORG_NPI_TYPE, "system": NPI_SYSTEM, "value": npi}],
        "active": True, "name": name,
    }])


@lru_cache(maxsize=1 << 14)
def _provider(ct_name: str, style: str, npi: str, name: str) -> bytes:
    if style == "institutional":
        provider = {"reference": "#provider-org"}
    elif ct_name == "carrier":
        provider = {"identifier": {"system": BB_VARIABLES + "carr_clm_blg_npi_num", "value": npi}}
    elif ct_name == "dme":
        provider = {"type": "Practitioner", "identifier": {"system": NPI_SYSTEM, "value": npi}, "display": name}
    else:
        provider = {"identifier": {"system": NPI_SYSTEM, "value": npi}}
    return dumps(provider)


@lru_cache(maxsize=1 << 14)
def _referral(npi: str, name: str) -> bytes:
    return b',"referral":' + dumps({"identifier": npi_identifier(npi), "display": name})


@lru_cache(maxsize=1 << 12)
def _pharmacy_facility(pharmacy_type: str, npi: str, name: str) -> bytes:
    return dumps({"extension": [ccw_coding_ext("phrmcy_srvc_type_cd", pharmacy_type)],
                  "identifier": {"type": ORG_NPI_TYPE, "value": npi}, "display": name})


def _facility(ct: ClaimType, claim: Claim) -> bytes:
    if ct.style == "pharmacy":
        pharmacy = claim["provider"]
        facility = _pharmacy_facility(claim.get("pharmacy_type", "01"), pharmacy["npi"], pharmacy["name"])
    else:
        facility = _facility_extension(claim.get("type_of_bill", "")[:1] or ct.facility_type)
    return b',"facility":' + facility


LAYOUTS = {name: _layout(ct) for name, ct in TYPES.items()}


@lru_cache(maxsize=1 << 6)
def _references(bene_id: str, part: str) -> tuple[bytes, bytes]:
    """The patient and coverage references, serialized once per beneficiary and part (its claims come together)."""
    return dumps("Patient/" + bene_id), dumps(f"Coverage/part-{part}-{bene_id}")


def eob_resource(claim: Claim, bene: Beneficiary) -> dict:
    """The ExplanationOfBenefit of one claim as plain dicts and lists (for callers that read it)."""
    return orjson.loads(eob_json(claim, bene))


def eob_json(claim: Claim, bene: Beneficiary) -> bytes:
    """The ExplanationOfBenefit of one claim serialized (compact JSON, no trailing newline).
    (The beneficiary supplies nothing the claim lacks today.)"""
    ct = TYPES[claim["type"]]
    layout = LAYOUTS[ct.name]
    claim_id, bene_id, provider = claim["claim_id"], claim["bene_id"], claim["provider"]
    parts = [b'{"resourceType":"ExplanationOfBenefit","id":', dumps(f"{claim['type']}-{claim_id}"),
             b',"meta":{"lastUpdated":', dumps(claim["last_updated"]), layout.profile]
    if ct.style == "institutional":
        parts.append(_contained_org(provider["ccn"], provider["npi"], provider["name"]))
    if layout.header is not None:
        parts.append(layout.header % tuple([f(claim) for f in layout.header_functions]))
    holes = layout.identifier
    parts += (holes[0], dumps(claim_id), holes[1], dumps(claim["group_id"]), holes[2])
    if ct.style == "pharmacy":
        parts += (dumps(claim_id.lstrip("-")[-12:]), holes[3])
    patient, coverage = _references(bene_id, ct.part)
    parts += (patient, holes[-4], dumps(claim["from_date"]), holes[-3], dumps(claim["thru_date"]),
              holes[-2], dumps(claim["processed"] + MIDNIGHT), holes[-1],  # BB2 sends request time; ours is fixed
              _provider(ct.name, ct.style, provider["npi"], provider["name"]))
    if ct.style == "professional" and claim.get("referring"):
        parts.append(_referral(claim["referring"]["npi"], claim["referring"]["name"]))
    if ct.name != "carrier" and ct.name != "dme":
        parts.append(_facility(ct, claim))
    team, links = _care_team(ct, claim)
    info = tuple(map(claim.get, layout.info_keys, layout.info_zeros))
    try:
        parts += (layout.middle, team, b',"supportingInfo":', _supporting_info(ct.name, info))
    except TypeError:  # an unhashable value (a list where the records hold a tuple): serialized uncached
        parts += (layout.middle, team, b',"supportingInfo":', _supporting_info.__wrapped__(ct.name, info))
    if claim.get("diagnoses"):
        parts += (b',"diagnosis":', _diagnosis_list(ct, claim["diagnoses"]))
    if ct.procedures and claim.get("procedures"):
        parts += (b',"procedure":', _procedures(claim))
    holes = layout.insurance
    if ct.style == "pharmacy":
        parts += (holes[0], dumps(claim["contract"]), holes[1], dumps(claim["pbp"]))
    lines, amounts, total, balance = claim["lines"], ct.line_amounts, ct.total, ct.benefit_balance
    values: list = []  # every number of the claim, serialized in one call
    for line in lines:
        values += amounts.values(line)
    values += total.values(claim)
    if balance:
        values += balance.values(claim)
    numbers = serialized(values)
    size, build, item_format = amounts.count, ITEM_BUILDERS[ct.style][0], layout.item
    at = len(lines) * size
    parts += (holes[-2], coverage, holes[-1], b',"item":[')
    for seq, line in enumerate(lines, 1):  # one %-format per item: its pieces, then its quantity and adjudication
        if seq > 1:
            parts.append(b",")
        parts.append(item_format % (build(ct, claim, line, seq, links[seq - 1]) + numbers[(seq - 1) * size:seq * size]))
    parts += (b'],"total":', total.render(numbers[at:at + total.count]), b',"payment":', layout.payment[0],
              dumps(claim["paid_date"] if ct.style == "pharmacy" else claim["paid"]), layout.payment[1])
    if balance:
        at += total.count
        parts += (b',"benefitBalance":', balance.render(numbers[at:at + balance.count]))
    parts.append(b"}")
    return b"".join(parts)
