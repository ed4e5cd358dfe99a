"""Durable results store: one SQLite file per suite, one committed row per finished cell.

Only the driver process writes. Each ``put`` is its own transaction (WAL journal), so a kill
or Ctrl-C loses at most the cells still in flight, never a committed one. Rows carry the
record's schema version; rows of another version are ignored, not misread.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import RECORD_SCHEMA_VERSION
from bench.results.record import Record

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    key TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    run_id TEXT NOT NULL,
    written TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started TEXT NOT NULL,
    summary TEXT NOT NULL
);
"""


def durable_connection(path: Path, schema: str) -> sqlite3.Connection:
    """Open (creating folders and tables) an SQLite file in WAL mode with full fsync on commit,
    so every committed transaction survives a kill."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(schema)
    return db


class ResultsStore:
    """Records keyed by cell key. ``put`` replaces an earlier record of the same key."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._db = durable_connection(self.path, _SCHEMA)

    def put(self, record: Record, run_id: str) -> None:
        """Commit one record durably."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.key,
                    record.status,
                    run_id,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    record.schema_version,
                    json.dumps(record.to_dict()),
                ),
            )

    def get(self, keys: list[str] | None = None) -> list[Record]:
        """Records of the current schema version; only ``keys`` (in that order) when given."""
        rows = self._db.execute(
            "SELECT key, body FROM records WHERE schema_version = ?", (RECORD_SCHEMA_VERSION,)
        ).fetchall()
        by_key = {key: Record.from_dict(json.loads(body)) for key, body in rows}
        if keys is None:
            return list(by_key.values())
        return [by_key[k] for k in keys if k in by_key]

    def status_of(self) -> dict[str, str]:
        """``{key: status}`` for every stored record of the current schema version."""
        rows = self._db.execute(
            "SELECT key, status FROM records WHERE schema_version = ?", (RECORD_SCHEMA_VERSION,)
        ).fetchall()
        return dict(rows)

    def put_run(self, run_id: str, started: str, summary: dict[str, Any]) -> None:
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?)", (run_id, started, json.dumps(summary))
            )

    def runs(self) -> list[dict[str, Any]]:
        """Run summaries, oldest first."""
        rows = self._db.execute("SELECT summary FROM runs ORDER BY started").fetchall()
        return [json.loads(r[0]) for r in rows]

    def close(self) -> None:
        self._db.close()
