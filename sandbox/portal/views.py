"""The portal's pages: `/` (home and quick start), `/apps/` (register, view, delete), `/users/` (test users,
their connected apps, Disconnect)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from sandbox.auth.apps import (DATA_ACCESS_TYPES, TEST_APP, AppError, delete_app, ensure_demo_app, find_app, list_apps,
                               register_app)
from sandbox.auth.discovery import host_url
from sandbox.auth.grants import connected_apps, delete_grant
from sandbox.auth.schema import request_db
from sandbox.auth.web import check_csrf, csrf_token
from sandbox.portal.beneficiaries import CONDITIONS, UserFilter, find_user, user_summaries
from sandbox.portal.quickstart import python_snippets, shell_snippets
from sandbox.store import CLAIM_TYPES

bp = Blueprint("portal", __name__)
USERS_PER_PAGE = 25
NEW_SECRET = "portal_new_secret"  # session key: the secret of the app just registered, shown once


@bp.app_template_filter("portal_time")
def portal_time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _page(template: str, status: int = 200, **context):
    return render_template(f"portal/{template}", csrf_token=csrf_token(), base_url=host_url(), **context), status


@bp.get("/")
def home():
    demo = ensure_demo_app(current_app.config["DB_PATH"])
    base = host_url()
    return _page("home.html", demo=demo, shell=shell_snippets(base, demo), python=python_snippets(base, demo),
                 logins=user_summaries(request_db(), current_app.config["DB_PATH"])[:3])


@bp.get("/apps/")
def apps():
    return _page("apps.html", apps=list_apps(request_db()), data_access_types=DATA_ACCESS_TYPES, form={},
                 error=None)


@bp.post("/apps/")
def register():
    check_csrf()
    form = request.form
    uris = [line.strip() for line in form.get("redirect_uris", "").splitlines() if line.strip()]
    try:
        app, secret = register_app(request_db(), name=form.get("name", ""), redirect_uris=uris,
                                   data_access=form.get("data_access", ""),
                                   demographics="demographics" in form)
    except AppError as error:
        return _page("apps.html", 400, apps=list_apps(request_db()), data_access_types=DATA_ACCESS_TYPES,
                     form=form, error=str(error))
    session[NEW_SECRET] = [app.client_id, secret]
    return redirect(url_for("portal.app_detail", client_id=app.client_id), 303)


def _app_or_404(client_id: str):
    app = find_app(request_db(), client_id)
    if app is None or app.client_id == TEST_APP.client_id:
        abort(404)
    return app


@bp.get("/apps/<client_id>/")
def app_detail(client_id: str):
    app = _app_or_404(client_id)
    shown = session.pop(NEW_SECRET, None)
    secret = shown[1] if shown and shown[0] == client_id else None
    return _page("app.html", app=app, secret=secret)


@bp.post("/apps/<client_id>/delete")
def delete(client_id: str):
    check_csrf()
    delete_app(request_db(), _app_or_404(client_id).client_id)
    return redirect(url_for("portal.apps"), 303)


@bp.get("/users/")
def users():
    wanted = UserFilter(text=request.args.get("q", ""), condition=request.args.get("condition", ""),
                        claim_type=request.args.get("claim_type", ""))
    matches = [u for u in user_summaries(request_db(), current_app.config["DB_PATH"]) if wanted.matches(u)]
    try:
        page = max(int(request.args.get("page", "1")), 1)
    except ValueError:
        page = 1
    pages = max((len(matches) + USERS_PER_PAGE - 1) // USERS_PER_PAGE, 1)
    shown = matches[(page - 1) * USERS_PER_PAGE: page * USERS_PER_PAGE]
    return _page("users.html", users=shown, total=len(matches), page=page, pages=pages, wanted=wanted,
                 conditions=sorted(CONDITIONS), claim_types=CLAIM_TYPES)


@bp.get("/users/<patient_id>/")
def user_detail(patient_id: str):
    user = find_user(user_summaries(request_db(), current_app.config["DB_PATH"]), patient_id)
    if user is None:
        abort(404)
    return _page("user.html", user=user, claim_types=CLAIM_TYPES, connected=connected_apps(request_db(), patient_id))


@bp.post("/users/<patient_id>/apps/<client_id>/disconnect")
def disconnect(patient_id: str, client_id: str):
    """Revoke the beneficiary's grant to the app and every token it holds for them."""
    check_csrf()
    if not delete_grant(request_db(), client_id, patient_id, with_tokens=True):
        abort(404)
    return redirect(url_for("portal.user_detail", patient_id=patient_id), 303)
