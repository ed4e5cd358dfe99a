"""A cell is a pure function of its spec: determinism, simulator agreement, failure capture."""

from __future__ import annotations

import pytest

from bench.cell.run import run_cell
from bench.plan.grid import expand
from bench.quantum.autoselect import fastest_trainer
from bench.results.cache import Cache
from bench.spec.loader import load_suite
from tests.conftest import write_suite


@pytest.fixture(scope="module")
def each_suite(tmp_path_factory):
    path = write_suite(
        tmp_path_factory.mktemp("suite"),
        {"training": {"epochs": 3, "batch_size": 8, "patience": 3, "timing_repeats": 1, "train_on": "each"}},
    )
    return load_suite(path)


def test_same_cell_twice_gives_the_same_record(each_suite, tmp_path):
    cell = expand(each_suite)[1]
    first = run_cell(cell, Cache(tmp_path / "a"))
    second = run_cell(cell, Cache(tmp_path / "b"))  # cold caches both times: everything recomputed
    assert first.status == "ok", first.error
    assert first.deterministic_view() == second.deterministic_view()


def test_cache_hit_gives_the_same_record_as_a_miss(each_suite, tmp_path):
    cell = expand(each_suite)[0]
    cache = Cache(tmp_path)
    miss, hit = run_cell(cell, cache), run_cell(cell, cache)
    assert miss.cache_hits == {"features": False, "backbone": False, "head": False}
    assert hit.cache_hits == {"features": True, "backbone": True, "head": True}
    assert miss.deterministic_view() == hit.deterministic_view()


def test_training_on_each_simulator_gives_the_same_predictions(each_suite, tmp_path):
    cells = [c for c in expand(each_suite) if c.backend]
    records = [run_cell(c, Cache(tmp_path)) for c in cells]
    assert [r.trained_on for r in records] == ["default.qubit", "lightning.qubit"]
    assert all(r.status == "ok" for r in records), [r.error for r in records]
    assert records[0].predictions == records[1].predictions
    assert abs(records[0].metrics["test_accuracy"] - records[1].metrics["test_accuracy"]) < 1e-12


def test_evaluation_backend_reproduces_the_trainer(tiny_suite_path, tmp_path):
    cells = [c for c in expand(load_suite(tiny_suite_path)) if c.backend]
    cache = Cache(tmp_path)
    records = [run_cell(c, cache) for c in cells]
    assert {r.trained_on for r in records} == {fastest_trainer(cells[0].n_qubits)}  # train_on: auto
    assert records[1].backend == "lightning.qubit"
    assert records[1].cache_hits["head"] is True  # trained once, reused
    assert all(0 <= r.metrics["agreement_max_abs_diff"] <= 1e-6 for r in records)
    assert records[0].predictions == records[1].predictions


def test_record_contents(tiny_suite_path, tmp_path):
    cell = [c for c in expand(load_suite(tiny_suite_path)) if c.backend][0]
    r = run_cell(cell, Cache(tmp_path))
    assert r.status == "ok", r.error
    for key in (
        "test_accuracy",
        "test_macro_f1",
        "test_cross_entropy",
        "train_accuracy",
        "val_accuracy",
        "overfit_gap",
        "best_epoch",
    ):
        assert key in r.metrics
    for key in (
        "features_s",
        "backbone_s",
        "embedding_s",
        "head_training_s",
        "evaluation_s",
        "circuit_forward_per_batch_s",
        "circuit_forward_backward_per_batch_s",
    ):
        assert r.timings[key] > 0
    n = len(r.labels)
    assert len(r.predictions) == n and sum(map(sum, r.confusion)) == n
    assert r.n_params_quantum == 1 * 2 * 3
    assert r.circuit_executions > 0


def test_a_failing_cell_becomes_a_failed_record(tmp_path):
    # 9 qubits cannot be compressed from an 8-d embedding: the cell must fail, not raise
    suite = load_suite(write_suite(tmp_path, {"qubits": [9], "heads": ["classical"]}))
    record = run_cell(expand(suite)[0], Cache(tmp_path / "cache"))
    assert record.status == "failed"
    assert "cannot compress 8-d embeddings" in record.error
