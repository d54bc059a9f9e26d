"""Every way BB2 refuses an OAuth request, with its exact status and body, against the live server."""
from __future__ import annotations

import requests
from cms_bluebutton.auth import generate_auth_data


MISSING = "Missing Required Parameter(s): "
SHORT_STATE = {"status_code": 400, "message": "State parameter should have a minimum of 16 characters"}
PLAIN_PKCE = {"status_code": 400, "error": "invalid_request", "error_description": "code_challenge_method must be S256"}
TIMED_OUT = ("User access has timed out. To refresh Medicare data, end user must re-authenticate and consent to "
             "share their data.")
NOT_AUTHENTICATED = {"detail": "Authentication credentials were not provided."}
NO_PERMISSION = {"detail": "You do not have permission to perform this action."}


def _authorize(oauth, app, **overrides) -> requests.Response:
    return requests.get(oauth.authorize_url(app, generate_auth_data(), **overrides), allow_redirects=False)


def test_missing_state_and_pkce_are_json_400s(oauth):
    app = oauth.register()
    for missing in ("state", "code_challenge", "code_challenge_method"):
        resp = _authorize(oauth, app, **{missing: None})
        assert (resp.status_code, resp.json()) == (400, {"status_code": 400, "message": MISSING + missing}), missing
    resp = _authorize(oauth, app, code_challenge=None, code_challenge_method=None)
    assert resp.json()["message"] == MISSING + "code_challenge, code_challenge_method"


def test_post_without_state_in_the_body_is_401(oauth):
    app, auth_data = oauth.register(), generate_auth_data()
    resp = requests.post(f"{oauth.base_url}/v2/o/authorize/", allow_redirects=False, data={
        "client_id": app.client_id, "redirect_uri": app.redirect_uri, "response_type": "code",
        "code_challenge": auth_data["code_challenge"], "code_challenge_method": "S256"})
    assert (resp.status_code, resp.json()) == (401, {"status_code": 401, "message": "State required in POST body."})


def test_short_state_is_rejected(oauth):
    resp = _authorize(oauth, oauth.register(), state="fifteen-chars-x")
    assert (resp.status_code, resp.json()) == (400, SHORT_STATE)


def test_plain_pkce_is_rejected(oauth):
    resp = _authorize(oauth, oauth.register(), code_challenge_method="plain")
    assert (resp.status_code, resp.json()) == (400, PLAIN_PKCE)


def test_unknown_client_and_redirect_mismatch_show_an_error_page_never_a_redirect(oauth):
    app = oauth.register()
    for overrides, status in (({"client_id": "x" * 40}, 400), ({"client_id": None}, 401),
                              ({"redirect_uri": "http://127.0.0.1:9/elsewhere"}, 400),
                              ({"redirect_uri": app.redirect_uri + "/"}, 400)):
        resp = _authorize(oauth, app, **overrides)
        assert resp.status_code == status, overrides
        assert "Location" not in resp.headers and resp.headers["Content-Type"].startswith("text/html")


def test_client_secret_in_the_authorize_url_is_refused(oauth):
    app = oauth.register()
    resp = _authorize(oauth, app, client_secret=app.client_secret)
    assert (resp.status_code, resp.text) == (400, "Illegal query parameter [client_secret] detected")


def test_wrong_password_stays_on_the_login_page(oauth, browser):
    page = browser.open(oauth.authorize_url(oauth.register(), generate_auth_data()))
    page = browser.submit(page, {"username": "BBUser00000", "password": "PW00001!"})
    assert page.status_code == 401 and 'name="password"' in page.text and "do not match" in page.text


def test_login_form_without_csrf_token_is_refused(oauth, browser):
    page = browser.open(oauth.authorize_url(oauth.register(), generate_auth_data()))
    resp = browser.submit(page, {"username": "BBUser00000", "password": "PW00000!"}, skip=("csrf_token",))
    assert resp.status_code == 400


def test_cancel_redirects_with_access_denied(oauth):
    app = oauth.register()
    auth_data, callback = oauth.connect_app(app, oauth.login(0), button="deny")
    assert callback == {"error": "access_denied", "state": auth_data["state"], "iss": oauth.base_url}  # RFC 9207


def test_wrong_verifier_reused_and_expired_codes_are_invalid_grant(oauth):
    app, login = oauth.register(), oauth.login(0)
    auth_data, callback = oauth.connect_app(app, login)
    wrong = oauth.exchange(app, callback["code"], generate_auth_data()["verifier"])
    assert (wrong.status_code, wrong.json()) == (400, {"error": "invalid_grant"})

    auth_data, callback = oauth.connect_app(app, login)
    assert oauth.exchange(app, callback["code"], auth_data["verifier"]).status_code == 200
    reused = oauth.exchange(app, callback["code"], auth_data["verifier"])
    assert (reused.status_code, reused.json()) == (400, {"error": "invalid_grant"})

    auth_data, callback = oauth.connect_app(app, login)
    oauth.age_store("UPDATE auth_code SET expires_at = expires_at - 61 WHERE client_id = ?", (app.client_id,))
    expired = oauth.exchange(app, callback["code"], auth_data["verifier"])
    assert (expired.status_code, expired.json()) == (400, {"error": "invalid_grant"})


def test_missing_verifier_is_invalid_request(oauth):
    app = oauth.register()
    _, callback = oauth.connect_app(app, oauth.login(0))
    resp = oauth.token(app, grant_type="authorization_code", code=callback["code"], redirect_uri=app.redirect_uri)
    assert (resp.status_code, resp.json()) == (400, {"error": "invalid_request"})


def test_token_redirect_uri_must_match_the_code(oauth):
    app = oauth.register()
    auth_data, callback = oauth.connect_app(app, oauth.login(0))
    resp = oauth.token(app, grant_type="authorization_code", code=callback["code"],
                       redirect_uri="http://127.0.0.1:9/other", code_verifier=auth_data["verifier"])
    assert (resp.status_code, resp.json()) == (400, {"error": "invalid_grant"})


def test_wrong_secret_is_invalid_client(oauth):
    app = oauth.register()
    auth_data, callback = oauth.connect_app(app, oauth.login(0))
    for auth, body in (((app.client_id, "x" * 128), {}), (None, {"client_id": app.client_id, "client_secret": "nope"})):
        resp = requests.post(f"{oauth.base_url}/v2/o/token/", auth=auth, data={
            "grant_type": "authorization_code", "code": callback["code"], "redirect_uri": app.redirect_uri,
            "code_verifier": auth_data["verifier"], **body})
        assert (resp.status_code, resp.json()) == (401, {"error": "invalid_client"})


def test_unsupported_grant_type(oauth):
    resp = oauth.token(oauth.register(), grant_type="password", username="x", password="y")
    assert (resp.status_code, resp.json()) == (400, {"error": "unsupported_grant_type"})


def test_reused_refresh_token_is_invalid_grant(oauth):
    app = oauth.register()
    tokens = oauth.tokens_for(app, oauth.login(0))
    assert oauth.refresh(app, tokens["refresh_token"]).status_code == 200
    reused = oauth.refresh(app, tokens["refresh_token"])
    assert (reused.status_code, reused.json()) == (400, {"error": "invalid_grant"})
    unknown = oauth.refresh(app, "x" * 30)
    assert (unknown.status_code, unknown.json()) == (400, {"error": "invalid_request"} | {
        "status_code": 400, "error_description": "Refresh token not found."})


def test_one_time_app_may_not_refresh(oauth):
    app = oauth.register(data_access="one-time")
    tokens = oauth.tokens_for(app, oauth.login(0))
    resp = oauth.refresh(app, tokens["refresh_token"])
    assert resp.status_code == 403
    assert resp.json() == {"status_code": 403, "error": "invalid_client", "error_description": (
        "Your application is not allowed to refresh tokens. To refresh Medicare data, end user must re-authenticate "
        "and consent to share their data. If your application needs to refresh tokens, contact us at "
        "BlueButtonAPI@cms.hhs.gov.")}


def test_expired_thirteen_month_grant(oauth):
    app, login = oauth.register(), oauth.login(1)
    tokens = oauth.tokens_for(app, login)
    oauth.age_store("UPDATE auth_grant SET expires_at = 1 WHERE client_id = ?", (app.client_id,))
    refresh = oauth.refresh(app, tokens["refresh_token"])
    assert (refresh.status_code, refresh.json()) == (401, {"status_code": 401, "error": "invalid_grant",
                                                           "error_description": TIMED_OUT})
    fhir = oauth.get("/v2/connect/userinfo", tokens["access_token"])
    assert (fhir.status_code, fhir.json()) == (401, {"detail": TIMED_OUT})


def test_revoked_expired_and_bogus_tokens_are_not_authenticated(oauth):
    app, login = oauth.register(), oauth.login(0)
    revoked, expired = oauth.tokens_for(app, login), oauth.tokens_for(oauth.register(), login)
    assert requests.post(f"{oauth.base_url}/v2/o/revoke_token/", data={"token": revoked["access_token"]},
                         auth=(app.client_id, app.client_secret)).status_code == 200
    oauth.age_store("UPDATE auth_token SET expires_at = 1 WHERE patient_id = ? AND client_id != ?",
                    (login.patient_id, app.client_id))
    for token in (revoked["access_token"], expired["access_token"], "bogus"):
        resp = oauth.get("/v2/connect/userinfo", token)
        assert (resp.status_code, resp.json()) == (401, NOT_AUTHENTICATED)
        assert resp.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    no_header = requests.get(f"{oauth.base_url}/v2/connect/userinfo")
    assert (no_header.status_code, no_header.json()) == (401, NOT_AUTHENTICATED)
    refresh = oauth.refresh(app, revoked["refresh_token"])
    assert (refresh.status_code, refresh.json()) == (400, {"error": "invalid_grant"})


def test_demographics_withheld_gives_403_on_patient_and_userinfo(oauth):
    app, login = oauth.register(), oauth.login(2)
    tokens = oauth.tokens_for(app, login, share_demographics=False)
    scopes = set(tokens["scope"].split())
    assert "profile" not in scopes and not any(s.startswith("patient/Patient.") for s in scopes)
    assert "patient/ExplanationOfBenefit.rs" in scopes and tokens["patient"] == login.patient_id
    for path in ("/v2/connect/userinfo", "/v2/fhir/Patient/", f"/v2/fhir/Patient/{login.patient_id}"):
        resp = oauth.get(path, tokens["access_token"])
        assert (resp.status_code, resp.json()) == (403, NO_PERMISSION), path
    assert oauth.get("/v2/fhir/Coverage/", tokens["access_token"]).status_code == 200


def test_app_without_demographics_never_gets_them(oauth):
    tokens = oauth.tokens_for(oauth.register(demographics=False), oauth.login(0))
    assert "profile" not in tokens["scope"].split()


def test_cross_patient_access(oauth):
    app, me, other = oauth.register(), oauth.login(0), oauth.login(1)
    token = oauth.tokens_for(app, me)["access_token"]
    read = oauth.get(f"/v2/fhir/Patient/{other.patient_id}", token)
    assert (read.status_code, read.json()) == (404, {"detail": "Not found."})
    search = oauth.get(f"/v2/fhir/ExplanationOfBenefit/?patient={other.patient_id}", token)
    assert (search.status_code, search.json()) == (403, NO_PERMISSION)
    coverage = oauth.get(f"/v2/fhir/Coverage/?beneficiary=Patient/{other.patient_id}", token)
    assert coverage.status_code == 403
