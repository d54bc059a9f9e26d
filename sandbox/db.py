"""The one owner of the sandbox store's SQLite file: every connection, the schema and its migrations.

`Database(path)` hands each thread two long-lived connections: `read()`, read-only (FHIR reads, pages,
lookups), and the writer behind `write()`, a context manager around one short write transaction (BEGIN
IMMEDIATE with a busy timeout, retried while another process holds the lock). Nothing is written any other
way. `snapshot()` is one consistent read transaction on the read-only connection (an export's rows).
Every connection has the SQL function `resource_json` (sandbox.codec) that decodes the stored resources.

The schema is a registry: each part of the app adds its numbered migrations (`database.schema.add(...)`
in its `init_app`), and `create()` makes the file (owner-only, 0600) and applies the migrations above the
file's `PRAGMA user_version`, each in its own transaction. Only `medisynth serve` and the CLI create or
migrate a store; the app's connections never create a file (a deleted store stays deleted).

`problem()` says what is wrong with the store now (deleted, replaced by another file, read-only, an old
schema): /health reports it and `guard()` turns every request away with a JSON 503 instead of serving
from a different file than the one the server started with.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator
from urllib.request import pathname2url

from sandbox import codec
from sandbox.errors import StoreError

log = logging.getLogger("medisynth.store")

PAGE_BYTES = 65536            # new files only: most resources fit one page, no overflow chains
MMAP_BYTES = 1 << 30          # serve blobs from the page cache without read() copies
BUSY_MS = 5000                # how long one attempt at the write lock waits
WRITE_ATTEMPTS = 3            # attempts before a request gives up with 503 (a load waits longer)
FILE_MODE = 0o600


class StoreUnavailable(StoreError):
    """The store cannot serve this request now (deleted, replaced, read-only, locked): an HTTP 503."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the store's schema: `version` is global (the file's user_version after it)."""
    version: int
    component: str
    sql: str


class Schema:
    """The registry of migrations that the app's parts add to; versions are numbered 1, 2, 3 … across parts."""

    def __init__(self):
        self._migrations: dict[int, Migration] = {}

    def add(self, *migrations: Migration) -> None:
        for m in migrations:
            if m.version in self._migrations and self._migrations[m.version] != m:
                raise ValueError(f"schema version {m.version} claimed by {self._migrations[m.version].component} "
                                 f"and {m.component}")
            self._migrations[m.version] = m

    @property
    def version(self) -> int:
        return max(self._migrations, default=0)

    def pending(self, current: int) -> list[Migration]:
        missing = [v for v in range(1, self.version + 1) if v not in self._migrations]
        if missing:
            raise ValueError(f"schema versions {missing} are not registered")
        return [self._migrations[v] for v in range(current + 1, self.version + 1)]


def _configure(conn: sqlite3.Connection) -> sqlite3.Connection:
    conn.row_factory = sqlite3.Row
    codec.register(conn)
    conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    return conn


class Database:
    """The store at `path`: per-thread connections, the one write path, the schema and its health."""

    def __init__(self, path: str | Path, identity: tuple[int, int] | None = None):
        self.path = Path(path)
        self.schema = Schema()
        self._identity = identity
        self._local = threading.local()
        self._pid = os.getpid()

    # --- connections ------------------------------------------------------------------------------

    def _connections(self) -> dict:
        if self._pid != os.getpid():  # forked: never share a parent's connections
            self._local, self._pid = threading.local(), os.getpid()
        return self._local.__dict__

    def _open(self, mode: str) -> sqlite3.Connection:
        if not self.path.exists():
            raise StoreUnavailable(f"{self.path}: the sandbox store does not exist (it was deleted?); "
                                   "restart `medisynth serve` to create a new one")
        uri = f"file:{pathname2url(str(self.path.resolve()))}?mode={mode}"
        try:
            conn = _configure(sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False))
            if mode == "ro":
                conn.execute("PRAGMA query_only=ON")
            else:
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute("PRAGMA secure_delete=FAST")  # a shown-once secret's deleted row is zeroed
        except sqlite3.Error as e:
            raise StoreUnavailable(f"{self.path}: cannot open the sandbox store ({e})") from None
        if self._identity is None:
            self._identity = self._stat_identity()
        return conn

    def read(self) -> sqlite3.Connection:
        """This thread's read-only connection (statements run in autocommit: each one sees the latest commit)."""
        conns = self._connections()
        if "ro" not in conns:
            conns["ro"] = self._open("ro")
        return conns["ro"]

    def _writer(self) -> sqlite3.Connection:
        conns = self._connections()
        if "rw" not in conns:
            if problem := self._write_problem():  # SQLite would silently open it read-only, for good
                raise StoreUnavailable(f"{self.path}: {problem}")
            conns["rw"] = self._open("rw")
        return conns["rw"]

    @contextlib.contextmanager
    def write(self, attempts: int = WRITE_ATTEMPTS) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back on any error. Nested blocks join
        the outer one. Waits for the write lock `attempts` × BUSY_MS, then raises StoreUnavailable."""
        conn = self._writer()
        if conn.in_transaction:
            yield conn
            return
        self._begin(conn, attempts)
        try:
            yield conn
            conn.execute("COMMIT")
        except sqlite3.OperationalError as e:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if "readonly" not in str(e):
                raise
            self._drop_writer()  # opened while the file was read-only: SQLite keeps such a connection read-only
            raise StoreUnavailable(f"{self.path}: the store is read-only ({e})") from None
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    def _drop_writer(self) -> None:
        conn = self._connections().pop("rw", None)
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def _begin(self, conn: sqlite3.Connection, attempts: int) -> None:
        if problem := self._write_problem():
            raise StoreUnavailable(f"{self.path}: {problem}")
        for attempt in range(attempts):
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise StoreUnavailable(f"{self.path}: cannot write ({e})") from None
                log.warning("store busy (attempt %d of %d): %s", attempt + 1, attempts, e)
                time.sleep(0.05 * (attempt + 1))
        raise StoreUnavailable(f"{self.path}: the store stayed locked by another writer; try again")

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read transaction on the read-only connection: every statement in the block sees the same data."""
        conn = self.read()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def connection(self) -> sqlite3.Connection:
        """A new standalone read-write connection for a tool or a test (the caller closes it; Python's default
        transaction handling, so `with conn:` commits)."""
        return _configure(sqlite3.connect(self.path, timeout=BUSY_MS / 1000, check_same_thread=False))

    def checkpoint(self) -> None:
        """Move committed pages from the WAL into the main file (after a load); a busy reader just defers it."""
        with contextlib.suppress(sqlite3.OperationalError):
            self._writer().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close this thread's connections (a CLI command is done, or before a fork)."""
        for conn in self._connections().values():
            conn.close()
        self._connections().clear()

    # --- creation and migration -------------------------------------------------------------------

    def create(self, wait_attempts: int = 12) -> Database:
        """Make the file if needed (0600, WAL) and apply the pending migrations; returns self."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
            conn = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)
            codec.register(conn)  # migrations may define columns computed by it
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"{self.path}: cannot open the sandbox store ({e})") from None
        try:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current == 0:
                conn.execute(f"PRAGMA page_size={PAGE_BYTES}")
            conn.execute("PRAGMA journal_mode=WAL")
            if current > self.schema.version:
                raise StoreError(f"{self.path} was made by a newer medisynth (schema {current}, this one knows "
                                 f"{self.schema.version}): upgrade medisynth or use another --db")
            for m in self.schema.pending(current):
                self._migrate(conn, m, wait_attempts)
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: not a sandbox store ({e})") from None
        finally:
            conn.close()
        self._identity = self._stat_identity()
        return self

    def _migrate(self, conn: sqlite3.Connection, m: Migration, wait_attempts: int) -> None:
        for _ in range(wait_attempts):
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as e:
                if "locked" not in str(e):
                    raise
        else:
            raise StoreError(f"{self.path}: locked by another process; cannot update its schema")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] >= m.version:  # another process did it
                conn.execute("ROLLBACK")
                return
            for statement in _statements(m.sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={m.version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    # --- health -----------------------------------------------------------------------------------

    def _stat_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    @property
    def identity(self) -> tuple[int, int] | None:
        """(device, inode) of the file this server opened."""
        return self._identity

    def _moved(self) -> str | None:
        current = self._stat_identity()
        if current is None:
            if self._identity is None:
                return "the store file does not exist (`medisynth serve` or `medisynth load` creates it)"
            return "the store file was deleted while the server ran"
        if self._identity is not None and current != self._identity:
            return "the store file was replaced by another file while the server ran"
        return None

    def _write_problem(self) -> str | None:
        if moved := self._moved():
            return moved
        # Never open and close the file here: closing any descriptor drops this process's POSIX locks on it,
        # SQLite's included. access(2) also sees an immutable file (chattr +i) as unwritable, even for root.
        try:
            if os.statvfs(self.path.parent).f_flag & os.ST_RDONLY:
                return "the store's file system is read-only"
        except OSError as e:
            return f"the store's directory cannot be read ({e.strerror})"
        if not os.access(self.path, os.W_OK):
            return "the store file is read-only"
        return None

    def guard(self) -> None:
        """Raise StoreUnavailable when the file is no longer the one the server opened (one stat call per
        request: a store deleted or replaced is never served from the old file meanwhile)."""
        if moved := self._moved():
            raise StoreUnavailable(f"{self.path}: {moved}; restart `medisynth serve`")

    def problem(self) -> str | None:
        """What stops the store serving and storing now, or None: checked by reading and by testing writability."""
        if trouble := self._write_problem():
            return trouble
        try:
            version = self.read().execute("PRAGMA user_version").fetchone()[0]
        except (sqlite3.Error, StoreError) as e:
            return f"the store cannot be read ({e})"
        if version != self.schema.version:
            return f"the store's schema is version {version}, this server needs {self.schema.version}"
        return None


def _statements(sql: str) -> Iterator[str]:
    """The statements of a migration script (split where sqlite3 says a statement is complete)."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {buffer.strip()[:80]}")


def database() -> Database:
    """The store of the app serving the current request."""
    from flask import current_app

    return current_app.extensions["medisynth_db"]
