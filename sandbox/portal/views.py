"""The portal's pages: `/` (home and quick start), `/apps/` (register, view, delete), `/users/` (test users,
their connected apps, Disconnect).

Every page is behind `admitted` (sandbox.portal.access: a token when served on a network address). A new
app's client secret is kept server-side for the registering session until its page shows it once (table
portal_secret); pages that show secrets or passwords are `Cache-Control: no-store`."""
from __future__ import annotations

import secrets
from datetime import datetime, UTC

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from sandbox.auth.apps import (DATA_ACCESS_TYPES, TEST_APP, AppError, delete_app, demo_app, find_app, list_apps,
                               register_app)
from sandbox.auth.grants import connected_apps, delete_grant
from sandbox.auth.schema import digest, now
from sandbox.auth.web import check_csrf, csrf_token, no_store
from sandbox.db import database
from sandbox.hosts import base_url
from sandbox.portal.access import admitted
from sandbox.portal.beneficiaries import CONDITIONS, UserFilter, find_user, user_summaries
from sandbox.portal.quickstart import python_snippets, shell_snippets
from dataset_contract import CLAIM_TYPES

bp = Blueprint("portal", __name__)
USERS_PER_PAGE = 25
NEW_SECRET_SECONDS = 300


@bp.app_template_filter("portal_time")
def portal_time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _page(template: str, status: int = 200, **context):
    page = render_template(f"portal/{template}", csrf_token=csrf_token(), base_url=base_url(), **context)
    return no_store((page, status))


def _summaries():
    return user_summaries(database().read(), current_app.config["DB_PATH"])


@bp.get("/")
@admitted
def home():
    demo = demo_app(database().read())
    base = base_url()
    return _page("home.html", demo=demo, shell=shell_snippets(base, demo), python=python_snippets(base, demo),
                 logins=_summaries()[:3])


@bp.get("/apps/")
@admitted
def apps():
    return _page("apps.html", apps=list_apps(database().read()), data_access_types=DATA_ACCESS_TYPES, form={},
                 error=None)


@bp.post("/apps/")
@admitted
def register():
    check_csrf()
    form = request.form
    uris = [line.strip() for line in form.get("redirect_uris", "").splitlines() if line.strip()]
    try:
        with database().write() as conn:
            app, secret = register_app(conn, name=form.get("name", ""), redirect_uris=uris,
                                       data_access=form.get("data_access", ""), demographics="demographics" in form)
            owner = session.setdefault("portal_key", secrets.token_urlsafe(32))
            conn.execute("INSERT OR REPLACE INTO portal_secret (session_hash, client_id, secret, expires_at)"
                         " VALUES (?, ?, ?, ?)", (digest(owner), app.client_id, secret, now() + NEW_SECRET_SECONDS))
    except AppError as error:
        return _page("apps.html", 400, apps=list_apps(database().read()), data_access_types=DATA_ACCESS_TYPES,
                     form=form, error=str(error))
    return redirect(url_for("portal.app_detail", client_id=app.client_id), 303)


def _take_secret(client_id: str) -> str | None:
    """The new app's secret, if this browser registered it just now (deleted as it is read: shown once)."""
    if "portal_key" not in session:
        return None
    with database().write() as conn:
        conn.execute("DELETE FROM portal_secret WHERE expires_at <= ?", (now(),))
        row = conn.execute("DELETE FROM portal_secret WHERE session_hash = ? AND client_id = ? RETURNING secret",
                           (digest(session["portal_key"]), client_id)).fetchone()
    return row[0] if row else None


def _app_or_404(client_id: str):
    app = find_app(database().read(), client_id)
    if app is None or app.client_id == TEST_APP.client_id:
        abort(404)
    return app


@bp.get("/apps/<client_id>/")
@admitted
def app_detail(client_id: str):
    app = _app_or_404(client_id)
    return _page("app.html", app=app, secret=_take_secret(client_id))


@bp.post("/apps/<client_id>/delete")
@admitted
def delete(client_id: str):
    check_csrf()
    with database().write() as conn:
        delete_app(conn, _app_or_404(client_id).client_id)
    return redirect(url_for("portal.apps"), 303)


@bp.get("/users/")
@admitted
def users():
    wanted = UserFilter(text=request.args.get("q", ""), condition=request.args.get("condition", ""),
                        claim_type=request.args.get("claim_type", ""))
    matches = [u for u in _summaries() if wanted.matches(u)]
    try:
        page = max(int(request.args.get("page", "1")), 1)
    except ValueError:
        page = 1
    pages = max((len(matches) + USERS_PER_PAGE - 1) // USERS_PER_PAGE, 1)
    shown = matches[(page - 1) * USERS_PER_PAGE: page * USERS_PER_PAGE]
    return _page("users.html", users=shown, total=len(matches), page=page, pages=pages, wanted=wanted,
                 conditions=sorted(CONDITIONS), claim_types=CLAIM_TYPES)


@bp.get("/users/<patient_id>/")
@admitted
def user_detail(patient_id: str):
    user = find_user(_summaries(), patient_id)
    if user is None:
        abort(404)
    return _page("user.html", user=user, claim_types=CLAIM_TYPES,
                 connected=connected_apps(database().read(), patient_id))


@bp.post("/users/<patient_id>/apps/<client_id>/disconnect")
@admitted
def disconnect(patient_id: str, client_id: str):
    """Revoke the beneficiary's grant to the app and every token it holds for them."""
    check_csrf()
    with database().write() as conn:
        found = delete_grant(conn, client_id, patient_id, with_tokens=True)
    if not found:
        abort(404)
    return redirect(url_for("portal.user_detail", patient_id=patient_id), 303)
