"""Real clients, unchanged and with their default settings, through a standalone launch on v2 and v3 of the
live sandbox: SMART's client-js (Node) and Python fhirclient, fhir-kit-client, and CMS's official SDKs for
Python and Node. One test per client × version × step (tests/smart/flows.py), so a failure names all three.

Steps that fail today because issue 15 (v3 and SMART conformance) is not done are strict xfails, each with
what is missing: the day one passes, it fails the suite, and its mark is to be removed.
"""
from __future__ import annotations

import pytest

from tests.smart.checks import CHECKS
from tests.smart.flows import CLIENTS, JS_CLIENTS, VERSIONS, flow_name, steps

NOT_REACHED = 160  # characters quoted from the end of the blocking step's error in a "not reached" failure

# (client, version, step) → what issue 15 must fix for that step to pass (item numbers from the issue).
V3_TOKEN_PATIENT = "the v3 token names the beneficiary's v2 patient id (item 2)"
V3_READ_ID = "a v3 read of Patient/<the v2 id> answers with the v3 id: a read returning another id (item 2)"
V3_USERINFO = "no /v3/connect/userinfo: an HTML 404 (item 3)"
CLIENT_JS_V3_BLOCKED = "client-js's v3 launch stops at authorize (no PKCE: item 1)"
KNOWN_FAILURES: dict[tuple[str, int, str], str] = {
    ("client-js", 2, "refresh"): "offline_access is dropped from the granted scope, so client-js refuses to "
                                 "refresh (item 4)",
    ("client-js", 3, "discovery"): "no /v3/fhir/.well-known/smart-configuration and a v3 CapabilityStatement that "
                                   "declares no S256: client-js finds no PKCE method (item 1)",
    ("client-js", 3, "authorize"): "client-js sends no PKCE on v3 and the sandbox refuses: 400 Missing Required "
                                   "Parameter(s) (item 1)",
    ("client-js", 3, "token"): f"{CLIENT_JS_V3_BLOCKED}; then {V3_TOKEN_PATIENT}",
    ("client-js", 3, "patient_read"): f"{CLIENT_JS_V3_BLOCKED}; then {V3_READ_ID}",
    ("client-js", 3, "eob_pages"): CLIENT_JS_V3_BLOCKED,
    ("client-js", 3, "userinfo"): f"{CLIENT_JS_V3_BLOCKED}; then {V3_USERINFO}",
    ("client-js", 3, "refresh"): f"{CLIENT_JS_V3_BLOCKED}; then offline_access dropped (item 4)",
    **{(client, 3, step): reason
       for client in ("py-fhirclient", "fhir-kit-client", "bluebutton-sdk-py", "bluebutton-sdk-node")
       for step, reason in (("token", V3_TOKEN_PATIENT), ("patient_read", V3_READ_ID), ("userinfo", V3_USERINFO))},
}


def cases():
    for client in CLIENTS:
        for version in VERSIONS:
            for step in steps(client, version):
                reason = KNOWN_FAILURES.get((client, version, step))
                marks = [pytest.mark.xfail(strict=True, reason=f"issue 15: {reason}")] if reason else []
                yield pytest.param(client, version, step, marks=marks, id=f"{flow_name(client, version)}-{step}")


def not_reached(report: dict, order: tuple[str, ...], step: str) -> str:
    failed = next((s for s in order if "error" in report.get(s, {})), None)
    if failed is None:
        return f"{step} was not reached"
    error = report[failed]["error"]
    return f"{step} was not reached: {failed} failed: " + (error if len(error) <= NOT_REACHED
                                                           else "…" + error[-NOT_REACHED:])


@pytest.mark.parametrize(("client", "version", "step"), list(cases()))
def test_real_client_step(client, version, step, flow_book, request):
    node = request.getfixturevalue("node_harness") if client in JS_CLIENTS else None
    report = flow_book.report(client, version, node)
    seen = report.get(step)
    where = f"{client} on v{version}, {step}"
    if seen is None:
        pytest.fail(f"{where}: {not_reached(report, steps(client, version), step)}", pytrace=False)
    if "error" in seen:
        pytest.fail(f"{where}: {seen['error']}", pytrace=False)
    try:
        CHECKS[step](seen, flow_book.expected(client, version))
    except AssertionError as failure:
        failed = str(failure)
    else:
        return
    pytest.fail(f"{where}: {failed}", pytrace=False)
