"""The machine-facing OAuth routes: token, revoke, introspect, userinfo, and the sandbox's expire endpoint."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, request

from sandbox.api_errors import NO_PERMISSION, ApiError
from sandbox.auth.apps import find_app
from sandbox.auth.context import authenticate
from sandbox.auth.grants import delete_grant
from sandbox.auth.schema import request_db
from sandbox.auth.users import display_name
from sandbox.auth.web import json_response

bp = Blueprint("auth_api", __name__)


def _server():
    return current_app.extensions["medisynth_oauth"]


@bp.post("/v2/o/token")
@bp.post("/v2/o/token/")
@bp.post("/v3/o/token")
@bp.post("/v3/o/token/")
def token():
    if request.form.get("grant_type") == "client_credentials":  # SMART Backend Services (sandbox.bulk)
        from sandbox.bulk.backend_auth import backend_token_response
        return backend_token_response()
    return _server().create_token_response()


@bp.post("/v2/o/revoke_token/")
def revoke_token():
    return _server().create_endpoint_response("revocation")


@bp.post("/v2/o/revoke/")
def revoke_grant():
    return _server().create_endpoint_response("grant_revocation")


@bp.route("/v2/o/introspect/", methods=["GET", "POST"])
def introspect():
    return _server().create_endpoint_response("introspection")


@bp.get("/v2/connect/userinfo")
def userinfo():
    context = authenticate()
    if "profile" not in context.scopes:
        raise ApiError(403, NO_PERMISSION)
    row = request_db().execute("SELECT given, family FROM patient WHERE id = ?", (context.patient_id,)).fetchone()
    return json_response({"sub": context.patient_id, "name": display_name(row) if row else "",
                    "given_name": row["given"] if row else "", "family_name": row["family"] if row else "",
                    "email": "",
                    "iat": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "patient": context.patient_id})


@bp.post("/v2/o/expire_authenticated_user/<patient_id>/")
def expire_authenticated_user(patient_id: str):
    """Sandbox-only: end the beneficiary's grant to the calling app (HTTP Basic client auth)."""
    auth = request.authorization
    conn = request_db()
    app = find_app(conn, auth.username) if auth and auth.type == "basic" else None
    if app is None or not app.check_client_secret(auth.password or ""):
        raise ApiError(403, NO_PERMISSION)
    if conn.execute("SELECT 1 FROM patient WHERE id = ?", (patient_id,)).fetchone() is None:
        return Response("Patient was Not Found.", 404, mimetype="text/plain")
    if not delete_grant(conn, app.client_id, patient_id, with_tokens=False):
        return Response("Data Access Grant was Not Found.", 404, mimetype="text/plain")
    return Response("success", 200, mimetype="text/plain")
