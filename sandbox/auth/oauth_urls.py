"""The OAuth endpoints of each API version, as every document advertises them (one table, so the SMART
configuration, the OpenID configuration and the CapabilityStatement can never disagree).

Each is advertised in the form the server answers directly: authorize with its trailing slash (the
slashless form is BB2's 301), revoke and introspect with theirs (a POST without it would be redirected and
lose its body), token with it too (both forms are routed), userinfo without (BB2's only form).
"""
from __future__ import annotations

API_VERSIONS = (2, 3)
PATHS = {"authorize": "/o/authorize/", "token": "/o/token/", "revoke": "/o/revoke_token/",
         "introspect": "/o/introspect/", "userinfo": "/connect/userinfo"}


def oauth_url(host: str, version: int, name: str) -> str:
    """The absolute URL of endpoint `name` (a key of PATHS) of API `version` on `host`."""
    return f"{host}/v{version}{PATHS[name]}"


def fhir_base(host: str, version: int) -> str:
    return f"{host}/v{version}/fhir"
