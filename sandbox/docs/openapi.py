"""The sandbox's OpenAPI 3 document, built for the host the client used (servers and OAuth URLs follow it).

It describes what the server really does: BB2's FHIR search and read routes with their parameters and
`{"detail": …}` errors, the OAuth endpoints with their `{"error": …}` bodies, discovery, and the sandbox's
expire endpoint. tests/portal/test_openapi.py validates it and runs schemathesis against the live server.
"""
from __future__ import annotations

from dataset_contract import CLAIM_TYPES
from sandbox.auth.scopes import ALL_SCOPES

FHIR_TYPES = ("application/fhir+json", "application/json")
ID_PATTERN = r"^[A-Za-z0-9\-]{1,64}$"
_TYPE_CODE = "(" + "|".join(CLAIM_TYPES) + ")"
DATE_PREFIXED = r"^(lt|le|gt|ge)[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"

BULK_ERRORS = {
    "400": "Bad kick-off (Prefer/Accept header, _type, _since or _outputFormat)",
    "401": "No system token, or an invalid or expired one",
    "403": "A patient token, another client's export, or scopes that do not cover a type",
    "404": "No such group, export or file",
    "500": "The export failed (its OperationOutcome says why)",
}
ERROR_STATUSES = {
    "400": "Bad parameter (BB2's message in `detail`)",
    "401": "No, unknown, expired or revoked token; or the grant timed out",
    "403": "The token's scopes do not cover this resource, or the search names another patient",
    "404": "Not found, or not the token's patient's",
}


def _json(schema: dict, types=("application/json",)) -> dict:
    return {media: {"schema": schema} for media in types}


def _response(description: str, schema: dict | None = None, types=("application/json",)) -> dict:
    return {"description": description, **({"content": _json(schema, types)} if schema else {})}


def _param(name: str, where: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": where, "description": description, "required": required, "schema": schema}


PAGING = [
    _param("_count", "query", "Page size (default 10)", {"type": "integer", "minimum": 0, "maximum": 50}),
    _param("startIndex", "query", "Offset of the page's first entry", {"type": "integer", "minimum": 0,
                                                                       "maximum": 1000000}),
    _param("_lastUpdated", "query", "lastUpdated bound with a lt/le/gt/ge prefix, e.g. gt2024-01-01",
           {"type": "string", "pattern": DATE_PREFIXED}),
]
SEARCH_PARAMS = {
    "Patient": [_param("_id", "query", "The token's patient id (another is 404)",
                       {"type": "string", "pattern": ID_PATTERN}),
                _param("identifier", "query", "`system|value`: bene_id or MBI", {"type": "string", "maxLength": 120})],
    "Coverage": [_param("beneficiary", "query", "Patient/<the token's patient id> (another is 403)",
                        {"type": "string", "pattern": r"^(Patient/)?[A-Za-z0-9\-]{1,64}$"})],
    "ExplanationOfBenefit": [
        _param("patient", "query", "The token's patient id (another is 403)",
               {"type": "string", "pattern": ID_PATTERN}),
        _param("type", "query", "Comma-separated claim types: " + ", ".join(CLAIM_TYPES),
               {"type": "string", "pattern": f"^{_TYPE_CODE}(,{_TYPE_CODE})*$"}),
        _param("service-date", "query", "Service (billable period end) date bound with a lt/le/gt/ge prefix",
               {"type": "string", "pattern": DATE_PREFIXED})],
}

SCHEMAS = {
    "Error": {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}},
    "OAuthError": {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string"}, "error_description": {"type": "string"}, "status_code": {"type": "integer"}}},
    "AuthorizeError": {"type": "object", "required": ["status_code"], "properties": {
        "status_code": {"type": "integer"}, "message": {"type": "string"}, "error": {"type": "string"},
        "error_description": {"type": "string"}}},
    "OperationOutcome": {"type": "object", "required": ["resourceType", "issue"], "properties": {
        "resourceType": {"enum": ["OperationOutcome"]}, "issue": {"type": "array", "items": {"type": "object"}}}},
    "Resource": {"type": "object", "required": ["resourceType", "id"], "properties": {
        "resourceType": {"type": "string"}, "id": {"type": "string"}, "meta": {"type": "object"}}},
    "Bundle": {"type": "object", "required": ["resourceType", "type", "total", "link"], "properties": {
        "resourceType": {"enum": ["Bundle"]}, "id": {"type": "string"}, "type": {"enum": ["searchset"]},
        "total": {"type": "integer", "minimum": 0},
        "link": {"type": "array", "items": {"type": "object", "required": ["relation", "url"]}},
        "entry": {"type": "array", "items": {"type": "object", "required": ["resource"], "properties": {
            "resource": {"$ref": "#/components/schemas/Resource"}}}}}},
    "Token": {"type": "object", "required": ["access_token", "expires_in", "token_type", "scope", "refresh_token",
                                             "patient"], "properties": {
        "access_token": {"type": "string"}, "expires_in": {"type": "integer"}, "token_type": {"enum": ["Bearer"]},
        "scope": {"type": "string"}, "refresh_token": {"type": "string"}, "patient": {"type": "string"},
        "access_grant_expiration": {"type": "string"}}},
    "UserInfo": {"type": "object", "required": ["sub", "patient"], "properties": {
        "sub": {"type": "string"}, "name": {"type": "string"}, "given_name": {"type": "string"},
        "family_name": {"type": "string"}, "email": {"type": "string"}, "iat": {"type": "string"},
        "patient": {"type": "string"}}},
    "Introspection": {"type": "object", "required": ["active"], "properties": {
        "active": {"type": "boolean"}, "scope": {"type": "string"}, "exp": {"type": "integer"},
        "client_id": {"type": "string"}, "username": {"type": "string"}}},
    "Discovery": {"type": "object", "required": ["authorization_endpoint", "token_endpoint"]},
}
_REF = {name: {"$ref": f"#/components/schemas/{name}"} for name in SCHEMAS}
_ERRORS = {status: _response(text, _REF["Error"]) for status, text in ERROR_STATUSES.items()}
_OAUTH_ERRORS = {"400": _response("Bad request (OAuth error)", _REF["OAuthError"]),
                 "401": _response("Client authentication failed", _REF["OAuthError"]),
                 "429": _response("Too many wrong client secrets: locked for a minute", _REF["Error"])}
_TOKEN_FORM = {"type": "object", "properties": {"token": {"type": "string"},
                                                "token_type_hint": {"enum": ["access_token", "refresh_token"]},
                                                "client_id": {"type": "string"}, "client_secret": {"type": "string"}}}
_INTROSPECTION = {"200": _response("Token state", _REF["Introspection"]), **_OAUTH_ERRORS}
_BEARER = [{"oauth2": list(ALL_SCOPES)}]
_CLIENT = [{"clientBasic": []}]
_SYSTEM = [{"backendServices": ["system/*.read"]}]


def _form(schema: dict) -> dict:
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}


def _fhir_paths(version: str) -> dict:
    """Search and read of the three resources, and metadata, under /<version>/fhir (v3 takes v3 tokens only)."""
    prefix, suffix = f"/{version}/fhir", "" if version == "v2" else version.upper()
    tag = f"FHIR{suffix}"
    bearer = [{f"oauth2{suffix}": list(ALL_SCOPES)}]
    paths = {}
    for resource, params in SEARCH_PARAMS.items():
        paths[f"{prefix}/{resource}/"] = {"get": {
            "tags": [tag], "summary": f"Search the token's patient's {resource} resources",
            "operationId": f"search{resource}{suffix}", "security": bearer, "parameters": params + PAGING,
            "responses": {"200": _response("A searchset Bundle, one page", _REF["Bundle"], FHIR_TYPES), **_ERRORS}}}
        paths[f"{prefix}/{resource}/{{id}}"] = {"get": {
            "tags": [tag], "summary": f"Read one {resource} of the token's patient",
            "operationId": f"read{resource}{suffix}", "security": bearer,
            "parameters": [_param("id", "path", "Resource id", {"type": "string", "pattern": ID_PATTERN}, True)],
            "responses": {"200": _response(resource, _REF["Resource"], FHIR_TYPES), **_ERRORS}}}
    paths[f"{prefix}/metadata"] = {"get": {
        "tags": [tag], "summary": "The CapabilityStatement (no token needed)", "operationId": f"metadata{suffix}",
        "security": [], "responses": {"200": _response("CapabilityStatement", _REF["Resource"], FHIR_TYPES)}}}
    if version == "v3":
        paths[f"{prefix}/Patient/$generate-insurance-card"] = {"get": {
            "tags": [tag], "summary": "The beneficiary's digital insurance card (CARIN C4DIC Bundle)",
            "operationId": "generateInsuranceCard", "security": bearer,
            "responses": {"200": _response("The card Bundle", _REF["Resource"], FHIR_TYPES), **_ERRORS}}}
    return paths


def _bulk_paths(version: str) -> dict:
    """FHIR Bulk Data export for backend-services apps under /<version>/fhir (system tokens only; errors are
    OperationOutcomes; v3 exports carry v3 ids)."""
    prefix, suffix = f"/{version}/fhir", "" if version == "v2" else version.upper()
    outcome = {status: _response(text, _REF["OperationOutcome"], ("application/fhir+json",))
               for status, text in BULK_ERRORS.items()}
    kick_off = {
        "tags": ["Bulk export"], "security": _SYSTEM,
        "parameters": [
            _param("Prefer", "header", "Must be respond-async", {"enum": ["respond-async"]}, True),
            _param("Accept", "header", "Must be application/fhir+json", {"enum": ["application/fhir+json"]}, True),
            _param("_type", "query", "Comma-separated resource types", {"type": "string", "maxLength": 80}),
            _param("_since", "query", "Only resources updated since this FHIR instant", {"type": "string",
                                                                                        "maxLength": 40}),
            _param("_outputFormat", "query", "application/fhir+ndjson (the default)", {"type": "string",
                                                                                      "maxLength": 40})],
        "responses": {"202": {"description": "Accepted: poll the Content-Location URL"},
                      **{s: outcome[s] for s in ("400", "401", "403", "404")}}}
    job = _param("job_id", "path", "The export's id", {"type": "string", "pattern": ID_PATTERN}, True)
    return {
        f"{prefix}/Patient/$export": {"get": {**kick_off, "summary": "Start an export of every patient",
                                             "operationId": f"exportPatients{suffix}"}},
        f"{prefix}/Group/{{group_id}}/$export": {"get": {
            **kick_off, "summary": "Start an export of a group (Group/all: the whole dataset)",
            "operationId": f"exportGroup{suffix}",
            "parameters": [_param("group_id", "path", "all", {"type": "string", "pattern": ID_PATTERN}, True),
                           *kick_off["parameters"]],
            "responses": {**kick_off["responses"]}}},
        f"{prefix}/bulk-status/{{job_id}}": {
            "get": {"tags": ["Bulk export"], "summary": "Poll an export", "operationId": f"exportStatus{suffix}",
                    "security": _SYSTEM, "parameters": [job],
                    "responses": {"200": _response("The manifest", {"type": "object"}),
                                  "202": {"description": "Still running (X-Progress, Retry-After)"},
                                  **{s: outcome[s] for s in ("401", "403", "404", "500")}}},
            "delete": {"tags": ["Bulk export"], "summary": "Cancel an export or delete its files",
                       "operationId": f"exportCancel{suffix}", "security": _SYSTEM, "parameters": [job],
                       "responses": {"202": {"description": "Cancelled"},
                                     **{s: outcome[s] for s in ("401", "403", "404")}}}},
        f"{prefix}/bulk-files/{{job_id}}/{{name}}": {"get": {
            "tags": ["Bulk export"], "summary": "Download one NDJSON file of a finished export",
            "operationId": f"exportFile{suffix}", "security": _SYSTEM,
            "parameters": [job, _param("name", "path", "File name from the manifest",
                                       {"type": "string", "pattern": r"^[A-Za-z0-9\-]{1,64}\.ndjson$"}, True)],
            "responses": {"200": _response("NDJSON", {"type": "string"}, ("application/fhir+ndjson",)),
                          **{s: outcome[s] for s in ("401", "403", "404")}}}},
    }


def _versioned_oauth_paths(version: str) -> dict:
    """Authorize and token for one API version (v3 codes and tokens work only on v3)."""
    return {
        f"/{version}/o/authorize/": {"get": {
            "tags": ["OAuth"], "summary": "Start authorization in a browser (login and consent pages)",
            "operationId": f"authorize{version.upper()}", "security": [],
            "parameters": [_param(name, "query", text, schema, True) for name, text, schema in (
                ("client_id", "The app's client id", {"type": "string", "maxLength": 64}),
                ("response_type", "Always code", {"enum": ["code"]}),
                ("redirect_uri", "One of the app's redirect URIs", {"type": "string", "maxLength": 200}),
                ("state", "At least 16 characters", {"type": "string", "minLength": 16, "maxLength": 64}),
                ("code_challenge", "PKCE S256 challenge", {"type": "string", "minLength": 43, "maxLength": 128}),
                ("code_challenge_method", "S256 only", {"enum": ["S256"]}))],
            "responses": {
                "200": _response("The login or consent page", {"type": "string"}, ("text/html",)),
                "302": {"description": "To the login page, or to the app's redirect URI"},
                "400": {"description": "Bad parameters: JSON for PKCE/state, an HTML page for an unknown app or "
                                       "redirect URI, plain text for a client_secret in the query",
                        "content": {**_json(_REF["AuthorizeError"]), "text/html": {"schema": {"type": "string"}},
                                    "text/plain": {"schema": {"type": "string"}}}},
                "401": _response("No client_id (HTML page)", {"type": "string"}, ("text/html",))}}},
        f"/{version}/o/token/": {"post": {
            "tags": ["OAuth"], "summary": "Exchange an authorization code or a refresh token",
            "operationId": f"token{version.upper()}", "security": _CLIENT,
            "requestBody": _form({"type": "object", "required": ["grant_type"], "properties": {
                "grant_type": {"enum": ["authorization_code", "refresh_token", "client_credentials"]},
                "code": {"type": "string"}, "scope": {"type": "string"},
                "client_assertion_type": {"type": "string"}, "client_assertion": {"type": "string"},
                "redirect_uri": {"type": "string"}, "code_verifier": {"type": "string"},
                "refresh_token": {"type": "string"}, "client_id": {"type": "string"},
                "client_secret": {"type": "string"}}}),
            "responses": {"200": _response("Tokens", _REF["Token"]), **_OAUTH_ERRORS}}}
    }


def _oauth_paths(versions) -> dict:
    return {path: item for version in versions for path, item in {**_versioned_oauth_paths(version),
                                                                  **_token_paths(version)}.items()}


def _token_paths(version: str) -> dict:
    """Revoke, introspect, expire and userinfo for one API version (each sees only that version's tokens)."""
    suffix = "" if version == "v2" else version.upper()
    return {
        f"/{version}/o/revoke_token/": {"post": {
            "tags": ["OAuth"], "summary": "Revoke an access or refresh token (RFC 7009)",
            "operationId": f"revokeToken{suffix}", "security": _CLIENT, "requestBody": _form(_TOKEN_FORM),
            "responses": {"200": _response("Revoked (or unknown)", {"type": "object"}), **_OAUTH_ERRORS}}},
        f"/{version}/o/revoke/": {"post": {
            "tags": ["OAuth"], "summary": "Revoke the token's whole grant (BB2)", "operationId": f"revokeGrant{suffix}",
            "security": _CLIENT, "requestBody": _form(_TOKEN_FORM),
            "responses": {"200": _response("Revoked (or unknown)", {"type": "object"}), **_OAUTH_ERRORS}}},
        f"/{version}/o/introspect/": {
            "post": {"tags": ["OAuth"], "summary": "Introspect a token (RFC 7662)",
                     "operationId": f"introspect{suffix}", "security": _CLIENT, "requestBody": _form(_TOKEN_FORM),
                     "responses": _INTROSPECTION},
            "get": {"tags": ["OAuth"], "summary": "Introspect a token, parameters in the query",
                    "operationId": f"introspectGet{suffix}", "security": _CLIENT, "responses": _INTROSPECTION,
                    "parameters": [_param(name, "query", name, schema)
                                   for name, schema in _TOKEN_FORM["properties"].items()]}},
        f"/{version}/o/expire_authenticated_user/{{patient_id}}/": {"post": {
            "tags": ["OAuth"], "summary": "Sandbox only: end a beneficiary's grant to the calling app",
            "operationId": f"expireAuthenticatedUser{suffix}", "security": _CLIENT,
            "parameters": [_param("patient_id", "path", f"Patient id ({version})",
                                  {"type": "string", "pattern": ID_PATTERN}, True)],
            "responses": {"200": _response("success", {"type": "string"}, ("text/plain",)),
                          "403": _response("Bad client credentials", _REF["Error"]),
                          "404": _response("No such patient or grant", {"type": "string"}, ("text/plain",))}}},
        f"/{version}/connect/userinfo": {"get": {
            "tags": ["OAuth"], "summary": "OpenID Connect userinfo (needs the profile scope)",
            "operationId": f"userinfo{suffix}", "security": [{f"oauth2{suffix}": ["profile"]}],
            "responses": {"200": _response("The beneficiary", _REF["UserInfo"]),
                          **{s: _ERRORS[s] for s in ("400", "401", "403")}}}},
    }


def _discovery_paths(versions) -> dict:
    documents = {"/.well-known/openid-configuration": "openidConfiguration",
                 "/.well-known/openid-configuration-v2": "openidConfigurationV2",
                 "/v2/connect/.well-known/openid-configuration": "openidConfigurationConnect",
                 "/.well-known/smart-configuration": "smartConfigurationRoot",
                 "/v2/fhir/.well-known/smart-configuration": "smartConfiguration"}
    if "v3" in versions:
        documents.update({"/.well-known/openid-configuration-v3": "openidConfigurationV3",
                          "/v3/connect/.well-known/openid-configuration": "openidConfigurationConnectV3",
                          "/v3/fhir/.well-known/smart-configuration": "smartConfigurationV3"})
    return {path: {"get": {"tags": ["Discovery"], "summary": "Discovery document", "operationId": op, "security": [],
                           "responses": {"200": _response("Discovery document", _REF["Discovery"])}}}
            for path, op in documents.items()}


def _oauth2_scheme(host: str, version: str) -> dict:
    return {"type": "oauth2", "description": f"{version} tokens: authorization code with PKCE (S256)", "flows": {
        "authorizationCode": {"authorizationUrl": f"{host}/{version}/o/authorize/",
                              "tokenUrl": f"{host}/{version}/o/token/", "refreshUrl": f"{host}/{version}/o/token/",
                              "scopes": {scope: scope for scope in ALL_SCOPES}}}}


def openapi_document(host: str, versions=("v2",), bulk: bool = False) -> dict:
    """The OpenAPI 3.0 document for a sandbox reached at `host` (scheme://host[:port]) serving the API
    `versions` (v2, v3) and, if `bulk`, the Bulk Data export."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Blue Button 2.0 API (medisynth local sandbox)", "version": "2",
                 "description": "The CMS Blue Button 2.0 API as this sandbox serves it, with synthetic data. "
                                "Authorize with a test login (BBUser00000 / PW00000!)."},
        "servers": [{"url": host}],
        "tags": [{"name": "FHIR" if version == "v2" else f"FHIR{version.upper()}"} for version in versions]
                + [{"name": "Bulk export"}] * bulk + [{"name": "OAuth"}, {"name": "Discovery"}],
        "paths": {**{path: item for version in versions for path, item in _fhir_paths(version).items()},
                  **{path: item for version in versions if bulk for path, item in _bulk_paths(version).items()},
                  **_oauth_paths(versions), **_discovery_paths(versions),
                  "/health": {"get": {"tags": ["Discovery"], "summary": "Liveness", "operationId": "health",
                                      "security": [], "responses": {"200": _response("OK", {"type": "object"})}}}},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                **{f"oauth2{'' if version == 'v2' else version.upper()}": _oauth2_scheme(host, version)
                   for version in versions},
                **({"backendServices": {
                    "type": "oauth2", "description": "SMART Backend Services: a signed JWT client assertion "
                                                     "(client_credentials) for a system token",
                    "flows": {"clientCredentials": {"tokenUrl": f"{host}/v2/o/token/",
                                                    "scopes": {"system/*.read": "read everything exported"}}}}}
                   if bulk else {}),
                "clientBasic": {"type": "http", "scheme": "basic",
                                "description": "The app's client id and secret"}}},
    }
