"""Headless Chromium walks the portal: register an app, authorize it as a test user, find it under the user's
connected apps, disconnect it (its token is then refused with 401), delete it. Screenshots of every page go to
output/screenshots/portal-*.png (git-ignored) for a person to look at."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cms_bluebutton.auth import generate_auth_data

from support.oauth_flow import CALLBACK, ClientApp
from tests.portal.conftest import CHROMEDRIVER, CHROMIUM, SCREENSHOTS

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Chromium and chromedriver: apt-get install chromium chromium-driver")


def _shot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 800), 4000))
    driver.save_screenshot(str(SCREENSHOTS / f"portal-{name}.png"))


def _wait(driver, condition):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 20).until(condition)


def test_register_authorize_see_disconnect_delete(live_server, oauth, chromium):
    from selenium.webdriver.common.by import By

    base = live_server.base_url
    chromium.get(f"{base}/")
    assert chromium.find_element(By.ID, "base-url").text == base
    _shot(chromium, "home")

    chromium.get(f"{base}/apps/")
    chromium.find_element(By.ID, "name").send_keys("Portal browser app")
    uris = chromium.find_element(By.ID, "redirect_uris")
    uris.clear()
    uris.send_keys(CALLBACK)
    chromium.find_element(By.ID, "access-research-study").click()
    _shot(chromium, "apps")
    chromium.find_element(By.ID, "register-app").click()
    client_id = _wait(chromium, lambda d: d.find_elements(By.ID, "client-id"))[0].text
    secret = chromium.find_element(By.ID, "client-secret").text
    assert len(client_id) == 40 and len(secret) == 128
    _shot(chromium, "app-registered")
    chromium.refresh()
    assert not chromium.find_elements(By.ID, "client-secret"), "the secret is shown once"

    app, login = ClientApp(client_id, secret, CALLBACK, "research-study"), oauth.login(1)
    auth_data = generate_auth_data()
    chromium.get(oauth.authorize_url(app, auth_data))
    chromium.find_element(By.NAME, "username").send_keys(login.username)
    chromium.find_element(By.NAME, "password").send_keys(login.password)
    chromium.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait(chromium, lambda d: d.find_elements(By.NAME, "allow"))[0].click()
    _wait(chromium, lambda d: d.current_url.startswith(CALLBACK))
    code = parse_qs(urlsplit(chromium.current_url).query)["code"][0]
    tokens = oauth.exchange(app, code, auth_data["verifier"]).json()
    assert oauth.get("/v2/fhir/Patient/", tokens["access_token"]).status_code == 200

    chromium.get(f"{base}/users/?q={login.username}")
    chromium.find_element(By.LINK_TEXT, login.username).click()
    rows = _wait(chromium, lambda d: d.find_elements(By.CSS_SELECTOR, "#connected-apps tbody tr"))
    assert any("Portal browser app" in row.text for row in rows)
    _shot(chromium, "user-connected")
    chromium.find_element(By.CSS_SELECTOR, f"button[name=disconnect][value='{client_id}']").click()
    _wait(chromium, lambda d: not d.find_elements(By.CSS_SELECTOR, f"button[value='{client_id}']"))
    _shot(chromium, "user-disconnected")
    refused = oauth.get("/v2/fhir/Patient/", tokens["access_token"])
    assert refused.status_code == 401, refused.text
    assert oauth.refresh(app, tokens["refresh_token"]).status_code == 400

    chromium.get(f"{base}/users/?condition=Diabetes&claim_type=inpatient")
    _shot(chromium, "users-search")

    chromium.get(f"{base}/apps/{client_id}/")
    chromium.find_element(By.ID, "delete-app").click()
    _wait(chromium, lambda d: d.current_url.rstrip("/").endswith("/apps"))
    assert client_id not in chromium.find_element(By.ID, "apps").text
    assert requests.get(f"{base}/apps/{client_id}/").status_code == 404


def test_swagger_ui_renders_from_packaged_assets(live_server, chromium):
    from selenium.webdriver.common.by import By

    chromium.get(f"{live_server.base_url}/docs/")
    title = _wait(chromium, lambda d: d.find_elements(By.CSS_SELECTOR, ".swagger-ui .info .title"))[0]
    assert "Blue Button" in title.text
    assert chromium.find_elements(By.CSS_SELECTOR, ".swagger-ui .btn.authorize")
    _shot(chromium, "docs")


def test_swagger_ui_authorize_uses_the_sandbox_oauth_server(live_server, oauth, chromium):
    """Authorize in Swagger UI (popup: login, consent, PKCE code exchange), then Try it out on Patient search."""
    from selenium.webdriver.common.by import By

    login = oauth.login(4)
    chromium.get(f"{live_server.base_url}/docs/")
    _wait(chromium, lambda d: d.find_elements(By.CSS_SELECTOR, ".swagger-ui .btn.authorize"))[0].click()
    main = chromium.current_window_handle
    modal = _wait(chromium, lambda d: d.find_elements(By.CSS_SELECTOR, ".dialog-ux .modal-ux"))[0]
    _shot(chromium, "docs-authorize")
    modal.find_element(By.CSS_SELECTOR, ".auth-btn-wrapper .btn.authorize").click()
    popup = _wait(chromium, lambda d: [h for h in d.window_handles if h != main])[0]
    chromium.switch_to.window(popup)
    _wait(chromium, lambda d: d.find_elements(By.NAME, "username"))[0].send_keys(login.username)
    chromium.find_element(By.NAME, "password").send_keys(login.password)
    chromium.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait(chromium, lambda d: d.find_elements(By.NAME, "allow"))[0].click()
    _wait(chromium, lambda d: len(d.window_handles) == 1)  # oauth2-redirect.html hands the code back and closes
    chromium.switch_to.window(main)
    _wait(chromium, lambda d: d.find_elements(By.XPATH, "//div[@class='dialog-ux']//button[text()='Logout']"))
    chromium.find_element(By.CSS_SELECTOR, ".dialog-ux .close-modal").click()

    chromium.find_element(By.CSS_SELECTOR, "#operations-FHIR-searchPatient .opblock-summary").click()
    _wait(chromium, lambda d: d.find_elements(
        By.CSS_SELECTOR, "#operations-FHIR-searchPatient .try-out__btn"))[0].click()
    chromium.find_element(By.CSS_SELECTOR, "#operations-FHIR-searchPatient .execute").click()
    status = _wait(chromium, lambda d: d.find_elements(
        By.CSS_SELECTOR, "#operations-FHIR-searchPatient .live-responses-table tbody .response-col_status"))[0]
    assert status.text.strip().startswith("200")
    body = chromium.find_element(By.CSS_SELECTOR, "#operations-FHIR-searchPatient .live-responses-table .microlight")
    assert login.patient_id in body.text
    _shot(chromium, "docs-try-it-out")
