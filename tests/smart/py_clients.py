"""The Python clients' flows, run in-process: SMART's `fhirclient` and CMS's `cms-bluebutton-sdk`.

Each returns a report (tests/smart/observations.py): one observation per step it reached. A flow stops
after a failed `discovery`, `authorize` or `token`; the data steps after that run whatever the others gave.
"""
from __future__ import annotations

from fhirclient.client import FHIRClient
from fhirclient.models.explanationofbenefit import ExplanationOfBenefit
from fhirclient.models.patient import Patient

from support.oauth_flow import sdk_for
from tests.smart.consent import walk_consent
from tests.smart.flows import SMART_SCOPES, FlowSetup
from tests.smart.observations import Observations, Report, ok_json


def pages_summary(pages: list[dict]) -> dict:
    """What a walk through every page of a searchset tells: pages, the first page's total, ids, patients."""
    resources = [entry["resource"] for page in pages for entry in page.get("entry", [])]
    return {"pages": len(pages), "total": pages[0].get("total") if pages else None,
            "ids": [r["id"] for r in resources],
            "patients": sorted({r.get("patient", {}).get("reference") for r in resources})}


def entry_ids(bundle: dict) -> list[list[str]]:
    return [[e["resource"]["resourceType"], e["resource"]["id"]] for e in bundle.get("entry", [])]


def userinfo_url(setup: FlowSetup) -> str:
    return f"{setup.base_url}/v{setup.version}/connect/userinfo"


def userinfo_fields(info: dict) -> dict:
    return {"sub": info.get("sub"), "patient": info.get("patient")}


def run_fhirclient(setup: FlowSetup) -> Report:
    """SMART's Python client: discovery from the CapabilityStatement, PKCE, client secret by HTTP Basic."""
    smart = FHIRClient(settings={"app_id": setup.app.client_id, "app_secret": setup.app.client_secret,
                                 "api_base": setup.fhir_base, "redirect_uri": setup.app.redirect_uri,
                                 "scope": SMART_SCOPES})
    seen = Observations()

    def discovery():
        smart.prepare()
        state = smart.server.auth.state
        return {"authorize_url": state.get("authorize_uri"), "token_url": state.get("token_uri")}

    def token():
        smart.handle_callback(consent["callback_url"])
        return {"patient": smart.patient_id, "scope": smart.launch_context.get("scope"),
                "refresh_token": smart.server.auth.refresh_token is not None}

    if not seen.step("discovery", discovery):
        return seen.report
    consent = seen.step("authorize", lambda: walk_consent(setup.base_url, smart.authorize_url, setup.login,
                                                          setup.app.redirect_uri))
    if not consent or not seen.step("token", token):
        return seen.report
    patient_id = smart.patient_id

    def patient_read():
        patient = smart.patient  # the client's own property: reads Patient/<patient_id>, None on a 404
        return {"asked": patient_id, "id": patient.id if patient else None}

    def eob_pages():
        search = ExplanationOfBenefit.where(struct={"patient": patient_id})
        return pages_summary([bundle.as_json() for bundle in search.perform_iter(smart.server)])

    def userinfo():
        return userinfo_fields(smart.server.request_json(userinfo_url(setup)))

    def refresh():
        before = smart.server.auth.access_token
        if not smart.reauthorize():
            raise RuntimeError("reauthorize() returned False")
        return {"new_access_token": smart.server.auth.access_token != before,
                "patient": smart.launch_context.get("patient"),
                "read_after": Patient.read(patient_id, smart.server).id}

    for name, run in (("patient_read", patient_read), ("eob_pages", eob_pages), ("userinfo", userinfo),
                      ("refresh", refresh)):
        seen.step(name, run)
    return seen.report


def run_bluebutton_sdk(setup: FlowSetup) -> Report:
    """CMS's Python SDK (environment LOCAL, pointed at the live server, no retries): every method."""
    bb = sdk_for(setup.app, setup.base_url, version=setup.version)
    auth_data = bb.generate_auth_data()
    seen = Observations()
    consent = seen.step("authorize", lambda: walk_consent(setup.base_url, bb.generate_authorize_url(auth_data),
                                                          setup.login, setup.app.redirect_uri))
    if not consent:
        return seen.report
    callback = consent["callback"]
    auth_token = None

    def token():
        nonlocal auth_token
        auth_token = bb.get_authorization_token(auth_data, callback.get("code"), callback.get("state"))
        return {"patient": auth_token.patient, "scope": auth_token.scope,
                "refresh_token": bool(auth_token.refresh_token)}

    if not seen.step("token", token):
        return seen.report

    def call(method, with_token=None, **config) -> dict:
        """An SDK method's 200 JSON body (with the flow's token unless another is given)."""
        return ok_json(method({"auth_token": with_token or auth_token, "params": {}, **config})["response"])

    patient_url = f"fhir/Patient/{auth_token.patient}"

    def eob_pages():
        first = call(bb.get_explaination_of_benefit_data)
        return pages_summary(bb.get_pages(first, {"auth_token": auth_token, "params": {}})["pages"])

    def coverage():
        bundle = call(bb.get_coverage_data)
        return {"total": bundle.get("total"), "entries": entry_ids(bundle),
                "beneficiaries": sorted({e["resource"]["beneficiary"]["reference"] for e in bundle.get("entry", [])})}

    def custom_data():
        asked = seen.report["coverage"]["entries"][0][1]
        return {"asked": asked, "id": call(bb.get_custom_data, url=f"fhir/Coverage/{asked}")["id"]}

    def refresh():
        refreshed = bb.refresh_auth_token(auth_token)
        return {"new_access_token": refreshed.access_token != auth_token.access_token,
                "patient": refreshed.patient, "read_after": call(bb.get_custom_data, refreshed, url=patient_url)["id"]}

    methods = {
        "patient_read": lambda: {"asked": auth_token.patient, "id": call(bb.get_custom_data, url=patient_url)["id"]},
        "eob_pages": eob_pages,
        "userinfo": lambda: userinfo_fields(call(bb.get_profile_data)),
        "patient_search": lambda: {"entries": entry_ids(call(bb.get_patient_data))},
        "coverage": coverage,
        "custom_data": custom_data,
        **({"insurance_card": lambda: {"entries": entry_ids(call(bb.get_insurance_card_data))}}
           if setup.version == 3 else {}),
        "refresh": refresh,
    }
    for name, run in methods.items():
        if name == "custom_data" and "error" in seen.report["coverage"]:
            continue  # needs a Coverage id from the search
        seen.step(name, run)
    return seen.report
