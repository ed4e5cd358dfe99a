"""Results store: durable put/get, replace by key, schema-version filtering."""

from __future__ import annotations

import sqlite3

from bench.results.record import Record
from bench.results.store import ResultsStore


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
