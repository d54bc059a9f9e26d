"""FHIR Bulk Data Access v2.0.0 routes on v2 and v3: kick-off, status (poll, cancel) and file download.

  GET    /v2/fhir/Patient/$export, /v2/fhir/Group/all/$export   kick-off (`Prefer: respond-async`) → 202
  GET    /v2/fhir/bulk-status/<job>        202 + X-Progress + Retry-After while running; 200 + manifest
  DELETE /v2/fhir/bulk-status/<job>        cancel (or delete a finished export's files) → 202
  GET    /v2/fhir/bulk-files/<job>/<file>  NDJSON, gzip-encoded when the client accepts it

The same routes under /v3/fhir export v3's view (v3 patient ids, CARIN BB 2.x profiles); a job is seen
only under the version it was kicked off on.

Everything needs a system token (sandbox.bulk.backend_auth) of the client that kicked the job off.
Errors are OperationOutcomes. `Group/all` is the whole loaded dataset, as is `Patient/$export`. The
kick-off supports `_outputFormat`, `_type` and `_since`; any other parameter (`_typeFilter`, `_elements`,
`patient`, …) is refused with 400 unless the client sends `Prefer: handling=lenient` (Bulk Data IG), in
which case it is ignored. A client with
`MAX_ACTIVE_PER_CLIENT` exports queued or running gets 429 with Retry-After.
"""
from __future__ import annotations

import time
import zlib
from email.utils import formatdate
from pathlib import Path

import orjson
from flask import Blueprint, Response, current_app, request, send_file

from sandbox.auth.token_versions import path_version
from sandbox.bulk.backend_auth import SystemAccess, authenticate_system
from sandbox.bulk.jobs import ACTIVE, MAX_ACTIVE_PER_CLIENT, Job, create_job, end_job, find_job
from sandbox.bulk.outcome import FHIR_JSON, BulkError, operation_outcome
from sandbox.bulk.runner import WAKE
from sandbox.db import database
from sandbox.fhir.bundle import fhir_instant
from sandbox.hosts import base_url
from sandbox.store import TABLES, instant_ms

bp = Blueprint("bulk", __name__)
PREFIXES = {"bulk": "/v2/fhir", "bulk_v3": "/v3/fhir"}  # blueprint registration name → URL prefix

OUTPUT_FORMATS = ("application/fhir+ndjson", "application/ndjson", "ndjson")
NDJSON = "application/fhir+ndjson"
GROUPS = ("all",)
RETRY_AFTER_SECONDS = 1
BUSY_RETRY_SECONDS = 30
CHUNK_BYTES = 1 << 20
SUPPORTED_PARAMS = ("_outputFormat", "_type", "_since")


def _prefix() -> str:
    return f"/v{path_version(request.path)}/fhir"


def exports_dir() -> Path:
    return Path(current_app.config["EXPORTS_DIR"])


def _json(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(body), status=status, headers=headers or {}, mimetype=FHIR_JSON)


def _requested_types(access: SystemAccess) -> list[str]:
    names = [t.strip() for value in request.args.getlist("_type") for t in value.split(",") if t.strip()]
    unknown = [t for t in names if t not in TABLES]
    if unknown:
        raise BulkError(400, "not-supported", f"_type {', '.join(unknown)} is not exported here "
                                              f"(resource types: {', '.join(TABLES)})")
    denied = [t for t in names if t not in access.resource_types]
    if denied:
        raise BulkError(403, "forbidden", f"the token's scopes do not cover {', '.join(denied)}")
    wanted = set(names) or access.resource_types
    return [t for t in TABLES if t in wanted]


def _since_ms() -> int | None:
    since = request.args.get("_since")
    if since is None:
        return None
    try:
        return instant_ms(since.strip())
    except ValueError:
        raise BulkError(400, "invalid", f"_since {since!r} is not a FHIR instant "
                                        "(e.g. 2025-06-01T00:00:00Z)") from None


def _lenient() -> bool:
    return any(p.strip().lower() == "handling=lenient" for value in request.headers.getlist("Prefer")
               for p in value.split(","))


def _kick_off(group_id: str | None) -> Response:
    access = authenticate_system()
    if "respond-async" not in request.headers.get("Prefer", ""):
        raise BulkError(400, "invalid", "A bulk export needs the header Prefer: respond-async.")
    accept = request.headers.get("Accept")
    if accept and not request.accept_mimetypes.accept_json and FHIR_JSON not in accept:
        raise BulkError(400, "invalid", "The kick-off's Accept header must be application/fhir+json.")
    if group_id is not None and group_id not in GROUPS:
        raise BulkError(404, "not-found", f"Group/{group_id} does not exist (the dataset's group is Group/all).")
    output_format = request.args.get("_outputFormat", NDJSON)
    if output_format not in OUTPUT_FORMATS:
        raise BulkError(400, "not-supported", f"_outputFormat {output_format!r} is not supported "
                                              f"(use {', '.join(OUTPUT_FORMATS)})")
    unsupported = sorted({name for name in request.args if name not in SUPPORTED_PARAMS})
    if unsupported and not _lenient():
        raise BulkError(400, "not-supported", f"{', '.join(unsupported)}: not supported by this server (it "
                                              f"supports {', '.join(SUPPORTED_PARAMS)}); send Prefer: "
                                              "handling=lenient to have unsupported parameters ignored")
    types, since_ms = _requested_types(access), _since_ms()
    request_url = base_url() + request.full_path.rstrip("?")
    with database().write() as conn:
        job = create_job(conn, access.client_id, request_url, types, since_ms)
    if job is None:
        raise BulkError(429, "too-costly", f"This client already has {MAX_ACTIVE_PER_CLIENT} exports queued or "
                                           "running: wait for one to finish, or cancel one (DELETE its status URL).",
                        headers={"Retry-After": str(BUSY_RETRY_SECONDS)})
    if WAKE in current_app.extensions:
        current_app.extensions[WAKE].set()
    status_url = f"{base_url()}{_prefix()}/bulk-status/{job.id}"
    return _json(operation_outcome("informational", "Export started.", "information"), 202,
                 {"Content-Location": status_url})


@bp.get("/Patient/$export", strict_slashes=False)
def export_patients() -> Response:
    return _kick_off(None)


@bp.get("/Group/<group_id>/$export", strict_slashes=False)
def export_group(group_id: str) -> Response:
    return _kick_off(group_id)


def _own_job(job_id: str) -> Job:
    """The caller's job, its files expired first if due (404 for someone else's or an unknown job)."""
    access = authenticate_system()
    job = find_job(database().read(), job_id)
    if job is None or job.client_id != access.client_id or job.version != path_version(request.path):
        raise BulkError(404, "not-found", "No such export.")
    if job.status == "complete" and job.expires_at is not None and job.expires_at <= time.time():
        with database().write() as conn:
            end_job(conn, exports_dir(), job.id, "expired")
            job = find_job(conn, job_id)
    return job


def _manifest(job: Job) -> dict:
    files = f"{base_url()}{_prefix()}/bulk-files/{job.id}"
    return {"transactionTime": fhir_instant(int(job.created_at * 1000)), "request": job.request_url,
            "requiresAccessToken": True,
            "output": [{"type": o["type"], "url": f"{files}/{o['file']}", "count": o["count"]} for o in job.output],
            "error": []}


_GONE = {"cancelled": "This export was cancelled.", "expired": "This export's files have expired."}


@bp.get("/bulk-status/<job_id>")
def export_status(job_id: str) -> Response:
    job = _own_job(job_id)
    if job.status in ACTIVE:
        return Response(status=202, headers={"X-Progress": job.progress or "queued",
                                             "Retry-After": str(RETRY_AFTER_SECONDS)})
    if job.status == "complete":
        return _json(_manifest(job), headers={"Expires": formatdate(job.expires_at, usegmt=True)})
    if job.status == "failed":
        raise BulkError(500, "exception", f"The export failed: {job.error}")
    raise BulkError(404, "not-found", _GONE[job.status])


@bp.delete("/bulk-status/<job_id>")
def export_cancel(job_id: str) -> Response:
    job = _own_job(job_id)
    if job.status in _GONE:
        raise BulkError(404, "not-found", _GONE[job.status])
    with database().write() as conn:
        end_job(conn, exports_dir(), job.id, "cancelled")
    return _json(operation_outcome("informational", "Export cancelled; its files are deleted.", "information"), 202)


def _gzip_chunks(path: Path):
    compressor = zlib.compressobj(5, zlib.DEFLATED, 31)  # wbits 31: a gzip stream
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            yield compressor.compress(chunk)
    yield compressor.flush()


@bp.get("/bulk-files/<job_id>/<name>")
def export_file(job_id: str, name: str) -> Response:
    job = _own_job(job_id)
    if job.status != "complete" or name not in {o["file"] for o in job.output}:
        raise BulkError(404, "not-found", _GONE.get(job.status, f"This export has no file {name!r}."))
    path = exports_dir() / job.id / name
    if "gzip" in request.headers.get("Accept-Encoding", "").lower():
        return Response(_gzip_chunks(path), mimetype=NDJSON,
                        headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    return send_file(path, mimetype=NDJSON, conditional=False)
