"""Which hosts the server answers, where its links point, and who may use the portal: DNS rebinding (a
foreign Host), forged X-Forwarded-* headers without --behind-proxy, a public URL behind a TLS proxy, and a
server bound to a network address whose portal needs the token printed in its banner."""
from __future__ import annotations

import re

import pytest
import requests

from tests.hardening.conftest import network_address, private_server, session_from

FORGED = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443"}


@pytest.mark.parametrize("path", ["/", "/apps/", "/users/", "/docs/", "/v2/fhir/metadata", "/health",
                                  "/.well-known/openid-configuration"])
def test_a_foreign_host_is_refused(server, path):
    """A DNS-rebinding page reaches the server under its own domain name: nothing is served to it."""
    response = requests.get(server.base_url + path, headers={"Host": f"rebind.example:{server.port}"})
    assert response.status_code == 400 and "does not serve the host" in response.json()["detail"]
    assert "client_secret" not in response.text and "PW00000!" not in response.text


def test_another_port_on_localhost_is_refused(server):
    response = requests.get(f"{server.base_url}/", headers={"Host": "localhost:1"})
    assert response.status_code == 400


def test_forwarded_headers_count_only_behind_a_proxy(server):
    oauth = server.oauth
    tokens = oauth.tokens_for(oauth.register(), oauth.login(0))
    headers = {"Authorization": f"Bearer {tokens['access_token']}", **FORGED}
    bundle = requests.get(f"{server.base_url}/v2/fhir/ExplanationOfBenefit/", headers=headers).json()
    assert all(link["url"].startswith(f"{server.base_url}/v2/fhir/") for link in bundle["link"])
    discovery = requests.get(f"{server.base_url}/.well-known/openid-configuration", headers=FORGED).json()
    assert discovery["issuer"] == server.base_url
    home = requests.get(f"{server.base_url}/", headers=FORGED).text
    assert "evil.example" not in home and f"BASE={server.base_url}" in home
    metadata = requests.get(f"{server.base_url}/v2/fhir/metadata", headers=FORGED).text
    assert "evil.example" not in metadata


def test_behind_a_proxy_the_public_url_makes_links_and_secure_cookies(db_path, tmp_path):
    with private_server(db_path, tmp_path, "--public-url", "https://sandbox.test", "--behind-proxy") as srv:
        proxied = {"Host": "sandbox.test", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        discovery = requests.get(f"{srv.base_url}/.well-known/openid-configuration", headers=proxied).json()
        assert discovery["issuer"] == "https://sandbox.test"
        forged = requests.get(f"{srv.base_url}/.well-known/openid-configuration",
                              headers={**proxied, "X-Forwarded-Host": "evil.example"})
        assert forged.status_code == 400  # a forwarded host must be a served one too
        page = requests.get(f"{srv.base_url}/v2/o/login/", params={"next": "/v2/o/authorize/"}, headers=proxied)
        assert page.status_code == 200 and "Secure" in page.headers["Set-Cookie"]
        assert "HttpOnly" in page.headers["Set-Cookie"] and "SameSite=Lax" in page.headers["Set-Cookie"]
        portal = requests.get(f"{srv.base_url}/", headers=proxied)  # through the proxy: not a local browser
        assert portal.status_code == 403 and "client_secret" not in portal.text
        assert srv.portal_token() and "https://sandbox.test/?portal_token=" in srv.banner()


def test_a_network_bound_portal_needs_the_banner_token(db_path, tmp_path):
    address = network_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    with private_server(db_path, tmp_path, host="0.0.0.0") as srv:
        token = srv.portal_token()
        assert token, srv.banner()
        outsider = session_from(address)
        base = f"http://{address}:{srv.port}"
        # a browser elsewhere on the network, with the Host of a served loopback name or not
        for host in (f"localhost:{srv.port}", f"{address}:{srv.port}"):
            refused = outsider.get(f"{base}/apps/", headers={"Host": host})
            assert refused.status_code in (400, 403) and "client_secret" not in refused.text
        page = outsider.get(f"{base}/users/", headers={"Host": f"localhost:{srv.port}"})
        assert page.status_code == 403 and "PW00000!" not in page.text
        post = outsider.post(f"{base}/apps/", headers={"Host": f"localhost:{srv.port}"}, data={"name": "x"})
        assert post.status_code == 403
        admitted = outsider.get(f"{base}/?portal_token={token}", headers={"Host": f"localhost:{srv.port}"},
                                allow_redirects=False)
        assert admitted.status_code == 303 and "portal_token" not in admitted.headers["Location"]
        home = outsider.get(f"{base}/", headers={"Host": f"localhost:{srv.port}"})
        assert home.status_code == 200 and re.search(r'id="demo-client-secret"[^>]*>\w{128}<', home.text)
        assert home.headers["Cache-Control"] == "no-store"
        # a browser on the server's machine opening localhost needs no token
        assert requests.get(f"http://127.0.0.1:{srv.port}/apps/").status_code == 200


def test_discovery_offers_only_the_code_response_type(live_server):
    for path in ("/.well-known/openid-configuration", "/v2/fhir/.well-known/smart-configuration"):
        assert requests.get(live_server.base_url + path).json()["response_types_supported"] == ["code"]
