"""Browser sessions held in the store: the cookie carries only a random id, everything else stays server-side.

What a browser session holds (its CSRF token, the id of its login record, the portal's admission) lives in
the table web_session under the digest of the cookie's id, for `SESSION_SECONDS` after its last change.
Nothing a page shows once (a new client secret) and no login ever rides in the cookie. `rotate()` gives
the session a new id (done at login, so a session id planted in a browser beforehand is worth nothing).
Cookies are HttpOnly, SameSite=Lax, and Secure whenever the server is reached over https.
"""
from __future__ import annotations

import json
import secrets

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from sandbox.auth.schema import digest, now
from sandbox.db import database
from sandbox.hosts import base_url

COOKIE = "medisynth_session"
SESSION_SECONDS = 30 * 60


class StoreSession(CallbackDict, SessionMixin):
    """A session's data; `sid` is None until the session is first saved."""

    def __init__(self, data=None, sid: str | None = None):
        def changed(_):
            self.modified = True
        super().__init__(data or {}, changed)
        self.sid = sid
        self.modified = False
        self.rotated = False

    def rotate(self) -> None:
        """Move the data to a new id (the old one stops working)."""
        self.rotated = True
        self.modified = True


class StoreSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> StoreSession:
        sid = request.cookies.get(COOKIE)
        if sid and len(sid) < 100:
            row = database().read().execute("SELECT data FROM web_session WHERE id_hash = ? AND expires_at > ?",
                                            (digest(sid), now())).fetchone()
            if row:
                return StoreSession(json.loads(row[0]), sid)
        return StoreSession()

    def save_session(self, app: Flask, session: StoreSession, response: Response) -> None:
        if not session.modified:
            return
        with database().write() as conn:
            if session.sid and (session.rotated or not session):
                conn.execute("DELETE FROM web_session WHERE id_hash = ?", (digest(session.sid),))
                if session.rotated:
                    session.sid = None
            if not session:
                if session.sid is None:
                    response.delete_cookie(COOKIE, path="/")
                return
            if session.sid is None:
                session.sid = secrets.token_urlsafe(32)
                conn.execute("DELETE FROM web_session WHERE expires_at <= ?", (now(),))
            conn.execute("INSERT OR REPLACE INTO web_session (id_hash, data, expires_at) VALUES (?, ?, ?)",
                         (digest(session.sid), json.dumps(dict(session)), now() + SESSION_SECONDS))
        response.set_cookie(COOKIE, session.sid, max_age=SESSION_SECONDS, path="/", httponly=True, samesite="Lax",
                            secure=base_url().startswith("https://"))

