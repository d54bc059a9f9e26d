"""Attacks on the OAuth flow (RFC 6819's threat model, RFC 9700's countermeasures), each as real requests
against the live server: code replay, PKCE downgrade, redirect URI tricks, open redirects, state, CSRF,
secret brute force, scope escalation and tokens used where they do not belong."""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
import requests
from cms_bluebutton.auth import generate_auth_data

from support.oauth_flow import Browser, page_form

NOT_AUTHENTICATED = {"detail": "Authentication credentials were not provided."}


def _patient_status(oauth, access_token: str) -> int:
    return oauth.get("/v2/fhir/Patient", access_token).status_code


def test_replayed_code_fails_and_revokes_every_token_it_yielded(oauth):
    app, login = oauth.register(), oauth.login(0)
    auth_data, callback = oauth.connect_app(app, login)
    first = oauth.exchange(app, callback["code"], auth_data["verifier"]).json()
    rotated = oauth.refresh(app, first["refresh_token"]).json()
    assert _patient_status(oauth, rotated["access_token"]) == 200

    replay = oauth.exchange(app, callback["code"], auth_data["verifier"])
    assert (replay.status_code, replay.json()) == (400, {"error": "invalid_grant"})
    assert _patient_status(oauth, rotated["access_token"]) == 401
    assert oauth.refresh(app, rotated["refresh_token"]).json() == {"error": "invalid_grant"}


def test_replay_spares_other_beneficiaries_of_the_app(oauth):
    app = oauth.register()
    other = oauth.tokens_for(app, oauth.login(1))
    auth_data, callback = oauth.connect_app(app, oauth.login(0))
    oauth.exchange(app, callback["code"], auth_data["verifier"])
    oauth.exchange(app, callback["code"], auth_data["verifier"])
    assert _patient_status(oauth, other["access_token"]) == 200


def test_another_app_cannot_redeem_the_code(oauth):
    app, thief = oauth.register(), oauth.register()
    auth_data, callback = oauth.connect_app(app, oauth.login(0))
    stolen = oauth.token(thief, grant_type="authorization_code", code=callback["code"],
                         redirect_uri=app.redirect_uri, code_verifier=auth_data["verifier"])
    assert (stolen.status_code, stolen.json()) == (400, {"error": "invalid_grant"})


@pytest.mark.parametrize("downgrade", [
    {"code_challenge_method": "plain"}, {"code_challenge_method": None}, {"code_challenge": None},
    {"code_challenge_method": "S512"}])
def test_pkce_downgrade_at_authorize_is_refused(oauth, downgrade):
    resp = requests.get(oauth.authorize_url(oauth.register(), generate_auth_data(), **downgrade),
                        allow_redirects=False)
    assert resp.status_code == 400 and "Location" not in resp.headers


@pytest.mark.parametrize("verifier", ["challenge", None, "short", "x" * 129])
def test_pkce_downgrade_at_token_is_refused(oauth, verifier):
    """The challenge itself sent as a `plain` verifier, no verifier, or one of an illegal length."""
    app = oauth.register()
    auth_data, callback = oauth.connect_app(app, oauth.login(0))
    fields = {"grant_type": "authorization_code", "code": callback["code"], "redirect_uri": app.redirect_uri}
    if verifier is not None:
        fields["code_verifier"] = auth_data["code_challenge"] if verifier == "challenge" else verifier
    resp = oauth.token(app, **fields)
    assert resp.status_code == 400 and resp.json()["error"] in ("invalid_grant", "invalid_request")


@pytest.mark.parametrize("trick", [
    "http://127.0.0.1:9/callbackevil", "http://127.0.0.1:9/callback/../evil", "http://127.0.0.1:9/callback?x=1",
    "http://127.0.0.1:9/call", "http://127.0.0.1:10/callback", "https://127.0.0.1:9/callback",
    "http://127.0.0.1:9@evil.example/callback", "http://evil.example/?http://127.0.0.1:9/callback",
    "HTTP://127.0.0.1:9/callback", "http://127.0.0.1:9/callback#frag", "//127.0.0.1:9/callback"])
def test_redirect_uri_must_match_exactly(oauth, trick):
    resp = requests.get(oauth.authorize_url(oauth.register(), generate_auth_data(), redirect_uri=trick),
                        allow_redirects=False)
    assert resp.status_code == 400 and "Location" not in resp.headers


def test_redirect_uri_edited_in_the_consent_form_is_refused(oauth, browser):
    app = oauth.register()
    consent = browser.login(browser.open(oauth.authorize_url(app, generate_auth_data())), oauth.login(0))
    resp = browser.submit(consent, {"redirect_uri": "http://evil.example/callback"}, button="allow")
    assert resp.status_code == 400 and "Location" not in resp.headers


@pytest.mark.parametrize("next_url", [
    "https://evil.example/", "//evil.example/v2/o/authorize/", "/\\evil.example", "/v2/o/login/",
    "https://evil.example/v2/o/authorize/"])
def test_login_next_cannot_leave_the_authorize_page(oauth, next_url):
    resp = requests.get(f"{oauth.base_url}/v2/o/login/", params={"next": next_url}, allow_redirects=False)
    assert resp.status_code == 400 and "Location" not in resp.headers


@pytest.mark.parametrize("next_url", ["/v2/o/authorize/../../..//evil.example/", "/v2/o/authorize/@evil.example",
                                      "/v2/o/authorize/\r\nLocation: https://evil.example/"])
def test_login_next_redirect_stays_on_this_server(oauth, browser, next_url):
    page = browser.open(oauth.authorize_url(oauth.register(), generate_auth_data()))
    login = oauth.login(0)
    resp = browser.session.post(f"{oauth.base_url}/v2/o/login/", allow_redirects=False, data={
        "csrf_token": _field(page, "csrf_token"), "next": next_url,
        "username": login.username, "password": login.password})
    assert resp.status_code in (302, 400)  # redirected within this server, or refused
    target = urlsplit(urljoin(resp.url, resp.headers.get("Location", "/")))
    assert (target.scheme, target.netloc) == tuple(urlsplit(oauth.base_url)[:2])


def _field(page: requests.Response, name: str) -> str:
    return next(a.get("value", "") for a in page_form(page.text)["inputs"] if a["name"] == name)


@pytest.mark.parametrize("state", ["a" * 16, "x/y+z=&%20<script>\"'" + "s" * 16, "é" * 40])
def test_state_comes_back_unchanged_on_allow_and_deny(oauth, state):
    app = oauth.register()
    for button in ("allow", "deny"):
        auth_data = {**generate_auth_data(), "state": state}
        callback = Browser(oauth.base_url).authorize(oauth.authorize_url(app, auth_data), oauth.login(0),
                                                     button=button)
        assert callback["state"] == state


def test_cross_site_login_post_is_refused(oauth):
    """An attacker's page posting the login form: no session, or the victim's session with no token."""
    login = oauth.login(0)
    fields = {"next": "/v2/o/authorize/", "username": login.username, "password": login.password}
    assert requests.post(f"{oauth.base_url}/v2/o/login/", data=fields, allow_redirects=False).status_code == 400
    victim = Browser(oauth.base_url)
    victim.open(oauth.authorize_url(oauth.register(), generate_auth_data()))
    for token in ("", "forged-token"):
        resp = victim.session.post(f"{oauth.base_url}/v2/o/login/", data={**fields, "csrf_token": token},
                                   allow_redirects=False)
        assert resp.status_code == 400 and "Location" not in resp.headers


def test_cross_site_consent_post_is_refused(oauth, browser):
    consent = browser.login(browser.open(oauth.authorize_url(oauth.register(), generate_auth_data())),
                            oauth.login(0))
    for fields, skip in (({"csrf_token": "forged-token"}, ()), ({}, ("csrf_token",))):
        resp = browser.submit(consent, fields, button="allow", skip=skip)
        assert resp.status_code == 400 and "Location" not in resp.headers


def test_client_secret_brute_force_locks_the_app(oauth):
    from sandbox.auth.lockout import MAX_FAILURES

    app, bystander = oauth.register(), oauth.register()
    tokens = oauth.tokens_for(app, oauth.login(0))
    guesser = type(app)(app.client_id, "guess", app.redirect_uri, app.data_access)
    for _ in range(MAX_FAILURES):
        assert oauth.refresh(guesser, tokens["refresh_token"]).json() == {"error": "invalid_client"}
    locked = oauth.refresh(app, tokens["refresh_token"])
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert locked.json()["detail"].startswith("Request was throttled. Expected available in ")
    assert oauth.token(bystander, grant_type="refresh_token", refresh_token="x" * 30).status_code == 400

    oauth.age_store("UPDATE auth_client_failure SET locked_until = 0 WHERE client_id = ?", (app.client_id,))
    assert oauth.refresh(app, tokens["refresh_token"]).status_code == 200


def test_refresh_cannot_widen_the_scope(oauth):
    app = oauth.register()
    tokens = oauth.tokens_for(app, oauth.login(0), share_demographics=False)
    assert "patient/Patient.rs" not in tokens["scope"].split()
    resp = oauth.token(app, grant_type="refresh_token", refresh_token=tokens["refresh_token"],
                       scope=tokens["scope"] + " patient/Patient.rs profile")
    assert (resp.status_code, resp.json()) == (400, {"error": "invalid_scope"})


def test_tokens_of_another_app_do_not_work_for_it(oauth):
    owner, other = oauth.register(), oauth.register()
    tokens = oauth.tokens_for(owner, oauth.login(0))
    assert oauth.refresh(other, tokens["refresh_token"]).json() == {"error": "invalid_grant"}
    introspected = requests.post(f"{oauth.base_url}/v2/o/introspect/", data={"token": tokens["access_token"]},
                                 auth=(other.client_id, other.client_secret))
    assert introspected.json().get("active") is not True
    requests.post(f"{oauth.base_url}/v2/o/revoke_token/", data={"token": tokens["access_token"]},
                  auth=(other.client_id, other.client_secret))
    assert _patient_status(oauth, tokens["access_token"]) == 200


@pytest.mark.parametrize("spoil", ["expired", "revoked", "grant deleted"])
def test_expired_or_revoked_tokens_are_refused(oauth, spoil):
    app = oauth.register()
    tokens = oauth.tokens_for(app, oauth.login(0))
    if spoil == "expired":
        oauth.age_store("UPDATE auth_token SET expires_at = expires_at - 3601 WHERE client_id = ?", (app.client_id,))
    else:
        path = "/v2/o/revoke_token/" if spoil == "revoked" else "/v2/o/revoke/"
        requests.post(oauth.base_url + path, data={"token": tokens["access_token"]},
                      auth=(app.client_id, app.client_secret))
    resp = oauth.get("/v2/fhir/ExplanationOfBenefit", tokens["access_token"])
    assert (resp.status_code, resp.json()) == (401, NOT_AUTHENTICATED)


def test_access_token_in_the_query_string_is_refused(oauth):
    tokens = oauth.tokens_for(oauth.register(), oauth.login(0))
    for path in ("/v2/fhir/Patient", "/v2/fhir/ExplanationOfBenefit", "/v2/connect/userinfo"):
        resp = requests.get(oauth.base_url + path, params={"access_token": tokens["access_token"]})
        assert resp.status_code in (400, 401) and "entry" not in resp.text, path


def test_non_utf8_basic_credentials_are_invalid_client(oauth):
    resp = requests.post(f"{oauth.base_url}/v2/o/token/", headers={"Authorization": "Basic /w=="},
                         data={"grant_type": "refresh_token", "refresh_token": "x"})
    assert (resp.status_code, resp.json()) == (401, {"error": "invalid_client"})
