"""Salvage a damaged results store: keep every readable record, move the damaged file aside.

``repair_store(path)`` reads what it can from ``path`` row by row (a row that cannot be read,
fails its checksum or does not decode as a record is dropped), writes the kept runs and records
into a fresh store, moves the damaged file (and its ``-wal``/``-shm`` companions) to
``<name>.damaged-<UTC time>`` and puts the fresh store in its place. The next ``bench run``
re-runs exactly the cells whose records were lost (resuming the latest run).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.core.run_ids import timestamp_id
from bench.results import store_schema as schema
from bench.results.record import Record

_SCAN_LIMIT = 1_000_000
_GIVE_UP = 2_000  # unknown extent: stop after this many rowids in a row that give nothing


@dataclass
class RepairResult:
    kept_records: int = 0
    lost_records: int = 0
    kept_runs: int = 0
    moved_to: Path | None = None
    lost_unknown: bool = False  # the records table's extent was unreadable: more may be lost
    problems: list[str] = field(default_factory=list)


def _readable_rows(db: sqlite3.Connection, table: str, columns: str) -> tuple[list[tuple], int | None]:
    """Rows of ``table`` that SQLite can read, probing rowid by rowid when a full scan fails; and
    how many rowids could not be read (``None``: unknown, the table's extent is unreadable)."""
    try:
        return db.execute(f"SELECT {columns} FROM {table}").fetchall(), 0
    except sqlite3.DatabaseError:
        pass
    try:
        top = db.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
    except sqlite3.DatabaseError:
        top = None
    rows, lost, streak = [], 0, 0
    for rowid in range(1, (top if top is not None else _SCAN_LIMIT) + 1):
        try:
            row = db.execute(f"SELECT {columns} FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            row, lost = None, lost + 1
        streak = 0 if row else streak + 1
        if row:
            rows.append(row)
        if top is None and streak > _GIVE_UP:
            break
    return rows, (lost if top is not None else None)


def _valid(row: dict[str, Any]) -> bool:
    try:
        if (
            row.get("checksum")
            and schema.row_checksum(row["key"], row["status"], row["body"]) != row["checksum"]
        ):
            return False
        record = Record.from_dict(json.loads(row["body"]))
    except (TypeError, ValueError, KeyError):
        return False
    return record.key == row["key"] and record.status == row["status"]


def _padded_copy(path: Path) -> Path | None:
    """A copy of a truncated database file padded with zero bytes to the size its header states
    (SQLite refuses a file shorter than its header's page count), or ``None`` when it is not short."""
    head = path.read_bytes()[:100]
    if len(head) < 100 or not head.startswith(b"SQLite format 3\0"):
        return None
    page = int.from_bytes(head[16:18], "big")
    page = 65536 if page == 1 else page
    wanted = page * int.from_bytes(head[28:32], "big")
    if wanted <= path.stat().st_size:
        return None
    copy = path.with_name(path.name + ".padded")
    shutil.copyfile(path, copy)
    with open(copy, "r+b") as fh:
        fh.truncate(wanted)
    return copy


def _open_tables(path: Path) -> tuple[sqlite3.Connection, set[str]]:
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return db, schema.table_names(db)
    except sqlite3.DatabaseError:
        db.close()
        raise


def _salvage(path: Path, result: RepairResult) -> tuple[list[schema.RunRow], list[dict[str, Any]]]:
    padded = None
    try:
        db, tables = _open_tables(path)
    except sqlite3.DatabaseError as exc:
        padded = _padded_copy(path)
        if padded is None:
            result.problems.append(f"not readable as a database ({exc})")
            return [], []
        result.problems.append("file truncated: read with its missing pages as zeros")
        try:
            db, tables = _open_tables(padded)
        except sqlite3.DatabaseError as exc2:
            padded.unlink(missing_ok=True)
            result.problems.append(f"not readable as a database ({exc2})")
            return [], []
    try:
        if "meta" not in tables:
            try:
                runs, records = schema.v1_rows(db)
            except sqlite3.DatabaseError as exc:  # v1 and damaged: keep nothing rather than guess
                result.problems.append(f"previous-schema store not readable ({exc})")
                return [], []
        else:
            run_rows, lost_runs = _readable_rows(db, "runs", ", ".join(schema.RUN_COLUMNS))
            rows, lost = _readable_rows(db, "records", ", ".join(schema.RECORD_COLUMNS))
            result.lost_records = lost or 0
            result.lost_unknown = lost is None
            if lost_runs:
                result.problems.append(f"{lost_runs} run rows unreadable")
            runs = [schema.RunRow(*r) for r in run_rows]
            records = [dict(zip(schema.RECORD_COLUMNS, r, strict=True)) for r in rows]
    finally:
        db.close()
        if padded is not None:
            padded.unlink(missing_ok=True)
    unreadable = result.lost_records or result.lost_unknown
    good = [r for r in records if _valid(r)]
    damaged_runs = {r["run_id"] for r in records if not _valid(r)}
    result.lost_records += len(records) - len(good)
    # A run that lost records is no longer complete (compare must not take it as a baseline);
    # rows that could not be read at all cannot be attributed, so then every run is marked.
    runs = [
        schema.RunRow(r.run_id, r.started, r.policy, "incomplete", r.provenance, r.summary)
        if unreadable or r.run_id in damaged_runs
        else r
        for r in runs
    ]
    return runs, good


def damage(path: Path) -> str | None:
    """Why the store at ``path`` needs repair (its ``DamagedStore`` message), or ``None`` when it
    opens, passes SQLite's check and every record row passes its checksum and decodes. A file that
    is no results store of a known schema raises ``UserError``: repair would not know its rows."""
    from bench.results.store import DamagedStore, ResultsStore

    try:
        store = ResultsStore(path, read_only=True)
    except DamagedStore as exc:
        return str(exc)
    try:
        for run in store.run_list():
            store.get(run_id=run.run_id)  # every row's checksum checked and its record decoded
        store.get()
    except DamagedStore as exc:
        return str(exc)
    except sqlite3.DatabaseError as exc:
        return f"{path}: {exc}"
    finally:
        store.close()
    return None


def repair_store(path: Path) -> RepairResult:
    """Rebuild ``path`` from its readable rows (see the module docstring)."""
    result = RepairResult()
    runs, records = _salvage(path, result)
    known = {r.run_id for r in runs}
    runs += [
        schema.RunRow(r["run_id"], r["written"], "resume", "incomplete")
        for r in records
        if r["run_id"] not in known
    ]
    fresh = path.with_name(path.name + ".repairing")
    for p in (fresh, Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):
        p.unlink(missing_ok=True)
    db = sqlite3.connect(fresh)
    with db:
        schema.create(db)
        schema.insert_runs(db, sorted({r.run_id: r for r in runs}.values(), key=lambda r: r.started))
        schema.insert_records(db, records)
    db.close()
    stamp = timestamp_id()
    result.moved_to = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("-wal", "-shm", ""):
        src = Path(f"{path}{suffix}")
        if src.exists():
            os.replace(src, Path(f"{result.moved_to}{suffix}"))
    os.replace(fresh, path)
    result.kept_records, result.kept_runs = len(records), len({r.run_id for r in runs})
    return result
