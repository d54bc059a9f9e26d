"""Schemathesis against the sandbox's own OpenAPI document (/docs/openapi.json): every operation, with
generated parameters and bodies and a real access token, answers without a 5xx. The document declares
no OpenAPI links, so there is no stateful (linked) phase to run. Each operation's cases come from its
hypothesis strategy (schemathesis's pytest plugin does not run under pytest 9)."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES_PER_OPERATION = 25


def test_no_operation_answers_5xx(live_server, oauth):
    access_token = oauth.tokens_for(oauth.register(), oauth.login(0))["access_token"]
    schema = schemathesis.openapi.from_url(f"{live_server.base_url}/docs/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures, calls = [], []

    for operation in operations:
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case):
            headers = {} if "Authorization" in (case.headers or {}) else {"Authorization": f"Bearer {access_token}"}
            response = case.call(headers=headers, timeout=30)
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.query, response.text[:200]))

        call()
    assert failures == [] and len(calls) >= 5 * len(operations)
