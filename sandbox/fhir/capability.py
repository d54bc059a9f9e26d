"""`/v{2,3}/fhir/metadata`: BB2's CapabilityStatement (Patient, Coverage, EOB; read + search-type; OAuth security).

The statement is the one the public sandbox serves (capability.json), with the request's scheme and host
and the API version's paths. Its security section names the same endpoints as the SMART configuration
(sandbox.auth.oauth_urls: authorize, token, the RFC 7009 revoke and the RFC 7662 introspect), lists the
SMART capabilities (one `capabilities` extension each, as SMART 1.0 declared them) and says in its
description that PKCE S256 and `state` are required: no FHIR extension carries
`code_challenge_methods_supported`, so clients that need it read `.well-known/smart-configuration`,
which the description points at.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

import orjson

from sandbox.auth.discovery import SMART_CAPABILITIES
from sandbox.auth.oauth_urls import fhir_base, oauth_url

_TEMPLATE = json.loads((Path(__file__).with_name("capability.json")).read_text())
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
CAPABILITIES = "http://fhir-registry.smarthealthit.org/StructureDefinition/capabilities"
ADVERTISED = ("authorize", "token", "revoke", "introspect")


def _security_description(host_url: str, version: int) -> str:
    return (f"OAuth 2.0 with SMART App Launch 2.x: authorization code with PKCE (code_challenge_method S256, "
            f"required) and a state of at least 16 characters; refresh tokens; SMART Backend Services "
            f"(client_credentials with a private_key_jwt assertion) for $export. Discovery: "
            f"{fhir_base(host_url, version)}/.well-known/smart-configuration")


@lru_cache(maxsize=64)
def capability_statement(host_url: str, version: int = 2) -> bytes:
    """The CapabilityStatement bytes of API `version` for a server reached at `host_url`
    (e.g. http://localhost:8000)."""
    statement = copy.deepcopy(_TEMPLATE)
    statement["implementation"]["url"] = fhir_base(host_url, version)
    security = statement["rest"][0]["security"]
    security["extension"] = [
        {"url": OAUTH_URIS, "extension": [{"url": name, "valueUri": oauth_url(host_url, version, name)}
                                          for name in ADVERTISED]},
        *({"url": CAPABILITIES, "valueCode": capability} for capability in SMART_CAPABILITIES),
    ]
    security["description"] = _security_description(host_url, version)
    return orjson.dumps(statement)
