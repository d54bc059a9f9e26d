"""Test logins: every loaded beneficiary is `BBUser#####` / `PW#####!`, numbered in patient order (BB2's convention)."""
from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from sandbox.store import patient_by_ordinal, patients_in_login_order

USERNAME = re.compile(r"BBUser(\d{5})")


def username(ordinal: int) -> str:
    return f"BBUser{ordinal:05d}"


def password(ordinal: int) -> str:
    return f"PW{ordinal:05d}!"


def display_name(row: sqlite3.Row) -> str:
    return " ".join(part for part in (row["given"], row["family"]) if part)


def find_login(conn: sqlite3.Connection, user: str, secret: str) -> sqlite3.Row | None:
    """The patient row behind a correct username and password, else None."""
    match = USERNAME.fullmatch(user.strip())
    if not match or secret != password(int(match.group(1))):
        return None
    return patient_by_ordinal(conn, int(match.group(1)))


def list_users(conn: sqlite3.Connection, limit: int) -> list[dict]:
    rows = patients_in_login_order(conn, limit)
    return [{"username": username(r["ordinal"]), "password": password(r["ordinal"]), "patient_id": r["id"],
             "name": display_name(r)} for r in rows]


def users_cli(db: str | Path, *, limit: int = 20, as_json: bool = False) -> str:
    from sandbox.app import open_store

    users = list_users(open_store(db).read(), limit)
    if as_json:
        return json.dumps(users, indent=2)
    if not users:
        return "No beneficiaries loaded: run `medisynth load DIR` (or `medisynth serve`) first."
    return "\n".join(f"{u['username']}  {u['password']}  {u['patient_id']:>18}  {u['name']}" for u in users)
