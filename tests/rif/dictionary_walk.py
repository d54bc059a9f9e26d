"""An independent check of the RIF files against the FHIR files: every BFD data dictionary entry that maps a CCW
column to a FHIRPath in ExplanationOfBenefit, evaluated with fhirpathpy over each claim's EOB (per line for item
paths), against the claim's RIF rows. The dictionary's known faults (shared/reference/samples/reference-tables/
DICTIONARY-NOTES.md) are read as BFD actually writes: each adjustment is named below with its note."""
from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

from fhirpathpy import compile as fhirpath

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "samples" / "reference-tables"
DICTIONARY = REFERENCE / "bfd-v2-data-dictionary.json"
APPLIES = {"carrier": "Carrier", "dme": "DME", "hha": "HHA", "hospice": "Hospice", "inpatient": "Inpatient",
           "outpatient": "Outpatient", "pde": "PDE", "snf": "SNF"}
ICD10_SYSTEMS = {"http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10",
                 "http://www.cms.gov/Medicare/Coding/ICD10"}     # a version column's "0" (ICD-10) in FHIR: the system
# how BFD writes a RIF code in FHIR where the two differ (the dictionary's `derived` rules)
FHIR_CODE = {"FINAL_ACTION": {"F": "active"}, "CMPND_CD": {"1": "RXDINV", "2": "RXCINV"},   # CMPND_CD: "Inverted"
             "SRVC_PRVDR_ID_QLFYR_CD": {"01": "npi"}, "PRSCRBR_ID_QLFYR_CD": {"01": "npi"}}
# the dictionary's entries whose path does not read what BFD writes (DICTIONARY-NOTES.md), with the note: their
# columns are checked by `diagnosis_lists` instead
NOT_WHAT_BFD_WRITES = {
    "ICD_DGNS_CD": "Off by one: CD2..25 point at diagnosis[k-1]",
    "ICD_DGNS_VRSN_CD": "Off by one (the version columns too)",
    "FST_DGNS_E_CD": "HHA types both other and external-cause diagnoses secondary",
    "FST_DGNS_E_VRSN_CD": "HHA types both other and external-cause diagnoses secondary",
    "ICD_DGNS_E_CD": "HHA types both other and external-cause diagnoses secondary",
    "ICD_DGNS_E_VRSN_CD": "HHA types both other and external-cause diagnoses secondary",
}
WITHOUT_LEADING_ZERO = {"PTNT_DSCHRG_STUS_CD"}   # BFD stores it without its leading zero (claim_types/common.py)
# "Line columns whose path reads the whole claim": read on the row's own line (its careTeam members)
OWN_LINE = {"PRF_PHYSN_NPI", "RNDRNG_PHYSN_NPI", "PRVDR_NPI"}
HCPCS_IN_DICTIONARY = "https://bluebutton.cms.gov/resources/variables/hcpcs_cd"     # "Wrong system"
HCPCS_WRITTEN = "https://bluebutton.cms.gov/resources/codesystem/hcpcs"
SAME_PATH = {"LINE_NUM": "CLM_LINE_NUM", "CLM_LINE_NUM": "LINE_NUM"}   # "LINE_NUM/CLM_LINE_NUM on one path"
# "Several columns on one path": the four modifier columns read every modifier of the line, RSN_VISIT_CD1..3 (and
# their versions) every reason-for-visit diagnosis: each is the nth of them, in order
ORDINAL = {"HCPCS_1ST_MDFR_CD": 0, "HCPCS_2ND_MDFR_CD": 1, "HCPCS_3RD_MDFR_CD": 2, "HCPCS_4TH_MDFR_CD": 3,
           **{f"RSN_VISIT_{kind}{n}": n - 1 for kind in ("CD", "VRSN_CD") for n in (1, 2, 3)}}


def rif_rows(path: Path, key: str) -> dict[str, list[dict]]:
    with open(path, newline="") as f:
        rows = defaultdict(list)
        for row in csv.DictReader(f, delimiter="|"):
            rows[row[key]].append(row)
    return rows


def _fhir_values(values, fmt: str) -> set:
    out = set()
    for v in values:
        if isinstance(v, dict):      # "LINE_1ST_EXPNS_DT returns a Period"
            v = v.get("start")
        if isinstance(v, (Decimal, float, int)) and not isinstance(v, bool):
            v = float(v)
        elif fmt == "date" and isinstance(v, str):
            v = v[:10]
        elif fmt == "icd10" and v in ICD10_SYSTEMS:
            v = "0"
        out.add(v)
    return out


def _rif_value(column: str, value: str, fmt: str):
    if value == "":
        return None
    if column in FHIR_CODE:
        return FHIR_CODE[column].get(value, value)
    if fmt == "date":
        return dt.datetime.strptime(value, "%d-%b-%Y").date().isoformat()
    if fmt in ("amount", "number", "int"):
        return float(value)
    if column in WITHOUT_LEADING_ZERO:
        return value.lstrip("0") or "0"
    return value


def _family(column: str) -> str:
    return column.rstrip("0123456789")


def entries(claim_type: str):
    """(CCW column, path, per line) of every dictionary entry that maps a column of the type to an EOB path.
    "%n means more than the line index": the whole list inside benefitBalance and insurance, the line's members
    inside careTeam and diagnosis (by the item's careTeamSequence and diagnosisSequence)."""
    for entry in json.loads(DICTIONARY.read_text()):
        if APPLIES[claim_type] not in entry["appliesTo"]:
            continue
        for mapping in entry["fhirMapping"]:
            path = mapping["fhirPath"]
            if mapping["resource"] != "ExplanationOfBenefit" or not path:
                continue
            path = path.replace("benefitBalance[%n]", "benefitBalance").replace("insurance[%n]", "insurance")
            path = path.replace(HCPCS_IN_DICTIONARY, HCPCS_WRITTEN)
            per_line = path.startswith(("item", "careTeam[%n]", "diagnosis[%n]"))
            for column in entry["ccwMapping"]:
                if column in OWN_LINE and path.startswith("careTeam.where("):
                    yield column, "careTeam[%n]" + path[len("careTeam"):], True
                elif column:
                    yield column, path, per_line


def line_path(path: str) -> str:
    """A per-line path, its line given by the environment: %n the item's index, %members the item's careTeam or
    diagnosis sequences."""
    for member in ("careTeam", "diagnosis"):
        if path.startswith(member + "[%n]"):
            return f"{member}.where(sequence in %members)" + path[len(member) + 4:]
    return path if "%n" in path else "item[%n]" + path[len("item"):]


def line_environment(path: str, item: dict, i: int) -> dict:
    key = "careTeamSequence" if path.startswith("careTeam") else "diagnosisSequence"
    return {"n": i, "members": item.get(key) or []}


def walk(directory: Path, formats: dict[str, dict[str, str]], per_type: int | None = None) -> tuple[list[str], Counter]:
    """Mismatches between RIF and FHIR over every claim (or the first `per_type` claims of each type: fhirpathpy is
    slow); returns them and the number of values compared by type."""
    eobs = defaultdict(list)
    with open(directory / "ExplanationOfBenefit.ndjson") as f:
        for line in f:
            eob = json.loads(line)
            claims = eobs[eob["id"].split("--")[0]]
            if per_type is None or len(claims) < per_type:
                claims.append(eob)
    problems, compared = [], Counter()
    for claim_type, resources in eobs.items():
        key = "PDE_ID" if claim_type == "pde" else "CLM_ID"
        rows = rif_rows(directory / "rif" / f"{claim_type}.csv", key)
        fmt = formats[claim_type]
        checks = []
        for column, path, per_line in entries(claim_type):
            if _family(column) in NOT_WHAT_BFD_WRITES or column in NOT_WHAT_BFD_WRITES:
                continue
            if column not in fmt and SAME_PATH.get(column) in fmt:
                continue
            checks.append((column, path, per_line))
        compiled = {}
        for eob in resources:
            claim_rows = rows[eob["id"][len(claim_type) + 1:]]    # carrier--20… is carrier- and CLM_ID -20…
            if len(claim_rows) != len(eob.get("item") or [None]):
                problems.append(f"{eob['id']}: {len(claim_rows)} RIF rows, {len(eob.get('item') or ())} items")
                continue
            items = eob.get("item") or [{}]
            for column, path, per_line in checks:
                fn = compiled.get(path) or compiled.setdefault(path, fhirpath(line_path(path) if per_line else path))
                for i, row in enumerate(claim_rows if per_line else claim_rows[:1]):
                    try:
                        found = fn(eob, line_environment(path, items[i], i) if per_line else {})
                        if column in ORDINAL:
                            found = found[ORDINAL[column]:ORDINAL[column] + 1]
                        fhir = _fhir_values(found, fmt.get(column, ""))
                    except Exception as e:
                        problems.append(f"{claim_type} {column}: {path} fails: {e}")
                        continue
                    if column not in fmt:
                        if fhir:
                            problems.append(f"{claim_type} {column}: FHIR has {sorted(map(str, fhir))[:3]}, "
                                            "no RIF column")
                        continue
                    compared[claim_type] += 1
                    rif = _rif_value(column, row[column], fmt[column])
                    if (rif is None and fhir) or (rif is not None and rif not in fhir):
                        problems.append(f"{eob['id']} {column}: RIF {row[column]!r}, FHIR {sorted(map(str, fhir))[:3]}"
                                        f" ({path})")
    return problems, compared


EXTERNAL = "externalcauseofinjury"


def diagnosis_lists(directory: Path) -> tuple[list[str], int]:
    """The numbered diagnosis columns against the EOB's diagnosis list, as BFD writes it: ICD_DGNS_CD1.. are the
    principal then the other codes in sequence order (not the admitting or reason-for-visit entries),
    ICD_DGNS_E_CD1.. the external-cause codes; returns mismatches and the number of claims compared."""
    problems, compared = [], 0
    with open(directory / "ExplanationOfBenefit.ndjson") as f:
        eobs = [json.loads(line) for line in f]
    rows: dict[str, dict] = {}
    for claim_type in APPLIES:
        key = "PDE_ID" if claim_type == "pde" else "CLM_ID"
        for claim_id, claim_rows in rif_rows(directory / "rif" / f"{claim_type}.csv", key).items():
            rows[f"{claim_type}-{claim_id}"] = claim_rows[0]
    for eob in eobs:
        row = rows[eob["id"]]
        kinds = {"ICD_DGNS_CD": [], "ICD_DGNS_E_CD": []}
        for entry in sorted(eob.get("diagnosis") or (), key=lambda d: d["sequence"]):
            types = {c["code"] for t in entry.get("type") or () for c in t["coding"]}
            if types <= {"admitting", "patientreasonforvisit"}:
                continue            # the admitting and reason-for-visit columns are not numbered diagnoses
                                    # (an entry that is the principal and the reason is the principal)
            code = entry["diagnosisCodeableConcept"]["coding"][0]["code"]
            kinds["ICD_DGNS_E_CD" if EXTERNAL in types else "ICD_DGNS_CD"].append(code)
        for prefix, codes in kinds.items():
            written = [row[f"{prefix}{n}"] for n in range(1, 26) if row.get(f"{prefix}{n}")]
            if written != codes:
                problems.append(f"{eob['id']} {prefix}n: RIF {written}, FHIR {codes}")
        compared += 1
    return problems, compared
