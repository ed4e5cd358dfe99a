"""Results store: durable put/get, replace by key, schema-version filtering."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from bench.results.record import Record
from bench.results.store import ResultsStore, record_json

ROOT = Path(__file__).resolve().parents[1]


def _record(key: str, status: str = "ok") -> Record:
    return Record(
        key=key,
        status=status,
        dataset="d",
        head="classical",
        n_qubits=2,
        n_layers=None,
        backend=None,
        seed=0,
        metrics={"test_accuracy": 0.5},
    )


def test_put_get_roundtrip(tmp_path):
    store = ResultsStore(tmp_path / "r.sqlite")
    store.put(_record("a"), "run1")
    store.put(_record("b", "failed"), "run1")
    assert store.status_of() == {"a": "ok", "b": "failed"}
    assert [r.key for r in store.get(["b", "a", "zzz"])] == ["b", "a"]
    assert store.get(["a"])[0] == _record("a")


def test_put_replaces_same_key(tmp_path):
    store = ResultsStore(tmp_path / "r.sqlite")
    store.put(_record("a", "failed"), "run1")
    store.put(_record("a", "ok"), "run2")
    assert store.status_of() == {"a": "ok"}


def test_committed_rows_survive_without_close(tmp_path):
    path = tmp_path / "r.sqlite"
    ResultsStore(path).put(_record("a"), "run1")  # never closed, like a killed run
    assert ResultsStore(path).status_of() == {"a": "ok"}


def test_other_schema_versions_are_ignored(tmp_path):
    path = tmp_path / "r.sqlite"
    store = ResultsStore(path)
    store.put(_record("a"), "run1")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE records SET schema_version = 999")
    assert ResultsStore(path).status_of() == {}


KILLED_WRITER = """
import os, signal, sqlite3, sys
from bench.results.record import Record
from bench.results.store import ResultsStore
store = ResultsStore(sys.argv[1])
for i in range(int(sys.argv[2])):
    store.put(Record(f"k{i}", "ok", "d", "classical", 2, None, None, i), "run1")
db = sqlite3.connect(sys.argv[1], isolation_level=None)  # a transaction in flight, not committed
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO runs (run_id, started) VALUES ('in-flight', 'now')")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_sigkill_loses_no_committed_record(tmp_path):
    # synchronous=NORMAL (WAL): a commit is not fsynced, yet it survives the death of the process
    # (only an OS crash or power loss may roll back the last ones); the open transaction is rolled back.
    path = tmp_path / "r.sqlite"
    done = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path), "25"], cwd=ROOT)
    assert done.returncode == -signal.SIGKILL
    store = ResultsStore(path)
    assert store.status_of() == {f"k{i}": "ok" for i in range(25)}
    assert [r.run_id for r in store.run_list()] == ["run1"]


def test_record_json_is_the_json_of_to_dict():
    record = _record("a")
    record.confusion, record.spec = [[1, 2], [3, 4]], {"head": {"params": {"x": (1, 2)}}}
    assert record_json(record) == json.dumps(record.to_dict())
    assert Record.from_dict(json.loads(record_json(record))).confusion == record.confusion


def test_fields_extracts_values_in_sqlite_and_checks_each_row(tmp_path):
    import pytest

    from bench.results.store import DamagedStore

    path = tmp_path / "r.sqlite"
    store = ResultsStore(path)
    first, second = _record("a"), _record("b", "failed")
    first.metrics, first.provenance = {"test_accuracy": 0.1 + 0.2}, {"cpu": "x", "cpu_count": 2}
    store.put(first, "run1")
    store.put(second, "run1")
    paths = ["$.metrics.test_accuracy", "$.provenance.cpu_count", "$.provenance.gpu", "$.metrics"]
    rows = list(store.fields("run1", paths))
    assert rows == [
        ("a", "ok", (0.1 + 0.2, 2, None, {"test_accuracy": 0.1 + 0.2})),  # the exact float
        ("b", "failed", (0.5, None, None, {"test_accuracy": 0.5})),
    ]
    assert list(store.fields("run1", ["$.seed"])) == [("a", "ok", (0,)), ("b", "failed", (0,))]
    assert [values for *_, values in store.fields("run1", [])] == [(), ()]
    with sqlite3.connect(path) as db:
        db.execute("UPDATE records SET body = replace(body, '0.5', '0.6') WHERE key = 'b'")
    with pytest.raises(DamagedStore, match="record b: checksum mismatch"):
        list(store.fields("run1", paths))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE records SET body = '{not json' WHERE key = 'b'")
    with pytest.raises(DamagedStore):
        list(store.fields("run1", paths))
