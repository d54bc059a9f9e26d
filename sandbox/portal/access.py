"""Who may use the portal: anyone on a loopback-only server; on a network address, holders of the portal token.

When `medisynth serve` binds a non-loopback address (or serves a `--public-url`), it makes a random
portal token (config `PORTAL_TOKEN`) and prints the portal's link with it in the banner. Every portal page
(they show the demo secret and test passwords, and register, delete and disconnect apps) and the API docs
page (it holds the Swagger UI app's secret) then need that token once per browser: `?portal_token=…`
admits the browser's session and redirects to the same page without the token. Without it they answer
403. A browser on the server's own machine that opens a loopback URL (peer and Host both loopback) needs
no token. The OAuth and FHIR routes are not affected.
"""
from __future__ import annotations

import functools
import hmac
from urllib.parse import urlencode

from flask import current_app, redirect, render_template, request, session

from sandbox.hosts import LOOPBACK_NAMES, base_url

PARAM = "portal_token"


def _local_browser() -> bool:
    peer = request.remote_addr or ""
    return (peer == "::1" or peer.startswith("127.")) and base_url().partition("://")[2].rsplit(":", 1)[0] in \
        (*LOOPBACK_NAMES, "[::1]")


def admitted(view):
    """Decorator: run `view` only for an admitted browser (always, when the portal needs no token)."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = current_app.config.get("PORTAL_TOKEN")
        if not token or _local_browser() or session.get("portal"):
            return view(*args, **kwargs)
        offered = request.args.get(PARAM, "")
        if offered and hmac.compare_digest(offered, token):
            session["portal"] = True
            rest = [(k, v) for k, v in request.args.items(multi=True) if k != PARAM]
            return redirect(request.path + (f"?{urlencode(rest)}" if rest else ""), 303)
        return render_template("auth/error.html", title="The portal needs its token",
                               message="This sandbox is served on a network address, so its portal is open only "
                                       "through the link with the portal token that `medisynth serve` printed "
                                       "when it started."), 403
    return wrapper
