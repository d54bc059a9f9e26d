"""Fixtures for the real-client harness: the JavaScript clients installed and their Node app running, and
the flows' reports, each flow run once per session against the shared live server.

Each flow gets its own app (registered in the store) and its own test beneficiary (shared only when the
dataset has fewer than flows), one with more than one page of EOBs so that paging is exercised; the EOBs
it must see come from the dataset's NDJSON.
"""
from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path

import orjson
import pytest

from sandbox.v3.ids import v3_patient_id
from tests.smart.checks import DEFAULT_PAGE_SIZE, Expected
from tests.smart.flows import CLIENTS, JS_CLIENTS, VERSIONS, FlowSetup, flow_name
from tests.smart.node_clients import NodeHarness, NodeSetupError, install_js_clients, node_tools
from tests.smart.observations import Report
from tests.smart.py_clients import run_bluebutton_sdk, run_fhirclient

PY_RUNNERS = {"py-fhirclient": run_fhirclient, "bluebutton-sdk-py": run_bluebutton_sdk}


def eob_ids_by_patient(dataset: Path) -> dict[str, frozenset[str]]:
    """Each patient's EOB ids (v2 ids, as the generator wrote them)."""
    ids = defaultdict(set)
    with (dataset / "ExplanationOfBenefit.ndjson").open("rb") as lines:
        for line in lines:
            eob = orjson.loads(line)
            ids[eob["patient"]["reference"].removeprefix("Patient/")].add(eob["id"])
    return {patient: frozenset(found) for patient, found in ids.items()}


class FlowBook:
    """Runs each (client, version) flow once, on first demand, and keeps its report."""

    def __init__(self, base_url: str, oauth, dataset: Path):
        self.base_url = base_url
        self.oauth = oauth
        self.eob_ids = eob_ids_by_patient(dataset)
        with (dataset / "Patient.ndjson").open("rb") as lines:
            patients = sum(1 for _ in lines)
        paged = [login for login in map(oauth.login, range(patients))
                 if len(self.eob_ids.get(login.patient_id, ())) > DEFAULT_PAGE_SIZE]
        assert paged, "no test beneficiary has more than one page of EOBs: the dataset is too small"
        flows = [(client, version) for client in CLIENTS for version in VERSIONS]
        self.logins = dict(zip(flows, itertools.cycle(paged)))
        self.reports: dict[tuple[str, int], Report] = {}

    def expected(self, client: str, version: int) -> Expected:
        v2_id = self.logins[client, version].patient_id
        return Expected(self.base_url, version, v3_patient_id(v2_id) if version == 3 else v2_id, v2_id,
                        self.eob_ids[v2_id])

    def report(self, client: str, version: int, node: NodeHarness | None) -> Report:
        if (client, version) not in self.reports:
            if client in JS_CLIENTS:  # the Node harness is the app: the callback goes to it
                app = self.oauth.register(redirect_uri=node.redirect_uri(flow_name(client, version)))
            else:
                app = self.oauth.register()
            setup = FlowSetup(client, version, self.base_url, app, self.logins[client, version])
            self.reports[client, version] = node.run(setup) if client in JS_CLIENTS else PY_RUNNERS[client](setup)
        return self.reports[client, version]


@pytest.fixture(scope="session")
def node_harness(tmp_path_factory):
    """The JavaScript clients installed (`npm ci`, pinned by tests/smart/js/package-lock.json) and the Node
    app that drives them; skipped where Node.js is not installed."""
    tools = node_tools()
    if tools is None:
        pytest.skip("the JavaScript clients need Node.js >= 20 and npm on PATH")
    node, npm = tools
    try:
        install_js_clients(npm)
        harness = NodeHarness.start(node, tmp_path_factory.mktemp("node") / "harness.log")
    except NodeSetupError as error:
        harness, failed = None, str(error)
    if harness is None:
        pytest.fail(failed, pytrace=False)  # outside the except: no chained traceback around the reason
    yield harness
    harness.stop()


@pytest.fixture(scope="session")
def flow_book(live_server, oauth, dataset_dir) -> FlowBook:
    return FlowBook(live_server.base_url, oauth, dataset_dir)
