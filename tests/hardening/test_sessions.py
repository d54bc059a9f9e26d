"""The browser session is not a bearer: a cookie saved after login does not authorize again, a session
planted by a sibling server on localhost does not carry a login into another authorization, one-time
secrets never ride in the cookie, and the authorization response names its issuer (RFC 9207)."""
from __future__ import annotations

import re

import requests
from cms_bluebutton.auth import generate_auth_data

from support.oauth_flow import Browser, query_of

COOKIE = "medisynth_session"


def _logged_in(oauth, app, login, auth_data=None) -> tuple[Browser, requests.Response, str]:
    browser = Browser(oauth.base_url)
    url = oauth.authorize_url(app, auth_data or generate_auth_data())
    consent = browser.login(browser.open(url), login)
    assert consent.status_code == 200 and 'name="allow"' in consent.text
    assert consent.headers["Cache-Control"] == "no-store"
    return browser, consent, url


def test_a_cookie_saved_after_login_does_not_authorize_again(oauth):
    app, login = oauth.register(), oauth.login(0)
    browser, consent, url = _logged_in(oauth, app, login)
    saved = browser.session.cookies.get(COOKIE)
    answer = browser.submit(consent, {}, button="allow")
    assert answer.status_code == 302 and "code" in query_of(answer.headers["Location"])

    replay = requests.Session()
    replay.cookies.set(COOKIE, saved)
    again = replay.get(url, allow_redirects=False)  # the same request, even
    assert again.status_code == 302 and "/v2/o/login/" in again.headers["Location"]
    other = replay.get(oauth.authorize_url(app, generate_auth_data()), allow_redirects=False)
    assert other.status_code == 302 and "/v2/o/login/" in other.headers["Location"]


def test_a_planted_session_carries_no_login_into_the_victims_authorization(oauth):
    app = oauth.register()
    attacker, _, _ = _logged_in(oauth, app, oauth.login(1))  # logged in, consent not answered
    victim = requests.Session()
    victim.cookies.set(COOKIE, attacker.session.cookies.get(COOKIE))  # tossed in by a sibling localhost server
    page = victim.get(oauth.authorize_url(app, generate_auth_data()), allow_redirects=False)
    assert page.status_code == 302 and "/v2/o/login/" in page.headers["Location"]


def test_login_records_expire(oauth):
    app, login = oauth.register(), oauth.login(2)
    browser, consent, _ = _logged_in(oauth, app, login)
    oauth.age_store("UPDATE auth_login SET expires_at = 0 WHERE patient_id = ?", (login.patient_id,))
    answer = browser.submit(consent, {}, button="allow")  # follows the sandbox's own redirects
    assert answer.status_code == 200 and 'name="password"' in answer.text  # log in again


def test_the_authorization_response_names_the_issuer(oauth):
    app = oauth.register()
    auth_data, callback = oauth.connect_app(app, oauth.login(3))
    issuer = requests.get(f"{oauth.base_url}/.well-known/openid-configuration").json()["issuer"]
    assert callback["iss"] == issuer == oauth.base_url and callback["state"] == auth_data["state"]


def test_a_new_secret_stays_server_side_and_is_shown_once(live_server):
    session = requests.Session()
    page = session.get(f"{live_server.base_url}/apps/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    created = session.post(f"{live_server.base_url}/apps/", allow_redirects=False, data={
        "csrf_token": csrf, "name": "Secret test", "redirect_uris": "http://localhost:3000/cb",
        "data_access": "thirteen-month"})
    assert created.status_code == 303
    cookie = session.cookies.get(COOKIE)
    assert re.fullmatch(r"[\w-]{43}", cookie)  # a random id, nothing else
    shown = session.get(live_server.base_url + created.headers["Location"])
    secret = re.search(r'id="client-secret"[^>]*>(\w{128})<', shown.text).group(1)
    assert shown.headers["Cache-Control"] == "no-store" and secret not in cookie
    assert "client-secret" not in session.get(live_server.base_url + created.headers["Location"]).text
