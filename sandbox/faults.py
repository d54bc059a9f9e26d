"""Simulated failures for client resilience testing, on FHIR data routes only, off unless asked for.

A fault is asked for per app (a stored setting, made with `medisynth apps fault CLIENT_ID SPEC [--times K]`)
or per request with the header `X-Medisynth-Fault: 503`, which works only for apps that opted in
(`medisynth apps fault CLIENT_ID --allow-header`): a public client id (the demo app's) cannot be used to
make the server sleep. So a fault never touches other apps. Specs:

  429                      throttled, with `Retry-After` (seconds, `429;retry-after=N`, default 1)
  500 | 502 | 503 | 504    a server error (the official SDKs retry these)
  latency=MS               answer normally after MS milliseconds (at most 30,000)
  expired-grant            BB2's 401 for a beneficiary grant that has timed out
  revoked-token            BB2's 401 for a revoked or unknown access token
  truncated-page           the body cut off halfway (invalid JSON), as a dropped connection leaves it

An app's fault fires on its next K FHIR requests (`--times K`, then it clears itself) or on every
request (no `--times`). The request header wins over the app's setting. At most `MAX_SLEEPING` requests
per worker process sleep for a latency fault at once; more get a 429 with Retry-After, so simulated
latency never ties up the threads other clients need.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import g, request

from sandbox.api_errors import NOT_AUTHENTICATED, ApiError
from sandbox.auth.context import ACCESS_TIMED_OUT
from sandbox.db import Database, Migration, database
from sandbox.errors import SandboxError

HEADER = "X-Medisynth-Fault"
MAX_LATENCY_MS = 30_000
MAX_SLEEPING = 4
_sleeping = threading.BoundedSemaphore(MAX_SLEEPING)
SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                 504: "Gateway Timeout"}
THROTTLED = "Request was throttled. Expected available in {} second{}."
_SPEC = re.compile(r"^(?:(?P<status>429|500|502|503|504)(?:;retry-after=(?P<retry>\d{1,4}))?"
                   r"|latency=(?P<latency>\d{1,5})|(?P<named>expired-grant|revoked-token|truncated-page))$")

MIGRATIONS = (Migration(4, "faults", """
CREATE TABLE IF NOT EXISTS app_fault (
    client_id TEXT PRIMARY KEY,
    spec      TEXT NOT NULL,
    remaining INTEGER                       -- NULL: every request; else this many more, then cleared
);
"""), Migration(6, "faults", """
CREATE TABLE app_fault_header (             -- apps whose requests may ask for a fault with the header
    client_id TEXT PRIMARY KEY
);
"""))
HEADER_OFF = (f"{HEADER} is off for this app: allow it with `medisynth apps fault CLIENT_ID --allow-header`")


class FaultError(SandboxError):
    """A fault spec that is not one of the supported forms."""


@dataclass(frozen=True)
class Fault:
    """One parsed spec: `kind` is a status code, "latency" or a named fault; `value` its number if any."""
    kind: str
    value: int = 0


def parse_fault(spec: str) -> Fault:
    m = _SPEC.match(spec.strip().lower())
    if not m:
        raise FaultError(f"unknown fault {spec!r}: use 429[;retry-after=N], 500, 502, 503, 504, latency=MS, "
                         "expired-grant, revoked-token or truncated-page")
    if m["status"]:
        return Fault(m["status"], int(m["retry"] or 1))
    if m["latency"]:
        if int(m["latency"]) > MAX_LATENCY_MS:
            raise FaultError(f"latency {m['latency']} ms is more than {MAX_LATENCY_MS:,} ms")
        return Fault("latency", int(m["latency"]))
    return Fault(m["named"])


def _take_app_fault(db: Database, client_id: str) -> str | None:
    """The app's stored fault spec, counting this request against its remaining uses (atomically).
    Apps without a fault cost one indexed read, never a write."""
    if db.read().execute("SELECT 1 FROM app_fault WHERE client_id = ?", (client_id,)).fetchone() is None:
        return None
    with db.write() as conn:
        row = conn.execute("UPDATE app_fault SET remaining = remaining - 1 WHERE client_id = ? AND remaining > 0"
                           " RETURNING spec, remaining", (client_id,)).fetchone()
        if row is None:
            row = conn.execute("SELECT spec, remaining FROM app_fault WHERE client_id = ? AND remaining IS NULL",
                               (client_id,)).fetchone()
        conn.execute("DELETE FROM app_fault WHERE client_id = ? AND remaining = 0", (client_id,))
    return row["spec"] if row else None


def apply_faults(client_id: str) -> None:
    """Run the request's (or else the app's) fault: raise its error, sleep, or mark the body for truncation."""
    spec = request.headers.get(HEADER)
    if spec and database().read().execute("SELECT 1 FROM app_fault_header WHERE client_id = ?",
                                          (client_id,)).fetchone() is None:
        raise ApiError(400, HEADER_OFF)
    spec = spec or _take_app_fault(database(), client_id)
    if not spec:
        return
    try:
        fault = parse_fault(spec)
    except FaultError as e:
        raise ApiError(400, str(e)) from None
    if fault.kind == "429":
        raise ApiError(429, THROTTLED.format(fault.value, "" if fault.value == 1 else "s"),
                       headers={"Retry-After": str(fault.value)})
    if fault.kind.isdigit():
        status = int(fault.kind)
        raise ApiError(status, f"{SERVER_ERRORS[status]} (simulated by {HEADER})")
    if fault.kind == "latency":
        if not _sleeping.acquire(blocking=False):
            raise ApiError(429, THROTTLED.format(1, "") + f" (at most {MAX_SLEEPING} simulated-latency requests "
                                                          "at once)", headers={"Retry-After": "1"})
        try:
            time.sleep(fault.value / 1000)
        finally:
            _sleeping.release()
    elif fault.kind == "expired-grant":
        raise ApiError(401, ACCESS_TIMED_OUT)
    elif fault.kind == "revoked-token":
        raise ApiError(401, NOT_AUTHENTICATED, headers={"WWW-Authenticate": 'Bearer realm="api"'})
    else:
        g.truncate_page = True


def init_app(app) -> None:
    """Add the fault tables to the store's schema."""
    app.extensions["medisynth_db"].schema.add(*MIGRATIONS)


def finish_body(chunks: list[bytes]) -> list[bytes]:
    """The response body's chunks, cut off halfway when the request's fault is `truncated-page`."""
    if not g.get("truncate_page"):
        return chunks
    body = b"".join(chunks)
    return [body[: len(body) // 2]]


def _existing_app(conn, client_id: str) -> None:
    from sandbox.auth.apps import AppError, find_app

    if find_app(conn, client_id) is None:
        raise AppError(f"no app with client id {client_id!r} (see `medisynth apps list`)")


def allow_fault_header(db: str | Path, client_id: str, allow: bool) -> str:
    """Allow (or forbid) the app's requests to ask for a fault with the X-Medisynth-Fault header."""
    from sandbox.app import open_store

    with open_store(db).write() as conn:
        _existing_app(conn, client_id)
        conn.execute("DELETE FROM app_fault_header WHERE client_id = ?", (client_id,))
        if allow:
            conn.execute("INSERT INTO app_fault_header (client_id) VALUES (?)", (client_id,))
    return f"App {client_id}: the {HEADER} header is {'allowed' if allow else 'off'}."


def set_app_fault(db: str | Path, client_id: str, spec: str | None, times: int | None = None) -> str:
    """Store (or with `spec` None, clear) an app's fault; returns a one-line summary."""
    from sandbox.app import open_store

    if spec is not None:
        parse_fault(spec)
    if times is not None and times < 1:
        raise FaultError("--times must be at least 1")
    with open_store(db).write() as conn:
        _existing_app(conn, client_id)
        conn.execute("DELETE FROM app_fault WHERE client_id = ?", (client_id,))
        if spec is not None:
            conn.execute("INSERT INTO app_fault (client_id, spec, remaining) VALUES (?, ?, ?)",
                         (client_id, spec.strip().lower(), times))
    if spec is None:
        return f"App {client_id}: no simulated fault."
    when = f"its next {times} FHIR request{'s' if times != 1 else ''}" if times else "every FHIR request"
    return f"App {client_id}: fault {spec.strip().lower()!r} on {when}."
