"""Simulated failures for client resilience testing, on FHIR data routes only, off unless asked for.

A fault is asked for per request (header `X-Medisynth-Fault: 503`) or per app (a stored setting, made
with `medisynth apps fault CLIENT_ID SPEC [--times K]`), so it never touches other apps. Specs:

  429                      throttled, with `Retry-After` (seconds, `429;retry-after=N`, default 1)
  500 | 502 | 503 | 504    a server error (the official SDKs retry these)
  latency=MS               answer normally after MS milliseconds (at most 30,000)
  expired-grant            BB2's 401 for a beneficiary grant that has timed out
  revoked-token            BB2's 401 for a revoked or unknown access token
  truncated-page           the body cut off halfway (invalid JSON), as a dropped connection leaves it

An app's fault fires on its next K FHIR requests (`--times K`, then it clears itself) or on every
request (no `--times`). The request header wins over the app's setting.
"""
from __future__ import annotations

import re
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from flask import g, request

from sandbox.api_errors import NOT_AUTHENTICATED, ApiError
from sandbox.auth.context import ACCESS_TIMED_OUT
from sandbox.auth.schema import open_auth_db, request_db
from sandbox.errors import SandboxError

HEADER = "X-Medisynth-Fault"
MAX_LATENCY_MS = 30_000
SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                 504: "Gateway Timeout"}
THROTTLED = "Request was throttled. Expected available in {} second{}."
_SPEC = re.compile(r"^(?:(?P<status>429|500|502|503|504)(?:;retry-after=(?P<retry>\d{1,4}))?"
                   r"|latency=(?P<latency>\d{1,5})|(?P<named>expired-grant|revoked-token|truncated-page))$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS app_fault (
    client_id TEXT PRIMARY KEY,
    spec      TEXT NOT NULL,
    remaining INTEGER                       -- NULL: every request; else this many more, then cleared
);
"""


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


def _take_app_fault(conn: sqlite3.Connection, client_id: str) -> str | None:
    """The app's stored fault spec, counting this request against its remaining uses (atomically).
    Apps without a fault cost one indexed read, never a write."""
    if conn.execute("SELECT 1 FROM app_fault WHERE client_id = ?", (client_id,)).fetchone() is None:
        return None
    with conn:
        row = conn.execute("UPDATE app_fault SET remaining = remaining - 1 WHERE client_id = ? AND remaining > 0"
                           " RETURNING spec, remaining", (client_id,)).fetchone()
        if row is None:
            row = conn.execute("SELECT spec, remaining FROM app_fault WHERE client_id = ? AND remaining IS NULL",
                               (client_id,)).fetchone()
        conn.execute("DELETE FROM app_fault WHERE client_id = ? AND remaining = 0", (client_id,))
    return row["spec"] if row else None


def apply_faults(client_id: str) -> None:
    """Run the request's (or else the app's) fault: raise its error, sleep, or mark the body for truncation."""
    spec = request.headers.get(HEADER) or _take_app_fault(request_db(), client_id)
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
        time.sleep(fault.value / 1000)
    elif fault.kind == "expired-grant":
        raise ApiError(401, ACCESS_TIMED_OUT)
    elif fault.kind == "revoked-token":
        raise ApiError(401, NOT_AUTHENTICATED, headers={"WWW-Authenticate": 'Bearer realm="api"'})
    else:
        g.truncate_page = True


def init_app(app) -> None:
    """Create the app_fault table in the store at startup (requests then only read and update it)."""
    with closing(open_auth_db(app.config["DB_PATH"])) as conn:
        conn.executescript(SCHEMA)


def finish_body(body: bytes) -> bytes:
    """The response body, cut off halfway when the request's fault is `truncated-page`."""
    return body[: len(body) // 2] if g.get("truncate_page") else body


def set_app_fault(db: str | Path, client_id: str, spec: str | None, times: int | None = None) -> str:
    """Store (or with `spec` None, clear) an app's fault; returns a one-line summary."""
    from sandbox.auth.apps import AppError, find_app

    if spec is not None:
        parse_fault(spec)
    if times is not None and times < 1:
        raise FaultError("--times must be at least 1")
    with closing(open_auth_db(db)) as conn:
        conn.executescript(SCHEMA)
        if find_app(conn, client_id) is None:
            raise AppError(f"no app with client id {client_id!r} (see `medisynth apps list`)")
        with conn:
            conn.execute("DELETE FROM app_fault WHERE client_id = ?", (client_id,))
            if spec is not None:
                conn.execute("INSERT INTO app_fault (client_id, spec, remaining) VALUES (?, ?, ?)",
                             (client_id, spec.strip().lower(), times))
    if spec is None:
        return f"App {client_id}: no simulated fault."
    when = f"its next {times} FHIR request{'s' if times != 1 else ''}" if times else "every FHIR request"
    return f"App {client_id}: fault {spec.strip().lower()!r} on {when}."
