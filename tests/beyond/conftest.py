"""Fixtures for the bulk, fault and v3 tests: backend-services apps registered with the CLI from a freshly
generated key pair, and JWT client assertions signed with its private key (joserfc)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

ROOT = Path(__file__).resolve().parents[2]
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def medisynth(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=ROOT, capture_output=True, text=True)


@dataclass
class BackendApp:
    """A registered backend-services app and its private key."""
    client_id: str
    key: RSAKey | ECKey
    alg: str
    token_url: str

    def assertion(self, **overrides) -> str:
        claims = {"iss": self.client_id, "sub": self.client_id, "aud": self.token_url,
                  "exp": int(time.time()) + 240, "jti": uuid.uuid4().hex, **overrides}
        return jwt.encode({"alg": self.alg, "kid": self.key.kid, "typ": "JWT"}, claims, self.key, algorithms=[self.alg])

    def token_request(self, scope: str = "system/*.read", assertion: str | None = None) -> requests.Response:
        return requests.post(self.token_url, data={
            "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion or self.assertion(), "scope": scope})

    def token(self, scope: str = "system/*.read") -> str:
        response = self.token_request(scope)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


def register_backend_app(live_server, tmp_path: Path, alg: str = "RS384") -> BackendApp:
    """A new key pair; its public JWKS registered with `medisynth apps create --jwks FILE --json`."""
    key = RSAKey.generate_key(2048) if alg == "RS384" else ECKey.generate_key("P-384")
    key.ensure_kid()
    jwks_file = tmp_path / f"jwks-{uuid.uuid4().hex}.json"
    jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    result = medisynth("apps", "create", "--name", "Bulk test client", "--jwks", str(jwks_file), "--json",
                       "--db", str(live_server.db_path))
    assert result.returncode == 0, result.stderr
    return BackendApp(json.loads(result.stdout)["client_id"], key, alg, f"{live_server.base_url}/v2/o/token/")


@pytest.fixture(scope="module")
def backend_app(live_server, tmp_path_factory) -> BackendApp:
    return register_backend_app(live_server, tmp_path_factory.mktemp("jwks"))
