"""The portal over plain HTTP: the home page's quick-start snippets run as shown, forms need their CSRF token,
bad app settings are reported on the form, and the test-user search matches the store."""
from __future__ import annotations

import contextlib
import io
import json
import re
import sqlite3
import subprocess

import requests

from sandbox.portal.quickstart import CODE_PLACEHOLDER
from tests.portal.conftest import csrf_field, snippets


def _home_snippets(base_url: str) -> dict[str, list[str]]:
    home = requests.get(f"{base_url}/")
    assert home.status_code == 200 and "text/html" in home.headers["Content-Type"]
    found = snippets(home.text)
    assert [len(found.get(lang, ())) for lang in ("shell", "python")] == [2, 2]
    return found


def test_shell_quick_start_runs_as_shown(live_server, oauth, browser):
    authorize, call = _home_snippets(live_server.base_url)["shell"]
    login = oauth.login(2)
    shell = subprocess.Popen(["bash"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        shell.stdin.write(authorize + "\n")
        shell.stdin.flush()
        url = shell.stdout.readline().strip()
        callback = browser.authorize(url, login)
        shell.stdin.write(call.replace(CODE_PLACEHOLDER, callback["code"]) + "\nexit\n")
        out, _ = shell.communicate(timeout=60)
    finally:
        if shell.poll() is None:
            shell.kill()
    bundle = json.loads(out)
    with contextlib.closing(sqlite3.connect(live_server.db_path)) as conn:
        (stored,) = conn.execute("SELECT count(*) FROM eob"
                                 " WHERE patient_id = ? AND claim_type IN ('inpatient', 'carrier')",
                                 (login.patient_id,)).fetchone()
    assert bundle["resourceType"] == "Bundle" and bundle["total"] == stored
    assert {e["resource"]["patient"]["reference"] for e in bundle.get("entry", [])} <= {f"Patient/{login.patient_id}"}


def test_python_sdk_quick_start_runs_as_shown(live_server, oauth, browser):
    authorize, call = _home_snippets(live_server.base_url)["python"]
    login, namespace, printed = oauth.login(3), {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(authorize, namespace)
    callback = browser.authorize(printed.getvalue().strip(), login)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(call.replace(CODE_PLACEHOLDER, callback["code"]), namespace)
    patient_line, count_line = printed.getvalue().strip().splitlines()
    assert login.patient_id in patient_line
    assert re.fullmatch(r"\d+ claims", count_line)


def test_forms_refuse_a_post_without_the_csrf_token(live_server):
    session = requests.Session()
    before = session.get(f"{live_server.base_url}/apps/").text.count("<tr>")
    resp = session.post(f"{live_server.base_url}/apps/", data={"name": "No token", "redirect_uris": "http://x/cb",
                                                               "data_access": "one-time"})
    assert resp.status_code == 400
    assert session.get(f"{live_server.base_url}/apps/").text.count("<tr>") == before


def test_bad_app_settings_are_reported_on_the_form(live_server):
    session = requests.Session()
    page = session.get(f"{live_server.base_url}/apps/")
    resp = session.post(f"{live_server.base_url}/apps/", data={
        "csrf_token": csrf_field(page.text), "name": "Bad redirect", "redirect_uris": "ftp://example.org/cb",
        "data_access": "thirteen-month"})
    assert resp.status_code == 400
    assert "must be an absolute http(s) URL" in resp.text and 'value="Bad redirect"' in resp.text


def _listed_logins(page_html: str) -> set[str]:
    return set(re.findall(r"<code>(BBUser\d{5})</code></a>", page_html))


def test_user_search_by_claim_type_matches_the_store(live_server):
    with contextlib.closing(sqlite3.connect(live_server.db_path)) as conn:
        expected = {f"BBUser{ordinal:05d}" for (ordinal,) in conn.execute(
            "SELECT ordinal FROM patient WHERE id IN (SELECT patient_id FROM eob WHERE claim_type = 'inpatient')")}
    resp = requests.get(f"{live_server.base_url}/users/", params={"claim_type": "inpatient", "page": 1})
    assert resp.status_code == 200
    assert f"{len(expected)} beneficiar" in resp.text
    if len(expected) <= 25:
        assert _listed_logins(resp.text) == expected


def test_user_search_by_condition_lists_only_that_condition(live_server):
    resp = requests.get(f"{live_server.base_url}/users/", params={"condition": "Hypertension"})
    rows = re.findall(r'<td class="conditions">(.*?)</td>', resp.text, re.S)
    assert rows and all("Hypertension" in row for row in rows)
    everyone = requests.get(f"{live_server.base_url}/users/", params={"q": "BBUser0000"})
    assert _listed_logins(everyone.text) == {f"BBUser{n:05d}" for n in range(10)}


def test_unknown_app_and_user_pages_are_404(live_server):
    for path in ("/apps/nope/", "/users/nope/"):
        assert requests.get(f"{live_server.base_url}{path}").status_code == 404


def test_serve_banner_next_command_works_as_printed(live_server):
    from sandbox.auth.banner import display_url, serve_banner

    assert display_url("127.0.0.1", 8000) == "http://localhost:8000"
    banner = serve_banner(live_server.db_path, live_server.base_url)
    command = re.search(r"Try next\s+(curl .*)", banner).group(1)
    out = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30).stdout
    assert out.startswith('{"resourceType":"CapabilityStatement"')
    assert "BBUser00002 / PW00002!" in banner and f"{live_server.base_url}/docs/" in banner


def test_docs_never_add_redirect_uris_and_other_hosts_are_refused(live_server):
    """The Swagger UI app redirects to its page on the served public bases (set when a server starts) or on a
    loopback name (any port, RFC 8252); a page view adds nothing, and other hosts are refused."""
    from sandbox.app import open_store
    from sandbox.auth.apps import find_app
    from sandbox.docs.views import REDIRECT_PAGE, SWAGGER_APP

    port = live_server.base_url.rsplit(":", 1)[1]
    before = find_app(open_store(live_server.db_path).read(), SWAGGER_APP.client_id).redirect_uris
    for host in ("localhost:8123", "evil.example:80", f"127.0.0.2:{port}"):
        refused = requests.get(f"{live_server.base_url}/docs/", headers={"Host": host})
        assert refused.status_code == 400 and "does not serve the host" in refused.json()["detail"]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
        assert requests.get(f"{live_server.base_url}/docs/", headers={"Host": host}).status_code == 200
    app = find_app(open_store(live_server.db_path).read(), SWAGGER_APP.client_id)
    assert app.redirect_uris == before and len(before) <= 8
    assert app.check_redirect_uri(f"http://localhost:{port}{REDIRECT_PAGE}")
    assert app.check_redirect_uri(f"https://sandbox.example{REDIRECT_PAGE}")
    for uri in (f"http://evil.example{REDIRECT_PAGE}", f"http://localhost:{port}/elsewhere",
                f"http://localhost:{port}{REDIRECT_PAGE}?x=1", f"http://localhost{REDIRECT_PAGE}"):
        assert not app.check_redirect_uri(uri), uri
