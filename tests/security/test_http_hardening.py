"""HTTP-level defences of the live server: anti-framing headers on every HTML page, and oversized
requests (body, headers, URL) refused with 4xx, never a 500."""
from __future__ import annotations

import pytest
import requests
from cms_bluebutton.auth import generate_auth_data

HTML_PAGES = ["/", "/apps/", "/users/", "/docs/", "/v2/o/login/?next=/v2/o/authorize/", "/v2/o/login/",
              "/v2/o/authorize/?client_id=" + "x" * 40, "/no/such/page"]


def _assert_unframeable(resp: requests.Response) -> None:
    assert resp.headers["X-Frame-Options"] == "DENY", resp.url
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"], resp.url


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_refuse_to_be_framed(live_server, path):
    resp = requests.get(live_server.base_url + path, allow_redirects=False)
    assert resp.headers["Content-Type"].startswith("text/html")
    _assert_unframeable(resp)


def test_login_and_consent_pages_refuse_to_be_framed(oauth, browser):
    login_page = browser.open(oauth.authorize_url(oauth.register(), generate_auth_data()))
    consent = browser.login(login_page, oauth.login(0))
    for page in (login_page, consent):
        assert 'name="csrf_token"' in page.text
        _assert_unframeable(page)


@pytest.mark.parametrize("path", ["/v2/o/token/", "/v2/o/revoke_token/", "/v2/o/introspect/", "/v2/o/authorize/",
                                  "/v2/o/login/", "/apps/"])
def test_oversized_body_is_413(live_server, path):
    resp = requests.post(live_server.base_url + path, data={"junk": "x" * (2 * 1024 * 1024)})
    assert resp.status_code == 413


@pytest.mark.parametrize("headers", [{"X-Big": "x" * 20_000}, {"Authorization": "Bearer " + "x" * 20_000},
                                     {f"X-Many-{n}": "x" for n in range(200)}],
                         ids=["one huge header", "huge bearer token", "200 headers"])
def test_oversized_headers_are_refused(live_server, headers):
    resp = requests.get(f"{live_server.base_url}/v2/fhir/Patient", headers=headers)
    assert resp.status_code in (400, 431)


def test_oversized_url_is_refused(live_server):
    resp = requests.get(f"{live_server.base_url}/v2/fhir/ExplanationOfBenefit", params={"type": "x" * 20_000})
    assert resp.status_code in (400, 414)
