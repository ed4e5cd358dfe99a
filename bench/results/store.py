"""Durable results store: one SQLite file per suite, every run kept, one committed row per finished cell.

Only the driver process writes. Each ``put`` is its own transaction (WAL journal), so a kill
(SIGKILL included) or Ctrl-C loses at most the cells still in flight, never a committed one.
Commits use ``synchronous=NORMAL``: SQLite documents that in WAL mode a committed transaction is
durable across application crashes whatever the setting, and that with NORMAL the database stays
consistent but the last transactions before an OS crash or power loss may roll back (the WAL is
fsynced at checkpoints, not at every commit). Such a cell is then simply missing, and the next
``bench run`` (a resume) computes it again; ``FULL`` would cost one fsync per cell. Rows carry the
record's schema version; rows of another version are ignored, not misread. The table layout,
its version and the upgrade of a previous-schema store live in ``bench.results.store_schema``.

Damage is detected, never misread: opening runs SQLite's ``quick_check``, and every row read
is checked against its checksum and decoded; either failure raises ``DamagedStore`` (a one-line
``UserError`` naming the file; ``bench.results.repair`` keeps what is readable). ``read_only``
opens never write (``plan``, ``report``, ``runs``, ``compare`` work on a read-only store).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.core.errors import UserError
from bench.core.run_ids import timestamp_id
from bench.core.versions import RECORD_SCHEMA_VERSION
from bench.results import store_schema as schema
from bench.results.record import Record

_LATEST_FIRST = "ORDER BY u.seq"
_CHECKSUM_SQL = "qhead_row_checksum"  # ``store_schema.row_checksum`` as an SQL function (``fields``)


class DamagedStore(UserError):
    """The results store file is damaged (corrupt page, bad checksum, undecodable row)."""

    def __init__(self, path: Path, detail: str, hint: str = ""):
        self.path = path
        repair = hint or "python -m bench repair SUITE.yaml"
        super().__init__(
            f"{path}: results store is damaged ({detail}); `{repair}` keeps every readable "
            "record and moves the damaged file aside"
        )


def durable_connection(path: Path, schema_sql: str) -> sqlite3.Connection:
    """Open (creating folders and tables) an SQLite file in WAL mode with full fsync on commit,
    so every committed transaction survives a kill."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(schema_sql)
    return db


@dataclass(frozen=True)
class RunInfo:
    """One run of a suite as the store knows it (``state``: running, complete or incomplete)."""

    seq: int
    run_id: str
    started: str
    policy: str
    state: str
    provenance: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


class ResultsStore:
    """Records keyed by (run, cell key). ``put`` replaces an earlier record of the same key in the same run.

    A context manager: ``with ResultsStore(path) as store: ...`` closes it at the end.
    Reads without ``run_id`` see, per cell key, the record of the latest run that has one (the
    store's current view, as a resume sees it); with ``run_id``, that run's records only.
    ``hint`` is the repair command named in damage messages.
    """

    def __init__(self, path: str | Path, read_only: bool = False, hint: str = ""):
        self.path = Path(path)
        self.read_only = read_only
        self.hint = hint
        try:
            self._db = self._open_read_only() if read_only else self._open_writable()
            self._check_integrity()
        except ValueError as exc:  # another program's file, or a schema this code does not know
            raise UserError(f"{self.path}: not a results store this qhead-bench can use: {exc}") from None
        except sqlite3.OperationalError as exc:  # cannot open, read-only, I/O error, locked: not damage
            raise UserError(f"{self.path}: cannot use the results store ({exc})") from None
        except sqlite3.DatabaseError as exc:  # corrupt, not a database
            raise DamagedStore(self.path, str(exc), hint) from None
        except OSError as exc:
            raise UserError(f"{self.path}: cannot use the results store ({exc.strerror})") from None

    # ---- opening -------------------------------------------------------------------------
    def _open_writable(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            version = schema.schema_version(db)  # ValueError: not a store this code can use
        except ValueError:
            db.close()  # before anything (the WAL switch) writes to another program's file
            raise
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # see the module docstring
        if version == 1:
            schema.migrate_v1(db)
        else:
            with db:
                schema.create(db)
        return db

    def _open_read_only(self) -> sqlite3.Connection:
        """Open without writing anything; a previous-schema store is upgraded in memory only."""
        if not self.path.is_file():
            raise UserError(f"{self.path}: no results store here")
        uri = self.path.resolve().as_uri()
        try:
            db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30)
            schema.schema_version(db)
        except sqlite3.OperationalError:  # read-only folder: WAL index cannot be created
            db = sqlite3.connect(f"{uri}?immutable=1", uri=True)
        version = schema.schema_version(db)
        if version == 2:
            return db
        memory = sqlite3.connect(":memory:")
        db.backup(memory)
        db.close()
        if version == 1:
            schema.migrate_v1(memory)
        else:  # an empty file: nothing stored yet
            schema.create(memory)
        return memory

    def _check_integrity(self) -> None:
        result = self._db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise DamagedStore(self.path, f"integrity check: {result}", self.hint)

    # ---- rows ----------------------------------------------------------------------------
    def _decode(self, key: str, status: str, checksum: str, body: str) -> Record:
        if schema.row_checksum(key, status, body) != checksum:
            raise DamagedStore(self.path, f"record {key}: checksum mismatch", self.hint)
        try:
            record = Record.from_dict(json.loads(body))
        except (TypeError, ValueError) as exc:
            raise DamagedStore(self.path, f"record {key}: {type(exc).__name__}", self.hint) from None
        if record.key != key or record.status != status:
            raise DamagedStore(self.path, f"record {key}: body does not match its row", self.hint)
        return record

    def _locate(self, run_id: str | None, only_ok: bool = False) -> list[tuple[str, str]]:
        """``(run_id, key)`` of the rows to read: one per key (the latest run holding it), or
        ``run_id``'s. Bodies are not read here (large values live in overflow pages)."""
        where = "r.schema_version = ?" + (" AND r.run_id = ?" if run_id is not None else "")
        where += " AND r.status = 'ok'" if only_ok else ""
        params = (RECORD_SCHEMA_VERSION, run_id) if run_id is not None else (RECORD_SCHEMA_VERSION,)
        sql = (
            f"SELECT r.key, r.run_id FROM records r LEFT JOIN runs u ON u.run_id = r.run_id "
            f"WHERE {where} ORDER BY u.seq, r.written"
        )
        latest: dict[str, str] = {}
        for key, run in self._db.execute(sql, params):
            latest[key] = run
        return [(run, key) for key, run in latest.items()]

    def _rows(self, run_id: str | None, columns: str, only_ok: bool = False) -> list[tuple]:
        """``(key, *columns)`` of the rows ``_locate`` picks, in its order."""
        sql = f"SELECT r.key, {columns} FROM records r WHERE r.run_id = ? AND r.key = ?"
        try:
            return [self._db.execute(sql, loc).fetchone() for loc in self._locate(run_id, only_ok)]
        except sqlite3.DatabaseError as exc:
            raise DamagedStore(self.path, str(exc), self.hint) from None

    def put(self, record: Record, run_id: str, reused_from: str | None = None) -> None:
        """Commit one record durably into ``run_id`` (created as a run when unknown)."""
        body = record_json(record)
        row = {
            "run_id": run_id,
            "key": record.key,
            "status": record.status,
            "written": _now(),
            "schema_version": record.schema_version,
            "reused_from": reused_from,
            "body": body,
        }
        with self._db:
            self._db.execute(
                "INSERT INTO runs (run_id, started) SELECT ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM runs WHERE run_id = ?)",
                (run_id, _now(), run_id),
            )
            schema.insert_records(self._db, [row])

    def reuse(self, key: str, from_run: str, into_run: str) -> None:
        """Copy ``from_run``'s record of ``key`` into ``into_run`` (``reused_from`` names the run that
        computed it); the body is not changed."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO records SELECT ?, key, status, ?, schema_version, "
                "COALESCE(reused_from, run_id), checksum, body FROM records WHERE run_id = ? AND key = ?",
                (into_run, _now(), from_run, key),
            )

    def get(self, keys: list[str] | None = None, run_id: str | None = None) -> list[Record]:
        """Records of the current schema version (see the class docstring for which run);
        only ``keys`` (in that order) when given."""
        rows = self._rows(run_id, "r.status, r.checksum, r.body")
        by_key = {row[0]: self._decode(*row) for row in rows}
        if keys is None:
            return list(by_key.values())
        return [by_key[k] for k in keys if k in by_key]

    def status_of(self, run_id: str | None = None) -> dict[str, str]:
        """``{key: status}`` for every stored record of the current schema version (checked)."""
        rows = self._rows(run_id, "r.status, r.checksum, r.body")
        for key, status, checksum, body in rows:
            if schema.row_checksum(key, status, body) != checksum:
                raise DamagedStore(self.path, f"record {key}: checksum mismatch", self.hint)
        return {row[0]: row[1] for row in rows}

    def origins(self, run_id: str) -> dict[str, str]:
        """``{key: run that computed it}`` for ``run_id``'s records (itself unless reused)."""
        rows = self._rows(run_id, "COALESCE(r.reused_from, r.run_id)")
        return dict(rows)

    def latest_ok(self) -> dict[str, tuple[str, Record]]:
        """Per cell key, ``(run_id, record)`` of the latest run holding an ok record of it."""
        rows = self._rows(None, "r.status, r.checksum, r.body, r.run_id", only_ok=True)
        return {
            key: (run_id, self._decode(key, status, checksum, body))
            for key, status, checksum, body, run_id in rows
        }

    def fields(self, run_id: str, paths: Sequence[str]) -> Iterator[tuple[str, str, tuple[Any, ...]]]:
        """``(key, status, values)`` of each of ``run_id``'s records of the current schema version, in
        the order they were written, one row at a time: ``values`` are the body's JSON values at
        ``paths`` (SQLite JSON paths such as ``$.metrics.test_accuracy``; ``None`` where absent;
        objects and arrays as dicts and lists), extracted inside SQLite in one parse of each body,
        so no body is decoded into a ``Record`` or even leaves SQLite. Each row's checksum is
        checked inside the query (``DamagedStore`` on a mismatch)."""
        wanted = [*paths, *paths[:1]] if len(paths) == 1 else list(paths)  # two or more: a JSON array
        sql = (
            f"SELECT key, status, checksum = {_CHECKSUM_SQL}(key, status, body), "
            f"json_extract(body{', ?' * len(wanted)}) FROM records "
            "WHERE run_id = ? AND schema_version = ? ORDER BY written"
        )
        if not paths:
            sql = sql.replace(", json_extract(body)", ", '[]'")
        try:
            self._db.create_function(_CHECKSUM_SQL, 3, schema.row_checksum, deterministic=True)
            for key, status, ok, values in self._db.execute(sql, (*wanted, run_id, RECORD_SCHEMA_VERSION)):
                if not ok:
                    raise DamagedStore(self.path, f"record {key}: checksum mismatch", self.hint)
                yield key, status, tuple(json.loads(values))[: len(paths)]
        except sqlite3.DatabaseError as exc:  # a malformed body, a damaged page
            raise DamagedStore(self.path, str(exc), self.hint) from None

    def run_stamp(self, run_id: str) -> str:
        """A string that changes whenever a record of ``run_id`` is added or replaced."""
        try:
            count, last = self._db.execute(
                "SELECT COUNT(*), MAX(written) FROM records WHERE run_id = ?", (run_id,)
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise DamagedStore(self.path, str(exc), self.hint) from None
        return f"{count} {last}"

    # ---- runs ----------------------------------------------------------------------------
    def new_run(self, started: datetime, policy: str, provenance: dict[str, Any]) -> str:
        """Register a run and return its id: ``YYYYMMDD-HHMMSS`` of ``started`` (UTC), with ``-2``,
        ``-3``, ... appended when that id is taken, so ids are unique even within one second.
        ``started`` is kept to the microsecond (a new run's cache cut-off, ``bench.history.runs``)."""
        base = timestamp_id(started)
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            taken = {
                r[0] for r in self._db.execute("SELECT run_id FROM runs WHERE run_id LIKE ?", (base + "%",))
            }
            run_id, n = base, 1
            while run_id in taken:
                n += 1
                run_id = f"{base}-{n}"
            self._db.execute(
                "INSERT INTO runs (run_id, started, policy, state, provenance) "
                "VALUES (?, ?, ?, 'running', ?)",
                (run_id, started.isoformat(timespec="microseconds"), policy, json.dumps(provenance)),
            )
        return run_id

    def finish_run(self, run_id: str, state: str, summary: dict[str, Any]) -> None:
        """Record a run's end: ``state`` (complete or incomplete) and its summary."""
        with self._db:
            self._db.execute(
                "UPDATE runs SET state = ?, summary = ? WHERE run_id = ?",
                (state, json.dumps(summary), run_id),
            )

    def put_run(self, run_id: str, started: str, summary: dict[str, Any]) -> None:
        """Store ``summary`` for ``run_id`` (creating the run as complete when unknown)."""
        with self._db:
            self._db.execute("INSERT OR IGNORE INTO runs (run_id, started) VALUES (?, ?)", (run_id, started))
            self._db.execute(
                "UPDATE runs SET state = 'complete', summary = ? WHERE run_id = ?",
                (json.dumps(summary), run_id),
            )

    def meta(self, name: str) -> str | None:
        """A value of the store's ``meta`` table (``None`` when unset)."""
        try:
            row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        except sqlite3.OperationalError:  # an upgraded schema-1 store read in memory has one
            return None
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        """Set a value of the ``meta`` table (writable stores only)."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def run_list(self) -> list[RunInfo]:
        """Every run, oldest first."""
        try:
            rows = self._db.execute(
                "SELECT seq, run_id, started, policy, state, provenance, summary FROM runs ORDER BY seq"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise DamagedStore(self.path, str(exc), self.hint) from None
        out = []
        for seq, run_id, started, policy, state, prov, summary in rows:
            try:
                out.append(
                    RunInfo(seq, run_id, started, policy, state, json.loads(prov), json.loads(summary))
                )
            except ValueError:
                raise DamagedStore(self.path, f"run {run_id}: undecodable summary", self.hint) from None
        return out

    def run(self, run_id: str) -> RunInfo | None:
        return next((r for r in self.run_list() if r.run_id == run_id), None)

    def runs(self) -> list[dict[str, Any]]:
        """Run summaries of finished runs, oldest first."""
        return [r.summary for r in self.run_list() if r.summary]

    def close(self) -> None:
        """Close the connection (committed writes are already durable)."""
        self._db.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def record_json(record: Record) -> str:
    """The stored body of ``record``: the JSON of ``record.to_dict()``, without its deep copy."""
    return json.dumps({f.name: getattr(record, f.name) for f in fields(record)})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
