"""The catalogue of real-client flows: which clients, which API versions, which steps each one runs, and
what a flow is given (the server, a registered app, a test login).

Every client runs a standalone launch with its default settings; an app supplies only what any app must
(client id and secret, redirect URI and, for SMART clients, the scope it asks for). The steps, in order:

- `discovery` (SMART clients): the endpoints the client found on its own, from `.well-known/smart-configuration`
  or the CapabilityStatement, and for client-js the PKCE methods it saw;
- `authorize`: the authorize URL the client built, followed through the real login and consent forms;
- `token`: the client's code exchange; `patient_read`: `Patient/<the token's patient>` through the client;
- `eob_pages`: every ExplanationOfBenefit page through the client's paging; `userinfo`: `/v{N}/connect/userinfo`
  (the SDKs' `get_profile_data`);
- the SDKs' other methods: `patient_search`, `coverage`, `custom_data`, `insurance_card` (v3 only);
- `refresh`: the client's refresh, then a read with the new token.
"""
from __future__ import annotations

from dataclasses import dataclass

from support.oauth_flow import ClientApp, Login

VERSIONS = (2, 3)
JS_CLIENTS = ("client-js", "fhir-kit-client", "bluebutton-sdk-node")
CLIENTS = ("client-js", "py-fhirclient", "fhir-kit-client", "bluebutton-sdk-py", "bluebutton-sdk-node")
SMART_CLIENTS = ("client-js", "py-fhirclient", "fhir-kit-client")

# What a SMART standalone patient app asks for: SMART v2 resource scopes, the user's profile, and a refresh
# token (offline_access). Python fhirclient adds `launch/patient` itself.
SMART_SCOPES = "openid profile offline_access patient/Patient.rs patient/Coverage.rs patient/ExplanationOfBenefit.rs"
STANDALONE_SCOPES = "launch/patient " + SMART_SCOPES

_DATA_STEPS = ("authorize", "token", "patient_read", "eob_pages", "userinfo")
_SDK_METHODS = ("patient_search", "coverage", "custom_data")


def steps(client: str, version: int) -> tuple[str, ...]:
    """The steps `client` runs on `version`, in order."""
    if client in SMART_CLIENTS:
        return ("discovery", *_DATA_STEPS, "refresh")
    return (*_DATA_STEPS, *_SDK_METHODS, *(("insurance_card",) if version == 3 else ()), "refresh")


@dataclass(frozen=True, slots=True)
class FlowSetup:
    """One client's launch on one API version: against which server, as which app, by which beneficiary."""
    client: str
    version: int
    base_url: str
    app: ClientApp
    login: Login

    @property
    def fhir_base(self) -> str:
        return f"{self.base_url}/v{self.version}/fhir"

    @property
    def name(self) -> str:
        return flow_name(self.client, self.version)


def flow_name(client: str, version: int) -> str:
    return f"{client}-v{version}"
