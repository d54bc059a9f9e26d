"""The names a dataset is made of: its resource types, Blue Button's claim types, its files, its ids."""
from __future__ import annotations

RESOURCE_TYPES = ("Patient", "Coverage", "ExplanationOfBenefit")
"""The resource types of a dataset, one NDJSON file each, in reading order (people before their claims)."""

CLAIM_TYPES = ("carrier", "dme", "hha", "hospice", "inpatient", "outpatient", "pde", "snf")
"""Blue Button's eight claim types, lower case as in ExplanationOfBenefit ids (`carrier--10000000000123`)."""

MANIFEST_NAME = "manifest.json"
BUNDLES_DIR = "bundles"
NDJSON_SUFFIXES = (".ndjson", ".ndjson.gz")


def ndjson_name(resource_type: str, gzip: bool = False) -> str:
    """The file name of a resource type's NDJSON: `Patient.ndjson`, or `Patient.ndjson.gz` with gzip."""
    return resource_type + NDJSON_SUFFIXES[gzip]


def eob_id(claim_type: str, claim_id: str) -> str:
    """An ExplanationOfBenefit id: the claim type, a dash, the claim id (`pde--40000000000001`)."""
    return f"{claim_type}-{claim_id}"


def split_eob_id(resource_id: str) -> tuple[str, str] | None:
    """(claim type, claim id) of an ExplanationOfBenefit id, None when it names no known claim type."""
    claim_type, dash, claim_id = resource_id.partition("-")
    return (claim_type, claim_id) if dash and claim_type in CLAIM_TYPES else None
