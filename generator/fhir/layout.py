"""Each claim type's ExplanationOfBenefit compiled once, at import, from its spec's `FhirShape`.

A `Layout` holds the byte templates eob.py fills per claim: the whole resource (slots `EOB_SLOTS`, the same
for every type: a member a type lacks is filled with b""), the header extensions, an item (`ITEM_SLOTS` of
the billing form, then the line amounts), totals and benefit balances (number templates), and the
supportingInfo entries with the claim keys they read. Every template checks its slots against the names
its filler declares, so a mismatch fails here, at import.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache, partial
from typing import Any
from collections.abc import Callable

import orjson

from dataset_contract.systems import BB_CODESYSTEM, BB_VARIABLES, C4BB_CODESYSTEM, HL7_CODESYSTEM
from generator.claim_types import TYPES
from generator.claim_types.shape import (BlankCode, Category, Code, Concept, Extension, FhirShape, Info, InfoValue,
                                         Quantity, TimingDate, TimingPeriod, TimingSpan)
from generator.claim_types.spec import ClaimType
from generator.claim_types.values import Const, Derived, Key, Source

from .codebook import ccw_coding, ccw_coding_ext
from .fragments import adjudication_category, bb_slot, ccw_concept, concept, money, profile
from .slots import NumberTemplate, TemplateError, compile_shape, integer, member, reader, slot, value_of

dumps = orjson.dumps

EOB_SLOTS = ("id", "last_updated", "contained", "extension", "claim_id", "group_id", "prescription", "patient",
             "start", "end", "created", "provider", "referral", "facility", "care_team", "supporting_info",
             "diagnosis", "procedure", "coverage", "items", "total", "payment", "benefit_balance")
"""The slots of every type's resource template, in the order eob.py fills them."""

ITEM_SLOTS = {  # per billing form: the slots of an item before its amounts, in the order its builder returns them
    "professional": ("extension", "sequence", "care_team", "codes", "period", "location"),
    "institutional": ("quantity_extension", "sequence", "care_team", "revenue", "product", "modifier",
                      "serviced_date", "location"),
    "pharmacy": ("sequence", "care_team", "product", "date"),
}
INFO_SLOTS = ("sequence", "category", "value")

UC_TYPE = concept(C4BB_CODESYSTEM + "C4BBIdentifierType", "uc", "Unique Claim ID")
CLAIM_GROUP_SYSTEM = "https://bluebutton.cms.gov/resources/identifier/claim-group"
INSURER = {"identifier": {"value": "CMS"}}
FINAL_BILL = [ccw_coding_ext("claim_query_cd", "3")]
DEDUCTIBLE_CODINGS = ({"system": "https://www.nubc.org/CodeSystem/RevenueCodes", "code": "0"},
                      ccw_coding_ext("rev_cntr_ddctbl_coinsrnc_cd", "0")["valueCoding"])
BENEFIT_CATEGORY = concept(HL7_CODESYSTEM + "ex-benefitcategory", "1", "Medical Care")
INFO = {"system": HL7_CODESYSTEM + "claiminformationcategory", "code": "info", "display": "Information"}
CARIN_INFO = C4BB_CODESYSTEM + "C4BBSupportingInfoType"
SUBTYPE_SYSTEM = C4BB_CODESYSTEM + "C4BBInstitutionalClaimSubType"
UCUM = "http://unitsofmeasure.org"

RX_IDENTIFIER = b"," + compile_shape({"type": UC_TYPE, "system": BB_VARIABLES + "rx_srvc_rfrnc_num",
                                      "value": slot("number")}, ("number",), where="prescription identifier").format
PLAN_COVERAGE = compile_shape({"extension": [
    {"url": BB_VARIABLES + variable, "valueIdentifier": {"system": BB_VARIABLES + variable, "value": slot(name)}}
    for variable, name in (("plan_cntrct_rec_id", "contract"), ("plan_pbp_rec_num", "pbp"))],
    "reference": slot("reference")}, ("contract", "pbp", "reference"), where="Part D coverage").format
INFO_ENTRY = compile_shape({"sequence": slot("sequence", "d"), member("category"): None, member("value"): None},
                           INFO_SLOTS, where="supportingInfo entry").format


@dataclass(frozen=True, slots=True)
class Layout:
    """A claim type's compiled templates (see the module docstring)."""
    spec: ClaimType
    eob: tuple[bytes, ...]      # the resource's fixed chunks around its slots (EOB_SLOTS), joined with their bytes
    header: bytes               # `,"extension":[…]` as a %-format with a %b per header function (b"": none)
    header_functions: tuple[Callable[[dict], bytes], ...]
    info_keys: tuple[str, ...]  # the claim keys supportingInfo reads (each as claim.get(key, 0.0))
    info_zeros: tuple[float, ...]
    info: tuple[tuple[bytes, tuple[int, ...], Callable[..., bytes | None]], ...]  # (category, positions, value)
    item: bytes                 # an item's %-format: ITEM_SLOTS[form], then the line amounts' slots
    line_amounts: NumberTemplate
    totals: NumberTemplate
    balances: NumberTemplate | None     # renders `,"benefitBalance":[…]`
    payment_key: str            # the claim key of the payment's value
    revenue_status: Callable[[dict], str] | None   # a revenue line's status indicator (None: the type writes none)
    reasons: Callable[[dict], bytes] | None  # an item's denial-reason adjudications, `,{…}…` closing its array


def _eob_shape(spec: ClaimType) -> dict:
    shape: FhirShape = spec.fhir
    type_codings = [ccw_coding_ext("nch_clm_type_cd", shape.nch_type)["valueCoding"]] if shape.nch_type else []
    type_codings += [{"system": BB_CODESYSTEM + "eob-type", "code": shape.eob_type},
                     {"system": HL7_CODESYSTEM + "claim-type", "code": shape.category,
                      "display": shape.category.capitalize()}]
    eob: dict[str, Any] = {
        "resourceType": "ExplanationOfBenefit", "id": slot("id"),
        "meta": {"lastUpdated": slot("last_updated"), "profile": profile(shape.profile)},
        member("contained"): None, member("extension"): None,
        "identifier": [{"type": UC_TYPE, "system": BB_VARIABLES + shape.id_variable, "value": slot("claim_id")},
                       {"type": UC_TYPE, "system": CLAIM_GROUP_SYSTEM, "value": slot("group_id")},
                       member("prescription")],
        "status": "active", "type": {"coding": type_codings}}
    if shape.subtype:
        eob["subType"] = {"coding": [{"system": SUBTYPE_SYSTEM, "code": shape.subtype}],
                          "text": shape.subtype.capitalize()}
    period = {"start": slot("start"), "end": slot("end")}
    eob.update({"use": "claim", "patient": {"reference": slot("patient")},
                "billablePeriod": {"extension": FINAL_BILL, **period} if shape.final_bill else period,
                "created": slot("created"), "insurer": INSURER, "provider": slot("provider"),
                member("referral"): None, member("facility"): None, "outcome": "complete"})
    if shape.disposition:
        eob["disposition"] = shape.disposition
    payment = {"date": slot("payment")} if shape.payment == "date" else {"amount": money(slot("payment"))}
    eob.update({member("care_team"): None, "supportingInfo": slot("supporting_info"),
                member("diagnosis"): None, member("procedure"): None,
                "insurance": [{"focal": True, "coverage": slot("coverage")}], "item": slot("items"),
                "total": slot("total"), "payment": payment, member("benefit_balance"): None})
    return eob


# --- header extensions ----------------------------------------------------------------------------------------
VALUE_KINDS: dict[str, Callable[[str, Any], tuple[str, Any]]] = {
    "identifier": lambda variable, value: ("valueIdentifier", {"system": BB_VARIABLES + variable, "value": value}),
    "date": lambda variable, value: ("valueDate", value),
    "quantity": lambda variable, value: ("valueQuantity", {"value": value}),
    "money": lambda variable, value: ("valueMoney", money(value)),
}


@cache
def coding_extension(variable: str, code: str | None) -> bytes:
    """A coding extension with the codebook's display, serialized once per code."""
    return dumps(ccw_coding_ext(variable, code))


def _then(source: Source, then: Callable[[Any], bytes]) -> Callable[[dict], bytes]:
    """claim → `then` of the source's value, in one frame where the source reads one key."""
    if isinstance(source, Key):
        name, default = source.name, source.default
        return lambda claim: then(claim.get(name, default))
    if isinstance(source, Derived) and len(source.keys) == 1:
        (key,), compute = source.keys, source.compute
        return lambda claim: then(compute(claim.get(key, 0.0)))
    read = value_of(source)
    return lambda claim: then(read(claim))


def _header(extensions: tuple[Extension, ...], where: str) -> tuple[bytes, tuple[Callable[[dict], bytes], ...]]:
    """The header extension array as a %-format (constant extensions written in, a slot per varying one) and the
    functions of the claim that fill its slots."""
    if not extensions:
        return b"", ()
    items, names, functions = [], [], []
    for extension in extensions:
        variable, source = extension.variable, extension.source
        if extension.kind == "coding":
            if isinstance(source, Const):
                items.append(ccw_coding_ext(variable, source.value))
                continue
            items.append(slot(variable))
            functions.append(_then(source, partial(coding_extension, variable)))
        else:
            value_key, value = VALUE_KINDS[extension.kind](variable, source.value if isinstance(source, Const)
                                                           else slot(variable))
            items.append({"url": BB_VARIABLES + variable, value_key: value})
            if isinstance(source, Const):
                continue
            functions.append(_then(source, dumps))
        names.append(variable)
    template = compile_shape({"extension": items}, tuple(names), members=True, where=where)
    return b"," + template.format, tuple(functions)


# --- supportingInfo ---------------------------------------------------------------------------------------------
def _category(category: Category) -> dict:
    codings = [{"system": CARIN_INFO, "code": category.carin[0], "display": category.carin[1]}] if category.carin \
        else [INFO]
    if category.variable:
        codings.append(bb_slot("information", category.variable))
    return {"coding": codings}


def member_bytes(key: str, value: Any) -> bytes:
    """`,"key":value` serialized: an object member, to splice into an object's bytes after another member."""
    return b"," + dumps({key: value})[1:-1]


@cache
def code_member(variable: str, code: str | None) -> bytes:
    return member_bytes("code", ccw_concept(variable, code))


def _info_value(value: InfoValue) -> tuple[tuple[str, ...], Callable[..., bytes | None]]:
    """An info value as the claim keys it reads and the function of their values that builds its member
    (None: no entry)."""
    if isinstance(value, Code):
        keys, compute = reader(value.source)
        variable, strip = value.variable, value.strip_zero

        def code(*values):
            found = compute(*values)
            if not isinstance(found, str) or found == "":
                return None
            return code_member(variable, found.lstrip("0") or "0" if strip else found)
        return keys, code
    if isinstance(value, BlankCode):
        blank = code_member(value.variable, None)
        return (), lambda: blank
    if isinstance(value, Concept):
        keys, compute = reader(value.source)
        members = {key: member_bytes("code", concept(value.system, code, display))
                   for key, code, display in value.codes}
        return keys, lambda *values: members[compute(*values)]
    if isinstance(value, TimingPeriod) and value.end is not None:
        (start_key,), (end_key,) = reader(value.start)[0], reader(value.end)[0]
        return (start_key, end_key), lambda start, end: member_bytes("timingPeriod", {"start": start, "end": end})
    if isinstance(value, TimingSpan):
        keys, compute = reader(value.source)
        return keys, lambda *values: (member_bytes("timingPeriod", dict(zip(("start", "end"), span)))
                                      if (span := compute(*values)) else None)
    key, wrap = {TimingDate: ("timingDate", lambda v: v), TimingPeriod: ("timingPeriod", lambda v: {"start": v}),
                 Quantity: ("valueQuantity", lambda v: {"value": v, **_unit(value)})}[type(value)]
    keys, compute = reader(value.start if isinstance(value, TimingPeriod) else value.source)
    template = compile_shape({key: wrap(slot("value"))}, ("value",), members=True, where=f"supportingInfo {key}")
    head = b"," + template.format

    def build(*values):
        found = compute(*values)
        return None if found is None else head % (dumps(found),)
    return keys, build


def _unit(value: Quantity) -> dict:
    return {"unit": value.unit[0], "system": UCUM, "code": value.unit[1]} if value.unit else {}


def _supporting_info(entries: tuple[Info, ...]):
    values = [(b',"category":' + dumps(_category(entry.category)), *_info_value(entry.value)) for entry in entries]
    keys = tuple(dict.fromkeys(key for _, entry_keys, _ in values for key in entry_keys))
    return keys, tuple((category, tuple(map(keys.index, entry_keys)), build) for category, entry_keys, build in values)


# --- numbers -----------------------------------------------------------------------------------------------------
def _line_amounts(shape: FhirShape, where: str) -> NumberTemplate:
    """An item's closing members: its `quantity` (1 when the line has none) and `adjudication` array."""
    adjudication = [{**({"extension": [ccw_coding_ext(*a.extension)]} if a.extension else {}),
                     "category": adjudication_category(a.category, a.variable), "amount": money(slot(a.variable))}
                    for a in shape.line_amounts]
    return NumberTemplate({"quantity": {"value": slot("quantity")}, "adjudication": adjudication},
                          [("quantity", Key("quantity", 1)), *((a.variable, a.source) for a in shape.line_amounts)],
                          members=True, where=where)


def _totals(shape: FhirShape, where: str) -> NumberTemplate:
    return NumberTemplate([{"category": adjudication_category(t.category, t.variable), "amount": money(slot(f"t{i}"))}
                           for i, t in enumerate(shape.totals)],
                          [(f"t{i}", t.source) for i, t in enumerate(shape.totals)], where=where)


def _balances(shape: FhirShape, where: str) -> NumberTemplate | None:
    if not shape.balances:
        return None
    financial = [{"type": {"coding": [bb_slot("benefit-balance", b.variable)]},
                  **({"usedUnsignedInt": slot(b.variable)} if b.count else {"usedMoney": money(slot(b.variable))})}
                 for b in shape.balances]
    return NumberTemplate({"benefitBalance": [{"category": BENEFIT_CATEGORY, "financial": financial}]},
                          [(b.variable, integer(b.source) if b.count else b.source) for b in shape.balances],
                          members=True, lead=b",", where=where)


def compile_layout(spec: ClaimType) -> Layout:
    where = f"generator/claim_types/{spec.name}.py"
    shape = spec.fhir
    header, functions = _header(shape.header, where + " header")
    info_keys, info = _supporting_info(shape.supporting_info)
    amounts = _line_amounts(shape, where + " line amounts")
    head = {**ITEM_SHAPES[spec.form], **amounts.shape}
    item = compile_shape(head, ITEM_SLOTS[spec.form] + amounts.slots, where=f"{where} item").format
    if shape.line_reasons:    # the adjudication array closes the item: its reasons are a last slot inside it
        if not item.endswith(b"]}"):
            raise TemplateError(f"{where} item: the adjudication array must close the item to take reasons")
        item = item[:-2] + b"%b]}"
    return Layout(spec=spec, eob=compile_shape(_eob_shape(spec), EOB_SLOTS, where=where).chunks(), header=header,
                  header_functions=functions, info_keys=info_keys, info_zeros=(0.0,) * len(info_keys), info=info,
                  item=item, line_amounts=amounts, totals=_totals(shape, where + " totals"),
                  balances=_balances(shape, where + " benefit balances"),
                  payment_key="paid_date" if shape.payment == "date" else "paid",
                  revenue_status=value_of(shape.revenue_status) if shape.revenue_status is not None else None,
                  reasons=_reasons(shape.line_reasons) if shape.line_reasons else None)


DENIAL_REASON = {"coding": [{"system": C4BB_CODESYSTEM + "C4BBAdjudicationDiscriminator", "code": "denialreason",
                             "display": "Denial Reason"}]}


def _reasons(reasons: tuple[tuple[str, Source], ...]) -> Callable[[dict], bytes]:
    """line → its denial-reason adjudications as `,{…}` each (serialized once per distinct codes)."""
    variables = tuple(variable for variable, _ in reasons)
    readers = tuple(value_of(source) for _, source in reasons)

    @lru_cache(maxsize=1 << 8)
    def render(codes: tuple) -> bytes:
        return b"".join(b"," + dumps({"category": DENIAL_REASON, "reason": {"coding": [ccw_coding(variable, code)]}})
                        for variable, code in zip(variables, codes) if code is not None)
    return lambda line: render(tuple([read(line) for read in readers]))


ITEM_SHAPES = {  # the members of an item before its amounts, per billing form
    "professional": {"extension": slot("extension"), "sequence": slot("sequence", "d"), member("care_team"): None,
                     member("codes"): None, "servicedPeriod": slot("period"), member("location"): None},
    "institutional": {member("quantity_extension"): None, "sequence": slot("sequence", "d"), member("care_team"): None,
                      member("revenue"): None, member("product"): None, member("modifier"): None,
                      member("serviced_date"): None, member("location"): None},
    "pharmacy": {"sequence": slot("sequence", "d"), member("care_team"): None, member("product"): None,
                 "servicedDate": slot("date")},
}

LAYOUTS: dict[str, Layout] = {name: compile_layout(spec) for name, spec in TYPES.items()}
