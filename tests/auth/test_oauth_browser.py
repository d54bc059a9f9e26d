"""A real browser (headless Chromium via selenium) logs in, clicks Connect, and lands on the app's callback.

Screenshots of the login and consent pages go to output/screenshots/ (git-ignored) for a human to look at.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cms_bluebutton.auth import generate_auth_data

SCREENSHOTS = Path(__file__).resolve().parents[2] / "output" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1000,900")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Chromium and chromedriver: apt-get install chromium chromium-driver")


@pytest.fixture
def chromium(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_browser_logs_in_and_connects(oauth, chromium):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    app, login, auth_data = oauth.register(), oauth.login(0), generate_auth_data()
    chromium.get(oauth.authorize_url(app, auth_data).replace("/authorize/?", "/authorize?"))

    assert chromium.find_element(By.CSS_SELECTOR, "label[for=username]").text == "Username"
    chromium.save_screenshot(str(SCREENSHOTS / "login.png"))
    chromium.find_element(By.NAME, "username").send_keys(login.username)
    chromium.find_element(By.NAME, "password").send_keys(login.password)
    chromium.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    checkbox = WebDriverWait(chromium, 20).until(
        expected_conditions.presence_of_element_located((By.NAME, "share_demographic_scopes")))
    assert checkbox.is_selected()
    chromium.save_screenshot(str(SCREENSHOTS / "consent.png"))
    chromium.find_element(By.NAME, "allow").click()

    WebDriverWait(chromium, 20).until(lambda d: d.current_url.startswith(app.redirect_uri))
    callback = {k: v[0] for k, v in parse_qs(urlsplit(chromium.current_url).query).items()}
    assert callback["state"] == auth_data["state"] and len(callback["code"]) == 30
    tokens = oauth.exchange(app, callback["code"], auth_data["verifier"])
    assert tokens.status_code == 200 and tokens.json()["patient"] == login.patient_id
