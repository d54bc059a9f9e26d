"""Read Blue Button facts out of FHIR JSON dicts (Patient, Coverage, EOB as data-model.md shapes them).

Shared by `validate` and `stats`, which see only the files: every lookup here is by the CCW variable
URL or code system the writers emit (dataset_contract.systems), so a reader never depends on element order.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from dataset_contract.systems import (BB_ADJUDICATION, BB_VARIABLES, EOB_TYPE_SYSTEM, ICD10CM_SYSTEM,
                                      NPI_SYSTEM)


NPI_IDENTIFIER_SYSTEMS = frozenset({NPI_SYSTEM, BB_VARIABLES + "carr_clm_blg_npi_num"})


def ref_id(reference: dict | None, prefix: str) -> str | None:
    """`Patient/-123` -> `-123` for prefix `Patient/`; None when absent or of another kind."""
    text = (reference or {}).get("reference")
    if isinstance(text, str) and text.startswith(prefix):
        return text[len(prefix):]
    return None


def extension_value(resource: dict, variable: str) -> str | None:
    """The code/value of the extension `…/variables/<variable>` (coding code, identifier value, date…)."""
    url = BB_VARIABLES + variable
    for ext in resource.get("extension") or ():
        if ext.get("url") == url:
            return _extension_scalar(ext)
    return None


def monthly_values(resource: dict, prefix: str) -> dict[int, str]:
    """Month number -> code of the monthly extensions `<prefix>01`…`<prefix>12` (e.g. `dual_`, `ptdcntrct`)."""
    base = BB_VARIABLES + prefix
    out = {}
    for ext in resource.get("extension") or ():
        url = ext.get("url", "")
        suffix = url[len(base):]
        if url.startswith(base) and len(suffix) == 2 and suffix.isdigit():
            value = _extension_scalar(ext)
            if value is not None:
                out[int(suffix)] = value
    return out


def _extension_scalar(ext: dict) -> str | None:
    for key in ("valueCoding", "valueIdentifier"):
        if key in ext:
            inner = ext[key] or {}
            return inner.get("code", inner.get("value"))
    for key in ("valueDate", "valueString", "valueCode"):
        if key in ext:
            return ext[key]
    return None


def eob_type(eob: dict) -> str:
    """Lower-case claim type (`carrier` … `snf`) from the eob-type coding, else from the id prefix."""
    for coding in (eob.get("type") or {}).get("coding") or ():
        if coding.get("system") == EOB_TYPE_SYSTEM and coding.get("code"):
            return str(coding["code"]).lower()
    return str(eob.get("id", "")).split("-", 1)[0].lower()


def parse_date(text) -> dt.date | None:
    """The date part of a FHIR date/dateTime string, None when missing or malformed."""
    if not isinstance(text, str) or len(text) < 10:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def service_dates(eob: dict) -> Iterator[tuple[str, dt.date | None]]:
    """(where, date) for the billable period ends and every item's serviced date or period."""
    period = eob.get("billablePeriod") or {}
    for key in ("start", "end"):
        if key in period:
            yield f"billablePeriod.{key}", parse_date(period[key])
    for i, item in enumerate(eob.get("item") or ()):
        if "servicedDate" in item:
            yield f"item[{i}].servicedDate", parse_date(item["servicedDate"])
        for key in ("start", "end"):
            if key in (item.get("servicedPeriod") or {}):
                yield f"item[{i}].servicedPeriod.{key}", parse_date(item["servicedPeriod"][key])


def adjudication_amounts(adjudications) -> dict[str, float]:
    """CCW variable name (`line_alowd_chrg_amt`) -> amount, for slices that carry one."""
    out = {}
    for adj in adjudications or ():
        amount = (adj.get("amount") or {}).get("value")
        if amount is None:
            continue
        for coding in (adj.get("category") or {}).get("coding") or ():
            code = coding.get("code") or ""
            if coding.get("system") == BB_ADJUDICATION and code.startswith(BB_VARIABLES):
                out[code[len(BB_VARIABLES):]] = amount
    return out


def all_amounts(eob: dict) -> Iterator[tuple[str, object]]:
    """(where, value) of every money amount: item/header adjudications, totals, benefit balances, payment."""
    for i, item in enumerate(eob.get("item") or ()):
        for j, adj in enumerate(item.get("adjudication") or ()):
            if "amount" in adj:
                yield f"item[{i}].adjudication[{j}]", (adj["amount"] or {}).get("value")
    for j, adj in enumerate(eob.get("adjudication") or ()):
        if "amount" in adj:
            yield f"adjudication[{j}]", (adj["amount"] or {}).get("value")
    for j, total in enumerate(eob.get("total") or ()):
        yield f"total[{j}]", (total.get("amount") or {}).get("value")
    for b, balance in enumerate(eob.get("benefitBalance") or ()):
        for f, fin in enumerate(balance.get("financial") or ()):
            if "usedMoney" in fin:
                yield f"benefitBalance[{b}].financial[{f}]", (fin["usedMoney"] or {}).get("value")


def diagnosis_codes(eob: dict) -> Iterator[str]:
    """ICD-10-CM codes (dot-less) of the EOB's diagnoses."""
    for dx in eob.get("diagnosis") or ():
        for coding in (dx.get("diagnosisCodeableConcept") or {}).get("coding") or ():
            if coding.get("system") == ICD10CM_SYSTEM and coding.get("code"):
                yield coding["code"].replace(".", "")
                break


def product_codes(eob: dict, system: str) -> Iterator[tuple[str, str]]:
    """(code, display) of item productOrService codings in `system` (HCPCS, NDC)."""
    for item in eob.get("item") or ():
        for coding in (item.get("productOrService") or {}).get("coding") or ():
            if coding.get("system") == system and coding.get("code"):
                yield coding["code"], coding.get("display", "")


def supporting_code(eob: dict, variable: str) -> tuple[str | None, str]:
    """(code, display) of the supportingInfo whose category names `…/variables/<variable>` (`clm_drg_cd`)."""
    url = BB_VARIABLES + variable
    for info in eob.get("supportingInfo") or ():
        if any(c.get("code") == url for c in (info.get("category") or {}).get("coding") or ()):
            for coding in (info.get("code") or {}).get("coding") or ():
                if coding.get("code"):
                    return coding["code"], coding.get("display", "")
    return None, ""


def is_npi_identifier(identifier: dict) -> bool:
    """An identifier that holds an NPI: system us-npi (or the carrier billing NPI variable), or type `npi`."""
    if identifier.get("system") in NPI_IDENTIFIER_SYSTEMS:
        return True
    return any(c.get("code") == "npi" for c in (identifier.get("type") or {}).get("coding") or ())


def npi_values(eob: dict) -> Iterator[tuple[str, str]]:
    """(where, value) of every NPI on the claim: provider, referral, facility, careTeam, contained orgs."""
    refs = [(key, eob.get(key)) for key in ("provider", "referral", "facility")]
    refs += [(f"careTeam[{i}].provider", ct.get("provider")) for i, ct in enumerate(eob.get("careTeam") or ())]
    for where, ref in refs:
        identifier = (ref or {}).get("identifier")
        if identifier and is_npi_identifier(identifier) and identifier.get("value"):
            yield where, identifier["value"]
    for i, res in enumerate(eob.get("contained") or ()):
        for identifier in res.get("identifier") or ():
            if is_npi_identifier(identifier) and identifier.get("value"):
                yield f"contained[{i}]", identifier["value"]
