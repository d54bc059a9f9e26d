"""The person's part of a launch: follow the authorize URL a client built, log in and press Connect on the
sandbox's real forms (the project's plain-HTTP `Browser`), and hand back where the sandbox redirects.

The observation is the `authorize` step of every flow: the URL the client sent the person to and the
callback's query. Each way the walk can stop raises an error that says where and with what response.
"""
from __future__ import annotations

from support.oauth_flow import Browser, Login, query_of
from tests.smart.observations import short_body


class ConsentError(Exception):
    """The walk from the authorize URL to the app's callback stopped before the callback."""


def _refused(what: str, response) -> ConsentError:
    return ConsentError(f"{what}: {response.request.method} {response.url} → {response.status_code} "
                        f"{short_body(response)}")


def walk_consent(base_url: str, authorize_url: str, login: Login, redirect_uri: str) -> dict:
    """Open `authorize_url`, log in as `login`, Connect; the observation: the URL and the callback's query."""
    browser = Browser(base_url)
    page = browser.open(authorize_url)
    if page.is_redirect:  # sent back to the app at once (an OAuth error), or somewhere else
        location = page.headers["Location"]
        if location.startswith(redirect_uri):
            return {"url": authorize_url, "callback_url": location, "callback": query_of(location)}
        raise _refused("the authorize request redirected elsewhere", page)
    if page.status_code != 200 or 'name="username"' not in page.text:
        raise _refused("the sandbox refused the authorize request", page)
    consent = browser.login(page, login)
    if consent.status_code != 200 or 'name="allow"' not in consent.text:
        raise _refused("no consent page after logging in", consent)
    answer = browser.submit(consent, {}, button="allow")
    location = answer.headers.get("Location", "")
    if answer.status_code != 302 or not location.startswith(redirect_uri):
        raise _refused("Connect did not redirect to the app's callback", answer)
    return {"url": authorize_url, "callback_url": location, "callback": query_of(location)}
