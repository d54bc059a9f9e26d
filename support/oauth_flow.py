"""The OAuth flow as a client and a person walk it, against a live server: apps registered in the real store,
and a plain HTTP "browser" that reads the login and consent forms (CSRF token included) and submits them.

Time passes through the store: a test makes a code or grant expire by updating its expiry column in the
SQLite file, never through a test-only route. Shared by the tests (fixtures
`oauth` and `browser` in tests/conftest.py).
"""
from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests
from cms_bluebutton import BlueButton
from cms_bluebutton.auth import generate_auth_data

from sandbox.app import open_store
from sandbox.auth.apps import register_app
from sandbox.store import patient_ids

CALLBACK = "http://127.0.0.1:9/callback"
LOCAL = "http://localhost:8000"
_app_numbers = itertools.count()


@dataclass(frozen=True)
class ClientApp:
    client_id: str
    client_secret: str
    redirect_uri: str
    data_access: str


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    patient_id: str


class _FormParser(HTMLParser):
    """The page's forms: action and inputs (name, value, type, checked)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "inputs": []})
        elif tag in ("input", "button") and self.forms and attrs.get("name"):
            self.forms[-1]["inputs"].append(attrs)


def page_form(html: str) -> dict:
    parser = _FormParser()
    parser.feed(html)
    assert len(parser.forms) == 1, "expected exactly one form on the page"
    return parser.forms[0]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class Browser:
    """A cookie-keeping HTTP session that follows the sandbox's own redirects but stops at the app's callback."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def open(self, url: str) -> requests.Response:
        return self._follow(self.session.get(url, allow_redirects=False))

    def _follow(self, resp: requests.Response) -> requests.Response:
        while resp.is_redirect:
            target = urljoin(resp.url, resp.headers["Location"])
            if not target.startswith(self.base_url):
                break
            resp = self.session.get(target, allow_redirects=False)
        return resp

    def submit(self, page: requests.Response, fields: dict, button: str | None = None,
               skip: tuple[str, ...] = ()) -> requests.Response:
        """Post the page's form: its inputs (checked boxes only) with `fields` filled in and `button` pressed."""
        form = page_form(page.text)
        data = {}
        for attrs in form["inputs"]:
            kind = attrs.get("type", "text")
            if kind == "submit" or attrs["name"] in skip or (kind == "checkbox" and "checked" not in attrs):
                continue
            data[attrs["name"]] = attrs.get("value", "")
        data.update(fields)
        if button:
            pressed = [a for a in form["inputs"] if a.get("type") == "submit" and a["name"] == button]
            assert pressed, f"no {button!r} button on the page"
            data[button] = pressed[0].get("value", "")
        resp = self.session.post(urljoin(page.url, form["action"]), data=data, allow_redirects=False)
        return self._follow(resp)

    def login(self, page: requests.Response, login: Login) -> requests.Response:
        return self.submit(page, {"username": login.username, "password": login.password})

    def authorize(self, url: str, login: Login, *, button: str = "allow",
                  share_demographics: bool = True) -> dict[str, str]:
        """Open the authorize URL, log in, answer the consent page; returns the callback's query."""
        consent = self.login(self.open(url), login)
        assert consent.status_code == 200, consent.text
        skip = () if share_demographics else ("share_demographic_scopes",)
        answer = self.submit(consent, {}, button=button, skip=skip)
        assert answer.status_code == 302, answer.text
        return query_of(answer.headers["Location"])


class OAuthHelper:
    """Apps, logins, authorize URLs, token calls and store edits against one live server."""

    def __init__(self, base_url: str, db_path: Path):
        self.base_url = base_url
        self.db_path = db_path

    def register(self, *, data_access: str = "thirteen-month", demographics: bool = True,
                 redirect_uri: str = CALLBACK) -> ClientApp:
        with open_store(self.db_path).write() as conn:
            app, secret = register_app(conn, name=f"Test app {next(_app_numbers)}", redirect_uris=[redirect_uri],
                                       data_access=data_access, demographics=demographics)
        return ClientApp(app.client_id, secret, redirect_uri, data_access)

    def login(self, n: int) -> Login:
        patient_id = patient_ids(open_store(self.db_path).read(), limit=1, offset=n)[0]
        return Login(f"BBUser{n:05d}", f"PW{n:05d}!", patient_id)

    def authorize_url(self, app: ClientApp, auth_data: dict, **overrides) -> str:
        params = {"client_id": app.client_id, "redirect_uri": app.redirect_uri, "state": auth_data["state"],
                  "response_type": "code", "code_challenge_method": "S256",
                  "code_challenge": auth_data["code_challenge"], **overrides}
        return f"{self.base_url}/v2/o/authorize/?" + urlencode({k: v for k, v in params.items() if v is not None})

    def connect_app(self, app: ClientApp, login: Login, **authorize_kwargs) -> tuple[dict, dict]:
        """Walk the whole flow; returns (auth_data, callback query)."""
        auth_data = generate_auth_data()
        callback = Browser(self.base_url).authorize(self.authorize_url(app, auth_data), login, **authorize_kwargs)
        return auth_data, callback

    def token(self, app: ClientApp, **fields) -> requests.Response:
        return requests.post(f"{self.base_url}/v2/o/token/", data=fields, auth=(app.client_id, app.client_secret))

    def exchange(self, app: ClientApp, code: str, verifier: str) -> requests.Response:
        return self.token(app, grant_type="authorization_code", code=code, redirect_uri=app.redirect_uri,
                          code_verifier=verifier)

    def tokens_for(self, app: ClientApp, login: Login, **authorize_kwargs) -> dict:
        auth_data, callback = self.connect_app(app, login, **authorize_kwargs)
        resp = self.exchange(app, callback["code"], auth_data["verifier"])
        assert resp.status_code == 200, resp.text
        return resp.json()

    def refresh(self, app: ClientApp, refresh_token: str) -> requests.Response:
        return self.token(app, grant_type="refresh_token", refresh_token=refresh_token)

    def get(self, path: str, access_token: str) -> requests.Response:
        return requests.get(f"{self.base_url}{path}", headers={"Authorization": f"Bearer {access_token}"})

    def age_store(self, sql: str, params: tuple = ()) -> None:
        """Make time pass for the sandbox by editing an expiry column in its SQLite file."""
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            with conn:
                assert conn.execute(sql, params).rowcount > 0, "nothing matched: the test's premise is wrong"
        finally:
            conn.close()


def sdk_for(app: ClientApp, base_url: str, version: int = 2, retry_settings: dict | None = None) -> BlueButton:
    """The official SDK (environment LOCAL) for `app`, pointed at the live server; no retries unless asked."""
    bb = BlueButton({"environment": "LOCAL", "client_id": app.client_id, "client_secret": app.client_secret,
                     "callback_url": app.redirect_uri, "version": version,
                     "retry_settings": retry_settings or {"total": 0}})
    assert bb.base_url == LOCAL
    if base_url != LOCAL:  # the live server runs on a free port: point all three SDK URLs at it
        bb.base_url = base_url
        bb.auth_base_url = f"{base_url}/v{version}/o/authorize"
        bb.auth_token_url = f"{base_url}/v{version}/o/token/"
    return bb
