"""The sandbox store's dataset: every query on the dataset tables, and the loading of a generated dataset.

`load_dataset(directory, db)` replaces the dataset tables (patient, coverage, eob, dataset_info) in one
transaction: a failed or interrupted load leaves the previous dataset untouched, and tables owned by
others (apps, grants, tokens) are never dropped. Each resource's bytes are kept exactly as generated,
so the API serves them without re-serialising; the search indexes cover every filter and the sort, so
counting and paging never touch the large rows. `append_claims` adds the claims of `medisynth advance`
the same way. The dataset files (manifest and NDJSON) are read here and nowhere else in the sandbox.
Connections come from sandbox.db; `connect(path)` opens a standalone one for tools and tests.
"""
from __future__ import annotations

import contextlib
import gzip
import sqlite3
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import orjson

from sandbox.db import Database, Migration, StoreUnavailable
from sandbox.errors import DatasetLoadError, StoreError

BENE_ID_SYSTEM = "https://bluebutton.cms.gov/resources/variables/bene_id"
MBI_SYSTEM = "http://hl7.org/fhir/sid/us-mbi"
EOB_TYPE_SYSTEM = "https://bluebutton.cms.gov/resources/codesystem/eob-type"
CLAIM_TYPES = ("carrier", "dme", "hha", "hospice", "inpatient", "outpatient", "pde", "snf")

MIGRATIONS = (Migration(1, "store", """
CREATE TABLE IF NOT EXISTS patient (
    ordinal INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, mbi TEXT, family TEXT, given TEXT,
    birth_date TEXT, sex TEXT, last_updated INTEGER NOT NULL, json BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS patient_mbi ON patient (mbi);
CREATE TABLE IF NOT EXISTS coverage (
    id TEXT PRIMARY KEY, patient_id TEXT NOT NULL, last_updated INTEGER NOT NULL, json BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS coverage_search ON coverage (patient_id, id, last_updated);
CREATE TABLE IF NOT EXISTS eob (
    id TEXT PRIMARY KEY, patient_id TEXT NOT NULL, claim_id TEXT NOT NULL, claim_type TEXT NOT NULL,
    service_start TEXT, service_end TEXT, last_updated INTEGER NOT NULL, json BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS eob_search ON eob (patient_id, claim_id, claim_type, service_end, last_updated);
CREATE TABLE IF NOT EXISTS dataset_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""),)

LOAD_CACHE_KIB = 256 * 1024
LOAD_WRITE_ATTEMPTS = 24  # a load waits up to two minutes for another load or a busy server to let go


def _database(db: str | Path | Database) -> Database:
    if isinstance(db, Database):
        return db
    from sandbox.app import open_store

    return open_store(db)


def connect(db_path: str | Path) -> sqlite3.Connection:
    """A standalone read-write connection to the store at `db_path` (created and migrated if needed), for
    tools and tests; the caller closes it."""
    database = _database(db_path)
    return database.connection()


# --- loading -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Kind:
    """How one resource type is stored: its file name, its table, and the row builder for one resource."""
    resource_type: str
    table: str
    columns: tuple[str, ...]


_PATIENT = _Kind("Patient", "patient", ("ordinal", "id", "mbi", "family", "given", "birth_date", "sex", "last_updated", "json"))
_COVERAGE = _Kind("Coverage", "coverage", ("id", "patient_id", "last_updated", "json"))
_EOB = _Kind("ExplanationOfBenefit", "eob", ("id", "patient_id", "claim_id", "claim_type", "service_start",
                                             "service_end", "last_updated", "json"))
KINDS = (_PATIENT, _COVERAGE, _EOB)


def instant_ms(text: str) -> int:
    """A FHIR instant/dateTime/date (`2023-06-14T14:17:07.293-04:00`, `2023-06-14`) as UTC epoch milliseconds."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp() * 1000)


def _reference_id(reference: dict | None, prefix: str = "Patient/") -> str:
    ref = (reference or {}).get("reference", "")
    if not ref.startswith(prefix):
        raise ValueError(f"reference {ref!r} is not {prefix}<id>")
    return ref[len(prefix):]


def _patient_row(res: dict, raw: bytes, ordinal: int) -> tuple:
    mbis = [i.get("value") for i in res.get("identifier", []) if i.get("system") == MBI_SYSTEM]
    name = (res.get("name") or [{}])[0]
    return (ordinal, res["id"], mbis[0] if mbis else None, name.get("family"), " ".join(name.get("given", [])),
            res.get("birthDate"), res.get("gender"), instant_ms(res["meta"]["lastUpdated"]), raw)


def _coverage_row(res: dict, raw: bytes, _ordinal: int) -> tuple:
    return (res["id"], _reference_id(res.get("beneficiary")), instant_ms(res["meta"]["lastUpdated"]), raw)


def _eob_row(res: dict, raw: bytes, _ordinal: int) -> tuple:
    prefix, sep, claim_id = res["id"].partition("-")
    codes = [c.get("code", "") for c in res.get("type", {}).get("coding", []) if c.get("system") == EOB_TYPE_SYSTEM]
    claim_type = codes[0].lower() if codes else prefix
    if not sep or claim_type not in CLAIM_TYPES:
        raise ValueError(f"ExplanationOfBenefit {res['id']!r} has no known claim type")
    period = res.get("billablePeriod", {})
    return (res["id"], _reference_id(res.get("patient")), claim_id, claim_type, period.get("start"),
            period.get("end"), instant_ms(res["meta"]["lastUpdated"]), raw)


_ROW_BUILDERS = {"Patient": _patient_row, "Coverage": _coverage_row, "ExplanationOfBenefit": _eob_row}


def _dataset_file(directory: Path, resource_type: str) -> Path:
    for name in (f"{resource_type}.ndjson", f"{resource_type}.ndjson.gz"):
        if (directory / name).exists() and not (directory / name).is_dir():  # files, or pipes
            return directory / name
    raise DatasetLoadError(f"{directory} is not a dataset: {resource_type}.ndjson(.gz) is missing")


def _read_manifest(directory: Path) -> dict:
    path = directory / "manifest.json"
    if not directory.is_dir() or not path.is_file():
        raise DatasetLoadError(f"{directory} is not a dataset: no manifest.json (make one with `medisynth generate`)")
    try:
        manifest = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as e:
        raise DatasetLoadError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(manifest, dict):
        raise DatasetLoadError(f"{path}: not a dataset manifest (expected a JSON object)")
    return manifest


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            for lineno, line in enumerate(f, start=1):
                yield lineno, line.rstrip(b"\r\n")
    except (OSError, EOFError, zlib.error) as e:  # gzip: truncated or corrupt stream
        raise DatasetLoadError(f"{path}: cannot be read ({e})") from None


def _rows(kind: _Kind, source: str, lines: Iterator[tuple[int, bytes]], patient_ids: set[str]) -> Iterator[tuple]:
    """Rows for `kind` from NDJSON lines; any bad line raises DatasetLoadError naming its source and line."""
    build = _ROW_BUILDERS[kind.resource_type]
    ordinal = 0
    for lineno, raw in lines:
        if not raw.strip():
            continue
        where = f"{source}, line {lineno}"
        try:
            res = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise DatasetLoadError(f"{where}: not a complete JSON resource (truncated line?)") from None
        rtype = res.get("resourceType") if isinstance(res, dict) else None
        if rtype != kind.resource_type:
            raise DatasetLoadError(f"{where}: unexpected resource type {rtype!r} (this file holds {kind.resource_type})")
        try:
            row = build(res, raw, ordinal)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
            raise DatasetLoadError(f"{where}: {kind.resource_type} is missing or has a bad field ({e})") from None
        if kind is _PATIENT:
            patient_ids.add(row[1])
        elif row[1] not in patient_ids:
            raise DatasetLoadError(f"{where}: {res['id']} refers to Patient/{row[1]}, which is not in the dataset")
        ordinal += 1
        yield row


def _manifest_count(manifest: dict, resource_type: str) -> int | None:
    for entry in manifest.get("output") or []:
        if isinstance(entry, dict) and entry.get("type") == resource_type and isinstance(entry.get("count"), int):
            return entry["count"]
    return None


def load_dataset(directory: str | Path, db: str | Path | Database) -> str:
    """Replace the store's dataset with the one in `directory` (one transaction); returns a one-line summary."""
    directory = Path(directory)
    started = time.perf_counter()
    manifest = _read_manifest(directory)
    files = {kind: _dataset_file(directory, kind.resource_type) for kind in KINDS}
    counts: dict[str, int] = {}
    database = _database(db)
    with _load_transaction(database, f"loading {directory}") as conn:
        for kind in reversed(KINDS):
            conn.execute(f"DELETE FROM {kind.table}")
        patient_ids: set[str] = set()
        for kind in KINDS:
            counts[kind.resource_type] = _insert(conn, kind, str(files[kind]), _lines(files[kind]), patient_ids)
            expected = _manifest_count(manifest, kind.resource_type)
            if expected is not None and expected != counts[kind.resource_type]:
                raise DatasetLoadError(f"{files[kind]}: holds {counts[kind.resource_type]} resources but manifest.json "
                                       f"says {expected} (truncated file?)")
        conn.execute("DELETE FROM dataset_info")
        conn.executemany("INSERT INTO dataset_info (key, value) VALUES (?, ?)", [
            ("directory", str(directory.resolve())),
            ("manifest", orjson.dumps(manifest).decode()),
            ("loaded_at", str(int(time.time() * 1000))),
        ])
    took = time.perf_counter() - started
    return (f"Loaded {counts['Patient']:,} patients, {counts['Coverage']:,} coverages and "
            f"{counts['ExplanationOfBenefit']:,} explanations of benefit from {directory} into {database.path} "
            f"in {took:.1f} s")


@contextlib.contextmanager
def _load_transaction(database: Database, action: str) -> Iterator[sqlite3.Connection]:
    """One long write transaction for a load or an advance, with a big page cache, checkpointed into the main
    file after the commit; a SQLite failure (disk full, locked for minutes, I/O error) becomes a StoreError
    that says the previous dataset is unchanged."""
    try:
        with database.write(attempts=LOAD_WRITE_ATTEMPTS) as conn:
            conn.execute(f"PRAGMA cache_size=-{LOAD_CACHE_KIB}")  # measured 10 s → 6.6 s for 600 MB
            yield conn
    except sqlite3.OperationalError as e:
        raise StoreError(f"{database.path}: {action} failed ({e}); the previous dataset is unchanged") from None
    except StoreUnavailable as e:
        raise StoreError(f"{e}; the previous dataset is unchanged") from None
    database.checkpoint()


def _insert(conn: sqlite3.Connection, kind: _Kind, source: str, lines: Iterator[tuple[int, bytes]],
            patient_ids: set[str]) -> int:
    """Insert `kind` rows from NDJSON lines; returns how many."""
    sql = f"INSERT INTO {kind.table} ({', '.join(kind.columns)}) VALUES ({', '.join('?' * len(kind.columns))})"
    before = conn.total_changes
    try:
        conn.executemany(sql, _rows(kind, source, lines, patient_ids))
    except sqlite3.IntegrityError as e:
        raise DatasetLoadError(f"{source}: duplicate {kind.resource_type} id ({e})") from None
    return conn.total_changes - before


def dataset_info(db: str | Path | Database) -> dict[str, str]:
    """What the store records about its dataset: directory, manifest (JSON), loaded_at (epoch ms), and after
    `medisynth advance` advanced_through (YYYY-MM-DD) and advances (a count)."""
    return dict(_database(db).read().execute("SELECT key, value FROM dataset_info").fetchall())


def append_claims(db: str | Path | Database, lines: Iterator[bytes], info: dict[str, str]) -> int:
    """Add ExplanationOfBenefit NDJSON lines to the loaded dataset and set `info` keys of dataset_info, in one
    transaction (indexed as `load_dataset` does); returns how many were added."""
    database = _database(db)
    with _load_transaction(database, "adding claims") as conn:
        patients = {r[0] for r in conn.execute("SELECT id FROM patient")}
        added = _insert(conn, _EOB, "new claims", enumerate(lines, start=1), patients)
        conn.executemany("INSERT OR REPLACE INTO dataset_info (key, value) VALUES (?, ?)",
                         [*info.items(), ("loaded_at", str(int(time.time() * 1000)))])
    return added


def store_is_empty(db: str | Path | Database) -> bool:
    """True when the store has no dataset loaded (or does not exist yet)."""
    if not isinstance(db, Database) and not Path(db).exists():
        return True
    return _database(db).read().execute("SELECT 1 FROM patient LIMIT 1").fetchone() is None


# --- queries -------------------------------------------------------------------------------------

def patient_by_ordinal(conn: sqlite3.Connection, ordinal: int) -> sqlite3.Row | None:
    """The patient row (ordinal, id, mbi, family, given, birth_date, sex, last_updated, json) at login number `ordinal`."""
    return conn.execute("SELECT * FROM patient WHERE ordinal = ?", (ordinal,)).fetchone()


def patient_ids(conn: sqlite3.Connection, limit: int, offset: int = 0) -> list[str]:
    """Patient ids in login order (BBUser00000 first)."""
    return [r[0] for r in conn.execute("SELECT id FROM patient ORDER BY ordinal LIMIT ? OFFSET ?", (limit, offset))]


def patients_in_login_order(conn: sqlite3.Connection, limit: int | None = None) -> list[sqlite3.Row]:
    """Patient rows (ordinal, id, given, family, birth_date, sex), BBUser00000 first."""
    return conn.execute("SELECT ordinal, id, given, family, birth_date, sex FROM patient ORDER BY ordinal LIMIT ?",
                        (-1 if limit is None else limit,)).fetchall()


def patient_names(conn: sqlite3.Connection, patient_id: str) -> sqlite3.Row | None:
    """(given, family) of one patient, or None."""
    return conn.execute("SELECT given, family FROM patient WHERE id = ?", (patient_id,)).fetchone()


def patient_exists(conn: sqlite3.Connection, patient_id: str) -> bool:
    return conn.execute("SELECT 1 FROM patient WHERE id = ?", (patient_id,)).fetchone() is not None


def loaded_at(conn: sqlite3.Connection) -> str:
    """When the dataset was loaded or last advanced (epoch ms as text; "" for an empty store)."""
    row = conn.execute("SELECT value FROM dataset_info WHERE key = 'loaded_at'").fetchone()
    return row[0] if row else ""


def claim_counts(conn: sqlite3.Connection) -> Iterator[tuple[str, str, int]]:
    """(patient id, claim type, number of claims) for every patient and type that has claims."""
    yield from conn.execute("SELECT patient_id, claim_type, count(*) FROM eob GROUP BY 1, 2")


def medical_claims(conn: sqlite3.Connection) -> Iterator[tuple[str, bytes]]:
    """(patient id, JSON bytes) of every claim but Part D events (the claims that carry diagnoses)."""
    yield from conn.execute("SELECT patient_id, json FROM eob WHERE claim_type != 'pde'")


def _since_clause(since_ms: int | None) -> tuple[str, tuple]:
    return ("WHERE last_updated > ?", (since_ms,)) if since_ms is not None else ("", ())


def export_count(conn: sqlite3.Connection, resource_type: str, since_ms: int | None) -> int:
    """How many resources of a type a bulk export writes (those updated after `since_ms`, if given)."""
    where, args = _since_clause(since_ms)
    return conn.execute(f"SELECT count(*) FROM {TABLES[resource_type]} {where}", args).fetchone()[0]


def export_rows(conn: sqlite3.Connection, resource_type: str, since_ms: int | None) -> Iterator[bytes]:
    """The JSON bytes a bulk export writes for a type, in load order."""
    where, args = _since_clause(since_ms)
    for (raw,) in conn.execute(f"SELECT json FROM {TABLES[resource_type]} {where} ORDER BY rowid", args):
        yield raw


TABLES = {"Patient": "patient", "Coverage": "coverage", "ExplanationOfBenefit": "eob"}
_PATIENT_COLUMN = {"Patient": "id", "Coverage": "patient_id", "ExplanationOfBenefit": "patient_id"}
_ORDER = {"Patient": "id", "Coverage": "id", "ExplanationOfBenefit": "claim_id, claim_type"}


def read_resource(conn: sqlite3.Connection, resource_type: str, resource_id: str) -> tuple[str, bytes] | None:
    """(owning patient id, JSON bytes) of one resource, or None."""
    table = TABLES[resource_type]
    return conn.execute(f"SELECT {_PATIENT_COLUMN[resource_type]}, json FROM {table} WHERE id = ?",
                        (resource_id,)).fetchone()


@dataclass(frozen=True)
class Query:
    """One patient's search: the filters as SQL-ready comparisons, ANDed together.

    `last_updated` holds (operator, epoch ms) pairs, `service_date` (operator, 'YYYY-MM-DD') pairs, with
    operator one of < <= > >=. `claim_types` None means all. `identifiers` restricts Patient searches to
    rows matching any of its (column, value) pairs, column "id" (bene id) or "mbi"; () matches nothing.
    """
    resource_type: str
    patient_id: str
    last_updated: tuple[tuple[str, int], ...] = ()
    service_date: tuple[tuple[str, str], ...] = ()
    claim_types: frozenset[str] | None = None
    identifiers: tuple[tuple[str, str], ...] | None = None


@dataclass(frozen=True)
class Page:
    """One page of matches: `last_updated_ms` is the newest match's lastUpdated or the dataset's load time."""
    total: int
    last_updated_ms: int
    resources: list[bytes]


_OPERATORS = {"<", "<=", ">", ">="}


def _where(q: Query) -> tuple[str, list]:
    clauses, args = [f"{_PATIENT_COLUMN[q.resource_type]} = ?"], [q.patient_id]
    for column, bounds in (("last_updated", q.last_updated), ("service_end", q.service_date)):
        for op, value in bounds:
            assert op in _OPERATORS
            clauses.append(f"{column} {op} ?")
            args.append(value)
    if q.claim_types is not None:
        clauses.append(f"claim_type IN ({', '.join('?' * len(q.claim_types))})")
        args.extend(sorted(q.claim_types))
    if q.identifiers is not None:
        assert all(column in ("id", "mbi") for column, _ in q.identifiers)
        clauses.append(f"({' OR '.join(f'{column} = ?' for column, _ in q.identifiers) or '0'})")
        args.extend(value for _, value in q.identifiers)
    return " AND ".join(clauses), args


def search(conn: sqlite3.Connection, q: Query, offset: int, count: int) -> Page:
    """The total, the newest lastUpdated and one page of JSON bytes for `q`, in BB2's stable order."""
    table = TABLES[q.resource_type]
    where, args = _where(q)
    total, newest, loaded = conn.execute(
        f"SELECT count(*), max(last_updated), (SELECT value FROM dataset_info WHERE key = 'loaded_at') "
        f"FROM {table} WHERE {where}", args).fetchone()
    rows = conn.execute(f"SELECT json FROM {table} WHERE {where} ORDER BY {_ORDER[q.resource_type]} LIMIT ? OFFSET ?",
                        [*args, count, offset]).fetchall() if count and offset < total else []
    return Page(total=total, last_updated_ms=max(newest or 0, int(loaded or 0)), resources=[r[0] for r in rows])
