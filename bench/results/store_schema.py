"""The results store's tables, its schema version, and the upgrade from the previous schema.

Schema 2 (``STORE_SCHEMA_VERSION``) keeps every run: ``runs`` has one row per run (``seq``
orders them), ``records`` one row per (run, cell key). A cell reused from an earlier run is
copied into the new run with ``reused_from`` naming the run that computed it. Every record row
carries ``checksum`` (sha256 of key, status and body), checked whenever the row is read.

Schema 1 (no ``meta`` table) had one row per cell key (the last run that wrote it) and one
``runs`` row per invocation. ``migrate_v1`` turns it into schema 2 in one transaction: every
record stays in the run that wrote it, and the latest run also receives copies of the cells
it had reused, so it holds the full state the old store described. Records are not changed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

STORE_SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL UNIQUE,
    started TEXT NOT NULL,
    policy TEXT NOT NULL DEFAULT 'resume',
    state TEXT NOT NULL DEFAULT 'running',
    provenance TEXT NOT NULL DEFAULT '{}',
    summary TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS records (
    run_id TEXT NOT NULL,
    key TEXT NOT NULL,
    status TEXT NOT NULL,
    written TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    reused_from TEXT,
    checksum TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
"""

RUN_COLUMNS = ("run_id", "started", "policy", "state", "provenance", "summary")
RECORD_COLUMNS = ("run_id", "key", "status", "written", "schema_version", "reused_from", "checksum", "body")


def row_checksum(key: str, status: str, body: str) -> str:
    """The checksum stored with a record row (independent of the run it sits in)."""
    return hashlib.sha256(f"{key}\0{status}\0{body}".encode()).hexdigest()


@dataclass(frozen=True)
class RunRow:
    run_id: str
    started: str
    policy: str = "resume"
    state: str = "running"
    provenance: str = "{}"
    summary: str = "{}"


def table_names(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def schema_version(db: sqlite3.Connection) -> int:
    """2 for a current store, 1 for the previous layout, 0 for an empty file; ``ValueError`` (its
    text says why) for a file that is no results store of any version this code knows: another
    program's tables, a version that is not a number, or one newer than ``STORE_SCHEMA_VERSION``."""
    tables = table_names(db)
    if "meta" in tables:
        row = db.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
        if row is None:
            return STORE_SCHEMA_VERSION
        try:
            version = int(str(row[0]).strip())
        except ValueError:
            raise ValueError(f"its schema_version {str(row[0])[:40]!r} is not a version number") from None
        if version > STORE_SCHEMA_VERSION:
            raise ValueError(
                f"it has schema {version}, newer than this qhead-bench understands "
                f"({STORE_SCHEMA_VERSION}); upgrade qhead-bench"
            )
        if version < 1:
            raise ValueError(f"its schema_version {version} is no version of a results store")
        return version
    if "records" in tables:
        return 1
    if tables:
        shown = ", ".join(sorted(tables)[:5])
        raise ValueError(f"it holds tables of another program ({shown}), not a qhead-bench results store")
    return 0


def create(db: sqlite3.Connection) -> None:
    """Create the schema-2 tables (idempotent) and stamp the version."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute(
        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
        (str(STORE_SCHEMA_VERSION),),
    )


def insert_runs(db: sqlite3.Connection, runs: Iterable[RunRow]) -> None:
    db.executemany(
        f"INSERT OR IGNORE INTO runs ({', '.join(RUN_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
        [(r.run_id, r.started, r.policy, r.state, r.provenance, r.summary) for r in runs],
    )


def insert_records(db: sqlite3.Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Insert record rows given as dicts with ``RECORD_COLUMNS`` (``checksum`` computed when missing)."""
    values = []
    for r in rows:
        checksum = r.get("checksum") or row_checksum(r["key"], r["status"], r["body"])
        values.append((*(r.get(c) for c in RECORD_COLUMNS[:-2]), checksum, r["body"]))
    db.executemany(f"INSERT OR REPLACE INTO records VALUES ({', '.join('?' * len(RECORD_COLUMNS))})", values)


def v1_rows(db: sqlite3.Connection) -> tuple[list[RunRow], list[dict[str, Any]]]:
    """Runs (oldest first) and record rows of a schema-1 store, in schema-2 shape."""
    records = [
        dict(zip(("key", "status", "run_id", "written", "schema_version", "body"), row, strict=True))
        for row in db.execute("SELECT key, status, run_id, written, schema_version, body FROM records")
    ]
    runs: dict[str, RunRow] = {}
    if "runs" in table_names(db):
        for run_id, started, summary in db.execute(
            "SELECT run_id, started, summary FROM runs ORDER BY started"
        ):
            prov = json.dumps(_loads(summary).get("provenance") or {})
            runs[run_id] = RunRow(run_id, started, "resume", "complete", prov, summary)
    for r in sorted(records, key=lambda r: r["written"]):
        if r["run_id"] not in runs:  # a run killed before writing its summary
            runs[r["run_id"]] = RunRow(r["run_id"], r["written"], "resume", "incomplete")
    ordered = sorted(runs.values(), key=lambda r: r.started)
    if ordered:
        latest = ordered[-1].run_id
        own = {r["key"] for r in records if r["run_id"] == latest}
        records += [
            {**r, "run_id": latest, "reused_from": r["run_id"]}
            for r in records
            if r["run_id"] != latest and r["key"] not in own
        ]
    return ordered, records


def migrate_v1(db: sqlite3.Connection) -> None:
    """Upgrade a schema-1 store to schema 2 in place, in one transaction (all or nothing)."""
    runs, records = v1_rows(db)
    with db:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ALTER TABLE records RENAME TO records_v1")
        if "runs" in table_names(db):
            db.execute("ALTER TABLE runs RENAME TO runs_v1")
        create(db)
        insert_runs(db, runs)
        insert_records(db, records)
        db.execute("DROP TABLE records_v1")
        db.execute("DROP TABLE IF EXISTS runs_v1")


def _loads(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
