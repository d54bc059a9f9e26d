"""The JavaScript clients: their node project (tests/smart/js) installed from the npm registry as its
package-lock.json pins it, and the Node harness (js/harness.js) that plays the app for each flow.

`install_js_clients()` runs `npm ci` once per lock file (a stamp in node_modules records which).
`NodeHarness.run(setup)` registers the flow with the harness, follows its launch to the sandbox's authorize
URL, walks the consent (tests/smart/consent.py) and delivers the callback; the harness's report comes back.
"""
from __future__ import annotations

import hashlib
import select
import shutil
import subprocess
from pathlib import Path

import requests

from tests.smart.consent import walk_consent
from tests.smart.flows import STANDALONE_SCOPES, FlowSetup
from tests.smart.observations import Observations, Report

JS_DIR = Path(__file__).resolve().with_name("js")
STAMP = JS_DIR / "node_modules" / ".medisynth-lock-sha256"
# Optional dependencies are left out: they are isomorphic-webcrypto's React Native and Expo backends (over
# 300 MB that Node never loads). Install scripts are not run: none of the clients needs one.
NPM_CI = ("ci", "--omit=optional", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
INSTALL_SECONDS = 900
START_SECONDS = 30
FLOW_SECONDS = 120


class NodeSetupError(RuntimeError):
    """The JavaScript clients could not be installed or started."""


def node_tools() -> tuple[str, str] | None:
    """(node, npm) when both are on PATH."""
    node, npm = shutil.which("node"), shutil.which("npm")
    return (node, npm) if node and npm else None


def install_js_clients(npm: str) -> None:
    """`npm ci` in tests/smart/js unless node_modules already holds what package-lock.json pins."""
    digest = hashlib.sha256((JS_DIR / "package-lock.json").read_bytes() + " ".join(NPM_CI).encode()).hexdigest()
    if STAMP.is_file() and STAMP.read_text() == digest:
        return
    result = subprocess.run([npm, *NPM_CI], cwd=JS_DIR, capture_output=True, text=True, timeout=INSTALL_SECONDS)
    if result.returncode != 0:
        raise NodeSetupError(f"npm ci in {JS_DIR} failed (exit {result.returncode}): {result.stderr[-2000:]}")
    STAMP.write_text(digest)


class NodeHarness:
    """The running `node js/harness.js`, at `url`."""

    def __init__(self, process: subprocess.Popen, url: str):
        self.process = process
        self.url = url

    @classmethod
    def start(cls, node: str, log: Path) -> NodeHarness:
        with log.open("wb") as stderr:
            process = subprocess.Popen([node, "harness.js"], cwd=JS_DIR, stdout=subprocess.PIPE, stderr=stderr)
        ready, _, _ = select.select([process.stdout], [], [], START_SECONDS)
        line = process.stdout.readline().decode().strip() if ready else ""
        if not line.startswith("listening "):
            process.kill()
            process.wait()
            raise NodeSetupError(f"the Node harness did not start within {START_SECONDS} s: {line!r} "
                                 f"{log.read_text()[-2000:]}")
        return cls(process, line.removeprefix("listening "))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def redirect_uri(self, flow: str) -> str:
        return f"{self.url}/flows/{flow}/callback"

    def run(self, setup: FlowSetup) -> Report:
        flow_url = f"{self.url}/flows/{setup.name}"
        created = requests.post(flow_url, timeout=10, json={
            "client": setup.client, "version": setup.version, "base": setup.base_url, "fhirBase": setup.fhir_base,
            "clientId": setup.app.client_id, "clientSecret": setup.app.client_secret,
            "redirectUri": setup.app.redirect_uri, "scope": STANDALONE_SCOPES})
        created.raise_for_status()
        launch = requests.get(f"{flow_url}/launch", allow_redirects=False, timeout=FLOW_SECONDS)
        if launch.status_code == 502:  # the client stopped before sending the person to the sandbox
            return launch.json()
        if launch.status_code != 302:
            raise NodeSetupError(f"the Node harness failed to launch {setup.name}: {launch.status_code} {launch.text}")
        seen = Observations(requests.get(f"{flow_url}/report", timeout=10).json())
        consent = seen.step("authorize", lambda: walk_consent(setup.base_url, launch.headers["Location"],
                                                              setup.login, setup.app.redirect_uri))
        if consent:
            done = requests.get(consent["callback_url"], timeout=FLOW_SECONDS)
            if done.status_code != 200:
                raise NodeSetupError(f"the Node harness failed on {setup.name}'s callback: {done.status_code} "
                                     f"{done.text}")
            seen.report.update(done.json())
        return seen.report
