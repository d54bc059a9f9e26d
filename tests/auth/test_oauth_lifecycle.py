"""Grant lifecycles, the revoke/introspect/expire endpoints, wire details, discovery, and persistence."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
import requests
from cms_bluebutton.auth import generate_auth_data
from requests_toolbelt.multipart.encoder import MultipartEncoder

TOKEN_KEYS = ["access_token", "expires_in", "token_type", "scope", "refresh_token", "patient",
              "access_grant_expiration"]


def _expiration(tokens: dict) -> datetime:
    return datetime.strptime(tokens["access_grant_expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_token_response_shape_and_grant_expiration_by_data_access(oauth):
    login, today = oauth.login(0), datetime.now(UTC)
    thirteen = oauth.tokens_for(oauth.register(), login)
    assert list(thirteen) == TOKEN_KEYS
    assert len(thirteen["access_token"]) == len(thirteen["refresh_token"]) == 30
    assert (thirteen["expires_in"], thirteen["token_type"], thirteen["patient"]) == (3600, "Bearer", login.patient_id)
    assert timedelta(days=393) <= _expiration(thirteen) - today <= timedelta(days=397)
    one_time = oauth.tokens_for(oauth.register(data_access="one-time"), login)
    assert timedelta(minutes=55) <= _expiration(one_time) - today <= timedelta(minutes=61)
    assert oauth.tokens_for(oauth.register(data_access="research-study"), login)["access_grant_expiration"] == ""


def test_research_grant_never_times_out_and_refresh_rotates(oauth):
    app, login = oauth.register(data_access="research-study"), oauth.login(1)
    tokens = oauth.tokens_for(app, login)
    for _ in range(2):
        refreshed = oauth.refresh(app, tokens["refresh_token"])
        assert refreshed.status_code == 200 and list(refreshed.json()) == TOKEN_KEYS
        new = refreshed.json()
        assert new["refresh_token"] != tokens["refresh_token"] and new["patient"] == login.patient_id
        tokens = new
    assert oauth.get("/v2/connect/userinfo", tokens["access_token"]).status_code == 200


def test_refresh_may_narrow_but_not_widen_the_scope(oauth):
    app = oauth.register()
    tokens = oauth.tokens_for(app, oauth.login(0), share_demographics=False)
    narrowed = oauth.token(app, grant_type="refresh_token", refresh_token=tokens["refresh_token"],
                           scope="patient/Coverage.rs")
    assert narrowed.status_code == 200 and narrowed.json()["scope"] == "patient/Coverage.rs"
    widened = oauth.token(app, grant_type="refresh_token", refresh_token=narrowed.json()["refresh_token"],
                          scope="profile patient/Coverage.rs")
    assert (widened.status_code, widened.json()) == (400, {"error": "invalid_scope"})


def test_requested_scopes_are_intersected_with_the_apps(oauth, browser):
    app, auth_data = oauth.register(demographics=False), generate_auth_data()
    url = oauth.authorize_url(app, auth_data, scope="profile patient/Coverage.read patient/Patient.rs made/up")
    callback = browser.authorize(url, oauth.login(0))
    tokens = oauth.exchange(app, callback["code"], auth_data["verifier"]).json()
    assert tokens["scope"] == "patient/Coverage.read"


def test_read_and_search_scopes_are_condensed_to_rs(oauth, browser):
    app, auth_data = oauth.register(), generate_auth_data()
    url = oauth.authorize_url(app, auth_data, scope="patient/Coverage.r patient/Coverage.s patient/Patient.r")
    callback = browser.authorize(url, oauth.login(0))
    tokens = oauth.exchange(app, callback["code"], auth_data["verifier"]).json()
    assert sorted(tokens["scope"].split()) == ["patient/Coverage.rs", "patient/Patient.r"]

def test_revoke_token_kills_the_pair_but_keeps_the_grant(oauth):
    app, login = oauth.register(), oauth.login(0)
    first = oauth.tokens_for(app, login)
    refreshed = oauth.refresh(app, first["refresh_token"]).json()
    resp = requests.post(f"{oauth.base_url}/v2/o/revoke_token/", auth=(app.client_id, app.client_secret),
                         data={"token": refreshed["refresh_token"], "token_type_hint": "refresh_token"})
    assert resp.status_code == 200
    assert oauth.get("/v2/connect/userinfo", refreshed["access_token"]).status_code == 401
    second = oauth.tokens_for(app, login)
    unknown = requests.post(f"{oauth.base_url}/v2/o/revoke_token/", data={"token": "x" * 30},
                            auth=(app.client_id, app.client_secret))
    assert unknown.status_code == 200
    assert oauth.get("/v2/connect/userinfo", second["access_token"]).status_code == 200
    bad_client = requests.post(f"{oauth.base_url}/v2/o/revoke_token/", data={"token": second["access_token"]},
                               auth=(app.client_id, "wrong"))
    assert (bad_client.status_code, bad_client.json()) == (401, {"error": "invalid_client"})


def test_revoke_deletes_the_grant_and_every_token(oauth):
    app, login = oauth.register(), oauth.login(1)
    tokens = oauth.tokens_for(app, login)
    refreshed = oauth.refresh(app, tokens["refresh_token"]).json()
    resp = requests.post(f"{oauth.base_url}/v2/o/revoke/", data={"token": tokens["access_token"]},
                         auth=(app.client_id, app.client_secret))
    assert resp.status_code == 200
    assert oauth.get("/v2/connect/userinfo", refreshed["access_token"]).status_code == 401
    assert oauth.refresh(app, refreshed["refresh_token"]).json()["error_description"] == "Refresh token not found."


def test_introspect(oauth):
    app, login = oauth.register(), oauth.login(0)
    tokens = oauth.tokens_for(app, login)
    resp = requests.post(f"{oauth.base_url}/v2/o/introspect/", data={"token": tokens["access_token"]},
                         auth=(app.client_id, app.client_secret))
    body = resp.json()
    assert (resp.status_code, body["active"], body["client_id"], body["username"]) == (
        200, True, app.client_id, login.patient_id)
    assert body["scope"] == tokens["scope"] and body["exp"] > 0
    other_app = oauth.register()
    for token, auth in ((tokens["access_token"], (other_app.client_id, other_app.client_secret)),
                        ("x" * 30, (app.client_id, app.client_secret))):
        resp = requests.post(f"{oauth.base_url}/v2/o/introspect/", data={"token": token}, auth=auth)
        assert resp.json() == {"active": False}


def test_expire_authenticated_user(oauth):
    app, login = oauth.register(), oauth.login(2)
    tokens = oauth.tokens_for(app, login)
    url = f"{oauth.base_url}/v2/o/expire_authenticated_user/{login.patient_id}/"
    assert requests.post(url, auth=(app.client_id, "wrong")).status_code == 403
    resp = requests.post(url, auth=(app.client_id, app.client_secret))
    assert (resp.status_code, resp.text) == (200, "success")
    fhir = oauth.get("/v2/fhir/Coverage/", tokens["access_token"])
    assert (fhir.status_code, fhir.json()) == (403, {"detail": "You do not have permission to perform this action."})
    refresh = oauth.refresh(app, tokens["refresh_token"])
    assert refresh.status_code == 403 and refresh.json()["error"] == "invalid_grant"
    again = requests.post(url, auth=(app.client_id, app.client_secret))
    assert (again.status_code, again.text) == (404, "Data Access Grant was Not Found.")
    nobody = requests.post(f"{oauth.base_url}/v2/o/expire_authenticated_user/-1/",
                           auth=(app.client_id, app.client_secret))
    assert nobody.status_code == 404


def test_token_endpoint_wire_variants(oauth):
    """Both paths, Basic or body credentials, urlencoded or multipart."""
    app, login = oauth.register(), oauth.login(0)
    for path, multipart, basic in (("/v2/o/token", False, False), ("/v2/o/token/", True, False),
                                   ("/v2/o/token/", True, True)):
        auth_data, callback = oauth.connect_app(app, login)
        fields = {"grant_type": "authorization_code", "code": callback["code"], "redirect_uri": app.redirect_uri,
                  "code_verifier": auth_data["verifier"]}
        if not basic:
            fields |= {"client_id": app.client_id, "client_secret": app.client_secret}
        body = MultipartEncoder(fields) if multipart else fields
        headers = {"Content-Type": body.content_type} if multipart else {}
        resp = requests.post(f"{oauth.base_url}{path}", data=body, headers=headers,
                             auth=(app.client_id, app.client_secret) if basic else None)
        assert resp.status_code == 200, (path, multipart, basic, resp.text)


def test_authorize_without_slash_redirects_keeping_the_query(oauth):
    url = oauth.authorize_url(oauth.register(), generate_auth_data()).replace("/authorize/?", "/authorize?")
    resp = requests.get(url, allow_redirects=False)
    assert resp.status_code == 301
    assert resp.headers["Location"].endswith("/v2/o/authorize/?" + url.split("?", 1)[1])


@pytest.mark.parametrize("version", [2, 3])
def test_discovery_documents(oauth, version):
    host = oauth.base_url
    openid_paths = {2: ("/.well-known/openid-configuration", "/v2/connect/.well-known/openid-configuration"),
                    3: ("/.well-known/openid-configuration-v3", "/v3/connect/.well-known/openid-configuration")}
    for path in openid_paths[version]:
        doc = requests.get(host + path).json()
        assert list(doc) == ["issuer", "authorization_endpoint", "revocation_endpoint", "token_endpoint",
                             "userinfo_endpoint", "ui_locales_supported", "service_documentation", "op_tos_uri",
                             "grant_types_supported", "response_types_supported", "fhir_metadata_uri"]
        assert (doc["issuer"], doc["token_endpoint"]) == (host, f"{host}/v{version}/o/token/")
        assert doc["grant_types_supported"] == ["refresh_token", "authorization_code", "client_credentials"]
    smart = requests.get(f"{host}/v{version}/fhir/.well-known/smart-configuration").json()
    assert list(smart)[:3] == ["authorization_endpoint", "revocation_endpoint", "token_endpoint"]
    assert smart["code_challenge_methods_supported"] == ["S256"] and "authorize-post" in smart["capabilities"]
    assert smart["authorization_endpoint"] == f"{host}/v{version}/o/authorize/"
    proxied = requests.get(f"{host}/.well-known/openid-configuration",
                           headers={"X-Forwarded-Host": "sandbox.example", "X-Forwarded-Proto": "https"}).json()
    assert proxied["authorization_endpoint"] == "https://sandbox.example/v2/o/authorize/"


@pytest.mark.parametrize("version", [2, 3])
def test_every_advertised_endpoint_answers_without_a_redirect(oauth, version):
    """A client that takes the documents at their word reaches each endpoint itself, not a 301 that would
    drop a POST's body; and the SMART document and the CapabilityStatement name the same endpoints."""
    host = oauth.base_url
    smart = requests.get(f"{host}/v{version}/fhir/.well-known/smart-configuration").json()
    metadata = requests.get(f"{host}/v{version}/fhir/metadata").json()
    oauth_uris = {e["url"]: e["valueUri"] for e in metadata["rest"][0]["security"]["extension"][0]["extension"]}
    assert oauth_uris == {"authorize": smart["authorization_endpoint"], "token": smart["token_endpoint"],
                          "revoke": smart["revocation_endpoint"], "introspect": smart["introspection_endpoint"]}
    app = oauth.register()
    answers = {"authorize": requests.get(smart["authorization_endpoint"], allow_redirects=False,
                                         params={"client_id": app.client_id}),
               "userinfo": requests.get(smart["userinfo_endpoint"], allow_redirects=False)}
    for name in ("token_endpoint", "revocation_endpoint", "introspection_endpoint"):
        answers[name] = requests.post(smart[name], allow_redirects=False, auth=(app.client_id, app.client_secret),
                                      data={"token": "nothing"})
    redirected = {name: r.status_code for name, r in answers.items() if r.is_redirect or r.status_code >= 500}
    assert not redirected, redirected
    assert answers["revocation_endpoint"].status_code == 200
    assert answers["introspection_endpoint"].json() == {"active": False}


def test_apps_stay_connected_across_a_restart(oauth, fresh_server):
    app, login = oauth.register(), oauth.login(3)
    tokens = oauth.tokens_for(app, login)
    userinfo = requests.get(f"{fresh_server}/v2/connect/userinfo",
                            headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.status_code == 200 and userinfo.json()["sub"] == login.patient_id
    refreshed = requests.post(f"{fresh_server}/v2/o/token/", auth=(app.client_id, app.client_secret),
                              data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
