"""The machine-facing OAuth routes of v2 and v3: token, revoke, introspect, userinfo, and the sandbox's expire
endpoint. Each version's routes see only that version's tokens and name patients by that version's ids."""
from __future__ import annotations

from datetime import datetime, UTC

from flask import Blueprint, Response, current_app, request

from sandbox import store
from sandbox.api_errors import NO_PERMISSION, NOT_AUTHENTICATED, ApiError
from sandbox.auth import lockout
from sandbox.auth.apps import find_app
from sandbox.auth.context import authenticate
from sandbox.auth.grants import delete_grant
from sandbox.auth.oauth_server import ClientLockedError
from sandbox.auth.token_versions import V3, patient_id_for, path_version
from sandbox.auth.users import display_name
from sandbox.auth.web import NO_STORE, json_response
from sandbox.db import database
from sandbox.v3.ids import v2_patient_id

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
        response = backend_token_response()
    else:
        response = _server().create_token_response()
    response.headers.update(NO_STORE)
    return response


@bp.post("/v2/o/revoke_token/")
@bp.post("/v3/o/revoke_token/")
def revoke_token():
    return _server().create_endpoint_response("revocation")


@bp.post("/v2/o/revoke/")
@bp.post("/v3/o/revoke/")
def revoke_grant():
    return _server().create_endpoint_response("grant_revocation")


@bp.route("/v2/o/introspect/", methods=["GET", "POST"])
@bp.route("/v3/o/introspect/", methods=["GET", "POST"])
def introspect():
    return _server().create_endpoint_response("introspection")


@bp.get("/v2/connect/userinfo")
@bp.get("/v3/connect/userinfo")
def userinfo():
    context, version = authenticate(), path_version(request.path)
    if context.version != version:  # v3 tokens work only on /v3, v2 tokens only on /v2
        raise ApiError(401, NOT_AUTHENTICATED, headers={"WWW-Authenticate": 'Bearer realm="api"'})
    if "profile" not in context.scopes:
        raise ApiError(403, NO_PERMISSION)
    row = store.patient_names(database().read(), context.patient_id)
    patient_id = patient_id_for(version, context.patient_id)
    return json_response({"sub": patient_id, "name": display_name(row) if row else "",
                    "given_name": row["given"] if row else "", "family_name": row["family"] if row else "",
                    "email": "",
                    "iat": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "patient": patient_id})


@bp.post("/v2/o/expire_authenticated_user/<patient_id>/")
@bp.post("/v3/o/expire_authenticated_user/<patient_id>/")
def expire_authenticated_user(patient_id: str):
    """Sandbox-only: end the beneficiary's grant to the calling app (HTTP Basic client auth, behind the same
    per-client-and-source lockout as the token endpoint); on /v3 the patient is named by its v3 id."""
    auth, db, origin = request.authorization, database(), lockout.source()
    client_id = auth.username if auth and auth.type == "basic" else None
    if client_id and (wait := lockout.seconds_locked(db.read(), client_id, origin)):
        locked = ClientLockedError(wait)
        raise ApiError(429, locked.description, headers={"Retry-After": str(wait)})
    app = find_app(db.read(), client_id) if client_id else None
    if app is None or not app.check_client_secret(auth.password or ""):
        if app is not None:
            with db.write() as conn:
                lockout.record_failure(conn, app.client_id, origin)
        raise ApiError(403, NO_PERMISSION)
    if path_version(request.path) == V3:
        patient_id = v2_patient_id(patient_id)
    with db.write() as conn:
        lockout.record_success(conn, app.client_id, origin)
        if not store.patient_exists(conn, patient_id):
            return Response("Patient was Not Found.", 404, mimetype="text/plain")
        if not delete_grant(conn, app.client_id, patient_id, with_tokens=False):
            return Response("Data Access Grant was Not Found.", 404, mimetype="text/plain")
    return Response("success", 200, mimetype="text/plain")
