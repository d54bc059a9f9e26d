"""The OpenAPI document at /docs/openapi.json: valid OpenAPI 3, covering every API route the app serves, and
true to the live server (schemathesis: a bounded number of generated requests per operation, with a real token;
no 5xx, and every status, content type and body as documented)."""
from __future__ import annotations

import re

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from sandbox.app import create_app
from sandbox.auth.tokens import issue_test_token
from sandbox.store import connect, patient_ids

MAX_EXAMPLES = 12
UNDOCUMENTED_PREFIXES = ("/docs", "/static", "/apps", "/users", "/v2/o/login")  # pages for people, not the API
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _document(base_url: str) -> dict:
    resp = requests.get(f"{base_url}/docs/openapi.json")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/json")
    return resp.json()


def test_document_is_valid_and_follows_the_host(live_server):
    document = _document(live_server.base_url)
    validate(document)
    assert document["servers"] == [{"url": live_server.base_url}]
    flow = document["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == f"{live_server.base_url}/v2/o/authorize/"
    assert requests.get(flow["tokenUrl"]).status_code == 405  # the token endpoint is there, POST only


def _normalised(path: str) -> str:
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path).rstrip("/")


def test_every_api_route_is_documented(live_server):
    documented = {(_normalised(path), method.upper())
                  for path, item in _document(live_server.base_url)["paths"].items() for method in item}
    served = {(_normalised(rule.rule), method)
              for rule in create_app({"DB_PATH": str(live_server.db_path)}).url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}
              if rule.rule != "/" and not rule.rule.startswith(UNDOCUMENTED_PREFIXES)}
    # The consent form posts back to /vN/o/authorize/ (and its slashless redirect): a browser step, not an API.
    browser_only = {(path, "POST") for path, _ in served if path.endswith("/o/authorize")}
    assert served - browser_only - documented == set()
    assert documented - served == set()


def test_live_server_answers_as_documented(live_server):
    conn = connect(live_server.db_path)
    try:
        patient_id = patient_ids(conn, limit=1, offset=5)[0]
    finally:
        conn.close()
    token = issue_test_token(live_server.db_path, patient_id)
    schema = schemathesis.openapi.from_url(f"{live_server.base_url}/docs/openapi.json")
    schema.config.update(headers={"Authorization": f"Bearer {token}"})
    schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE])
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case):
            case.call_and_validate(checks=CHECKS)

        try:
            call()
        except Exception as failure:
            failures.append(f"{operation.label}: {failure}")
    assert operations == sum(len(item) for item in _document(live_server.base_url)["paths"].values())
    assert failures == []
