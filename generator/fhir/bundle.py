"""A beneficiary's resources as one FHIR Bundle (type `collection`): `bundles/<patient-id>.json` files."""
from __future__ import annotations

import orjson


def bundle(bene_id: str, resources: list[bytes]) -> bytes:
    """A beneficiary's resources (serialized) as one collection Bundle."""
    head = orjson.dumps({"resourceType": "Bundle", "id": f"bundle{bene_id}", "type": "collection"})[:-1]
    return head + b',"entry":[' + b",".join(b'{"resource":' + r + b"}" for r in resources) + b"]}"
