"""``bench.results.export``: the results table written as CSV, Parquet and JSON lines, atomically."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import pytest

from bench.results import export
from bench.results.record import Record
from bench.results.table import results_table


def records() -> list[tuple[str, Record]]:
    quantum = Record(
        key="d/quantum/q2/l1/default.qubit/s0#a",
        status="ok",
        dataset="d",
        head="quantum",
        n_qubits=2,
        n_layers=1,
        backend="default.qubit",
        seed=0,
        metrics={"test_accuracy": 0.5, "param_ratio": 1.5},
        predictions=[0, 1, 1],
        confusion=[[1, 0], [1, 1]],
        timings={"evaluation_s": 0.1},
        provenance={"versions": {"torch": "2"}, "git_sha": None},
    )
    classical = Record(
        key="d/classical/q2/s0#b",
        status="failed",
        dataset="d",
        head="classical",
        n_qubits=2,
        n_layers=None,
        backend=None,
        seed=0,
        error="boom",
    )
    return [("r1", quantum), ("r1", classical)]


def test_the_table_flattens_every_field_with_documented_names():
    df = results_table(records())
    assert list(df.columns[:10]) == [
        *["run_id", "key", "status", "dataset", "head", "qubits", "layers", "backend", "seed"],
        "test_accuracy",
    ]
    assert df.loc[0, "provenance.versions.torch"] == "2" and df.loc[0, "timings.evaluation_s"] == 0.1
    assert df.loc[0, "param_ratio"] == 1.5 and pd.isna(df.loc[1, "param_ratio"])
    assert pd.isna(df.loc[1, "layers"]) and str(df["layers"].dtype) == "Int64"
    assert pd.isna(df.loc[1, "test_accuracy"]) and df.loc[0, "predictions"] == [0, 1, 1]
    assert list(results_table([]).columns[:9]) == list(df.columns[:9])


def test_a_fold_column_follows_the_seed_when_records_carry_one():
    (run_id, record), other = records()
    assert "fold" not in results_table([(run_id, record), other]).columns  # None: no folds
    df = results_table([(run_id, replace(record, fold=3)), other])
    assert list(df.columns[8:11]) == ["seed", "fold", "test_accuracy"]


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_each_format_reads_back(tmp_path, fmt):
    df = results_table(records())
    path = export.export_table(df, tmp_path / f"t.{fmt}", fmt)
    back = {
        "csv": pd.read_csv,
        "parquet": pd.read_parquet,
        "jsonl": lambda p: pd.read_json(p, lines=True, precise_float=True),
    }[fmt](path)
    assert list(back.columns) == list(df.columns) and back.loc[0, "test_accuracy"] == 0.5
    predictions = back.loc[0, "predictions"]
    as_list = json.loads(predictions) if isinstance(predictions, str) else list(predictions)
    assert as_list == [0, 1, 1]
    if fmt == "parquet":
        assert str(back["layers"].dtype) == "Int64"


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    path.write_text("old\n")

    def half_then_fail(frame, fh):
        fh.write(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setitem(export.WRITERS, "csv", half_then_fail)
    with pytest.raises(RuntimeError):
        export.export_table(results_table(records()), path, "csv")
    assert path.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["t.csv"]
