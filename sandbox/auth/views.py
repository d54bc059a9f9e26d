"""The browser side of authorization: `/v2/o/authorize/` with BB2's checks, the offline login, the consent page.

The checks run in BB2's order: the app (HTML error page), a stray client_secret, PKCE and state (JSON
400s), the redirect URI (HTML error page, never a redirect). A browser that has not logged in is
sent to the login page and back; the consent form posts to the same URL with the OAuth parameters
as hidden fields. A login is a server-side record bound to this one authorization request and consumed
when the consent is answered (sandbox.auth.logins). Every redirect back to the app carries `iss`, the
server's issuer (RFC 9207), beside `code` or `error` and `state`.
"""
from __future__ import annotations

from datetime import datetime, UTC
from urllib.parse import urlencode

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from flask import Blueprint, Response, current_app, redirect, render_template, request, session, url_for

from sandbox import store
from sandbox.auth import logins
from sandbox.auth.grants import grant_expiry, record_consent
from sandbox.auth.oauth_server import Beneficiary
from sandbox.auth.schema import now
from sandbox.auth.scopes import consented_scopes, scope_string
from sandbox.auth.users import display_name, find_login
from sandbox.auth.web import check_csrf, csrf_token, error_page, json_response, no_store
from sandbox.db import database
from sandbox.hosts import base_url

bp = Blueprint("auth_pages", __name__)

OAUTH_PARAMS = ("client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge",
                "code_challenge_method", "lang")
PKCE_PARAMS = ("code_challenge", "code_challenge_method", "state")
MIN_STATE_LENGTH = 16
AUTHORIZE_PATH = "/v2/o/authorize/"
AUTHORIZE_PATHS = (AUTHORIZE_PATH, "/v3/o/authorize/")  # v3 codes are exchanged at /v3/o/token/ for v3 tokens


def _bad_request(body: dict) -> Response:
    return json_response(body, body["status_code"])


def _app_error(status: int, title: str) -> Response:
    return error_page(status, title, "The app that sent you here is not set up correctly. "
                                     "Go back to it and try again, or contact its developer.")


def _oauth_params() -> dict[str, str]:
    return {name: request.values[name] for name in OAUTH_PARAMS if name in request.values}


def _check_request(server):
    """BB2's checks in BB2's order; returns (authlib grant, None) or (None, the error response)."""
    params = request.values
    if request.method == "POST" and not request.form.get("state"):
        return None, json_response({"status_code": 401, "message": "State required in POST body."}, 401)
    if not params.get("client_id"):
        return None, _app_error(401, "No application was given")
    client = server.query_client(params["client_id"])
    if client is None:
        return None, _app_error(400, "Unknown application")
    if "client_secret" in params:
        return None, Response("Illegal query parameter [client_secret] detected", 400, mimetype="text/plain")
    missing = [name for name in PKCE_PARAMS if not params.get(name)]
    if missing:  # BB2 names all three whatever is missing; this names only what is
        return None, _bad_request({"status_code": 400,
                                   "message": "Missing Required Parameter(s): " + ", ".join(missing)})
    if params["code_challenge_method"] != "S256":
        return None, _bad_request({"status_code": 400, "error": "invalid_request",
                                   "error_description": "code_challenge_method must be S256"})
    if len(params["state"]) < MIN_STATE_LENGTH:
        return None, _bad_request({"status_code": 400,
                                   "message": "State parameter should have a minimum of 16 characters"})
    if params.get("redirect_uri") and not client.check_redirect_uri(params["redirect_uri"]):
        return None, _app_error(400, "Mismatching redirect URI")
    try:
        return server.get_consent_grant(end_user=None), None
    except OAuth2Error as error:
        return None, server.handle_error_response(None, error)


def _with_issuer(response: Response) -> Response:
    """A redirect back to the app, with the authorization server's issuer added (RFC 9207)."""
    if response.status_code in (301, 302, 303) and "Location" in response.headers:
        response.headers["Location"] = add_params_to_uri(response.headers["Location"], [("iss", base_url())])
    return response


def _access_denied(grant) -> Response:
    redirect_uri = grant.request.payload.redirect_uri or grant.client.get_default_redirect_uri()
    return _with_issuer(redirect(add_params_to_uri(redirect_uri, [("error", "access_denied"),
                                                                  ("state", grant.request.payload.state)])))


def _access_period(data_access: str) -> str:
    """How long the consent lasts, as the consent page says it ("" for research apps: no end)."""
    ends = grant_expiry(data_access, now())
    if data_access == "one-time":
        return "for 1 hour"
    if ends is None:
        return ""
    return "for 13 months, until " + datetime.fromtimestamp(ends, UTC).strftime("%B %-d, %Y")


def _request_key() -> str:
    return logins.request_key(request.path, request.values)


def _to_login() -> Response:
    return redirect(url_for("auth_pages.login", next=request.path + "?" + urlencode(_oauth_params())))


def _answer_consent(server, grant) -> Response:
    check_csrf()
    scopes = consented_scopes(frozenset(grant.request.scope.split()),
                              share_demographics="share_demographic_scopes" in request.form)
    with database().write() as conn:
        patient_id = logins.consume_login(conn, session.pop("login", None), _request_key())
        if patient_id is not None and "allow" in request.form and scopes:
            record_consent(conn, grant.client.client_id, patient_id, grant.client.data_access)
    if patient_id is None:  # the login expired or was used already: log in again
        return _to_login()
    if "allow" not in request.form or not scopes:
        return _access_denied(grant)
    return _with_issuer(server.create_authorization_response(
        grant_user=Beneficiary(patient_id, scope_string(scopes)), grant=grant))


@bp.route("/v2/o/authorize", methods=["GET", "POST"])
@bp.route("/v3/o/authorize", methods=["GET", "POST"])
def authorize_without_slash():
    query = request.query_string.decode()
    return redirect(request.path + "/" + (f"?{query}" if query else ""), 301)


@bp.route(AUTHORIZE_PATH, methods=["GET", "POST"])
@bp.route("/v3/o/authorize/", methods=["GET", "POST"])
def authorize():
    server = current_app.extensions["medisynth_oauth"]
    grant, error = _check_request(server)
    if error is not None:
        return _with_issuer(error)
    if request.method == "POST" and ("allow" in request.form or "deny" in request.form):
        return _answer_consent(server, grant)
    patient_id = logins.find_login(database().read(), session.get("login"), _request_key())
    if not patient_id:
        return _to_login()
    app = grant.client
    names = store.patient_names(database().read(), patient_id)
    return no_store(render_template("auth/consent.html", app=app, params=_oauth_params(), csrf_token=csrf_token(),
                                    access_period=_access_period(app.data_access),
                                    beneficiary_name=display_name(names) if names else ""))


@bp.route("/v2/o/login/", methods=["GET", "POST"])
def login():
    next_url = request.values.get("next", "")
    if not next_url.isprintable():  # a CR or LF would inject headers into the redirect: refused below
        next_url = ""
    if not next_url.startswith(AUTHORIZE_PATHS):
        return error_page(400, "Nothing to log in for", "Start from the app you want to connect.")
    failed = False
    if request.method == "POST":
        check_csrf()
        patient = find_login(database().read(), request.form.get("username", ""), request.form.get("password", ""))
        if patient is not None:
            with database().write() as conn:
                login_id = logins.create_login(conn, patient["id"], logins.request_key_of_url(next_url))
            session.rotate()  # a session id planted before the login is worth nothing after it
            session["login"] = login_id
            return redirect(next_url)
        failed = True
    page = render_template("auth/login.html", next_url=next_url, csrf_token=csrf_token(), failed=failed,
                           username=request.form.get("username", ""))
    return no_store(Response(page, status=401 if failed else 200))
