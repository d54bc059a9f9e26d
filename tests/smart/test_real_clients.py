"""Real clients, unchanged and with their default settings, through a standalone launch on v2 and v3 of the
live sandbox: SMART's client-js (Node) and Python fhirclient, fhir-kit-client, and CMS's official SDKs for
Python and Node. One test per client × version × step (tests/smart/flows.py), so a failure names all three.

No step is expected to fail, on either version (issue 15 made v3 a full sibling of v2).
"""
from __future__ import annotations

import pytest

from tests.smart.checks import CHECKS
from tests.smart.flows import CLIENTS, JS_CLIENTS, VERSIONS, flow_name, steps

NOT_REACHED = 160  # characters quoted from the end of the blocking step's error in a "not reached" failure


def cases():
    for client in CLIENTS:
        for version in VERSIONS:
            for step in steps(client, version):
                yield pytest.param(client, version, step, id=f"{flow_name(client, version)}-{step}")


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
