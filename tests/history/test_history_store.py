"""Results store schema 2: a schema-1 store is migrated with its records intact; damage is detected
(integrity check, per-row checksum and decode) with one line naming the file; ``repair`` keeps every
readable record and the next run re-runs only what was lost; read-only opens never write."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bench.core.errors import UserError
from bench.results.record import Record
from bench.results.repair import repair_store
from bench.results.store import DamagedStore, ResultsStore
from bench.results.store_schema import STORE_SCHEMA_VERSION
from tests.history.conftest import run_cli

# The schema of the results store at main's commit 5cb75c8 (store schema 1), verbatim.
V1_SCHEMA = """
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


def _record(key: str, status: str = "ok", acc: float = 0.5) -> Record:
    return Record(key=key, status=status, dataset="d", head="classical", n_qubits=2, n_layers=None,
                  backend=None, seed=0, metrics={"test_accuracy": acc}, provenance={"cpu": "x"})  # fmt: skip


def _v1_store(path):
    """A schema-1 store as main wrote it: run A computed a and b, run B (a resume) recomputed b, added c."""
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    rows = [
        ("a", "A", "2026-01-01T00:00:01"),
        ("b", "B", "2026-01-02T00:00:01"),
        ("c", "B", "2026-01-02T00:00:02"),
    ]
    for key, run, written in rows:
        body = json.dumps(_record(key).to_dict())
        db.execute("INSERT INTO records VALUES (?, 'ok', ?, ?, 1, ?)", (key, run, written, body))
    for run, started in (("A", "2026-01-01T00:00:00"), ("B", "2026-01-02T00:00:00")):
        summary = {"run_id": run, "provenance": {"git_sha": run.lower(), "cpu": "x"}}
        db.execute("INSERT INTO runs VALUES (?, ?, ?)", (run, started, json.dumps(summary)))
    db.commit()
    db.close()


def test_a_schema_1_store_is_migrated_with_its_records(tmp_path):
    path = tmp_path / "results.sqlite"
    _v1_store(path)
    readonly = ResultsStore(path, read_only=True)  # read-only: upgraded in memory, file untouched
    assert readonly.status_of() == {"a": "ok", "b": "ok", "c": "ok"}
    readonly.close()
    assert "meta" not in {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    store = ResultsStore(path)
    assert [(r.run_id, r.state) for r in store.run_list()] == [("A", "complete"), ("B", "complete")]
    assert store.get(["a", "b", "c"]) == [_record("a"), _record("b"), _record("c")]  # records unchanged
    assert store.origins("B") == {"a": "A", "b": "B", "c": "B"}  # the latest run holds the full state
    assert store.status_of("A") == {"a": "ok"}
    assert store.run("B").provenance == {"git_sha": "b", "cpu": "x"}
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta").fetchone() == (str(STORE_SCHEMA_VERSION),)


def test_read_only_open_never_writes(tmp_path):
    path = tmp_path / "results.sqlite"
    store = ResultsStore(path)
    store.put(_record("a"), "r1")
    store.close()
    readonly = ResultsStore(path, read_only=True)
    assert readonly.status_of() == {"a": "ok"}
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        readonly.put(_record("b"), "r1")
    with pytest.raises(UserError, match="no results store here"):
        ResultsStore(tmp_path / "missing.sqlite", read_only=True)


def _corrupt_body(path, key: str, run_id: str = "r1") -> None:
    """Flip bytes inside one record's stored body, leaving the database structure intact."""
    db = sqlite3.connect(path)
    where = "WHERE key = ? AND run_id = ?"
    body = db.execute(f"SELECT body FROM records {where}", (key, run_id)).fetchone()[0]
    db.execute(
        f"UPDATE records SET body = ? {where}", (body.replace('"status"', '"st\\u0000tus"'), key, run_id)
    )
    db.commit()
    db.close()


def test_damaged_row_is_detected_and_repair_keeps_the_readable_records(tmp_path):
    path = tmp_path / "results.sqlite"
    store = ResultsStore(path, hint="python -m bench repair suite.yaml")
    for key in "abc":
        store.put(_record(key), "r1")
    store.close()
    _corrupt_body(path, "b")
    store = ResultsStore(path, hint="python -m bench repair suite.yaml")
    with pytest.raises(DamagedStore) as err:
        store.status_of()
    message = str(err.value)
    assert message.startswith(f"{path}: results store is damaged (record b: checksum mismatch)")
    assert "`python -m bench repair suite.yaml`" in message and "\n" not in message
    store.close()
    result = repair_store(path)
    assert (result.kept_records, result.lost_records) == (2, 1)
    assert result.moved_to.exists() and result.moved_to.name.startswith("results.sqlite.damaged-")
    repaired = ResultsStore(path)
    assert repaired.status_of() == {"a": "ok", "c": "ok"}
    assert repaired.run_list()[0].state == "incomplete"


def test_garbage_file_is_a_one_line_error_and_repair_moves_it_aside(tmp_path):
    path = tmp_path / "results.sqlite"
    path.write_bytes(b"this is not a database" * 300)
    for read_only in (False, True):
        with pytest.raises(DamagedStore, match="results store is damaged"):
            ResultsStore(path, read_only=read_only)
    result = repair_store(path)
    assert result.kept_records == 0 and result.moved_to.read_bytes().startswith(b"this is not")
    assert ResultsStore(path).status_of() == {}


def test_cli_detects_damage_and_the_next_run_reruns_only_what_was_lost(two_runs, capsys):
    path = two_runs.store_path
    latest = two_runs.store().run_list()[-1].run_id
    query = "SELECT key FROM records WHERE run_id = ? ORDER BY key"
    lost = sqlite3.connect(path).execute(query, (latest,)).fetchone()[0]
    _corrupt_body(path, lost, latest)
    for command in ("plan", "report", "runs", "compare"):
        assert two_runs.cli(command) == 2
        err = capsys.readouterr().err
        assert (
            err.startswith(f"error: {path}: results store is damaged (record {lost}") and err.count("\n") == 1
        )
        assert f"python -m bench repair {two_runs.suite}" in err
    assert two_runs.cli("repair") == 0
    assert "kept 7 records of 2 runs, lost 1" in capsys.readouterr().out
    assert run_cli(two_runs.suite, two_runs.root, "--no-report", "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["run_id"], doc["cells_run_now"], doc["cells_reused"], doc["cells_ok"]) == (latest, 1, 3, 4)
    assert two_runs.store().run(latest).state == "complete"


def test_an_unusable_path_is_a_one_line_error_not_damage(tmp_path):
    (tmp_path / "results.sqlite").mkdir()
    with pytest.raises(UserError, match="cannot use the results store") as err:
        ResultsStore(tmp_path / "results.sqlite")
    assert not isinstance(err.value, DamagedStore)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="cannot use the results store"):
        ResultsStore(tmp_path / "file" / "results.sqlite")


def test_truncated_store_keeps_its_runs_and_the_next_run_recomputes(tmp_path):
    path = tmp_path / "results.sqlite"
    store = ResultsStore(path)
    big = "x" * 20_000  # records spill into overflow pages beyond the cut
    for key in "abcdef":
        record = _record(key)
        record.error = big
        store.put(record, "r1")
    store.close()
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(size // 2)
    with pytest.raises(DamagedStore):
        ResultsStore(path).status_of()
    result = repair_store(path)
    assert result.kept_runs == 1 and result.kept_records < 6
    repaired = ResultsStore(path)
    assert set(repaired.status_of()) <= set("abcdef") and repaired.run("r1").state == "incomplete"
