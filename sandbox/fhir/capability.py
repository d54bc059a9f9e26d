"""`/v2/fhir/metadata`: BB2's CapabilityStatement (Patient, Coverage, EOB; read + search-type; OAuth security).

The statement is the one the public sandbox serves (capability.json); only its URLs change, to the
request's scheme and host, so the advertised OAuth endpoints point at this server.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

import orjson

_TEMPLATE = json.loads((Path(__file__).with_name("capability.json")).read_text())
OAUTH_URIS = {"token": "/v2/o/token/", "authorize": "/v2/o/authorize/", "revoke": "/v2/o/revoke/"}


@lru_cache(maxsize=64)
def capability_statement(host_url: str) -> bytes:
    """The CapabilityStatement bytes for a server reached at `host_url` (e.g. http://localhost:8000)."""
    statement = copy.deepcopy(_TEMPLATE)
    statement["implementation"]["url"] = f"{host_url}/v2/fhir"
    for oauth in statement["rest"][0]["security"]["extension"]:
        for uri in oauth["extension"]:
            uri["valueUri"] = host_url + OAUTH_URIS[uri["url"]]
    return orjson.dumps(statement)
