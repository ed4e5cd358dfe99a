"""Selection on validation only: candidates, the pick rule, and a select sweep inside a real cell."""

from __future__ import annotations

import math

import pytest
import torch

import bench.cell.frozen
from bench.cell.checkpoint import export_checkpoint, read_checkpoint
from bench.cell.run import run_cell
from bench.cell.selection import RULE, candidate_key, candidates, describe, pick
from bench.cell.trained import TrainedHead
from bench.plan.grid import expand
from bench.results.cache import Cache, cache_key
from bench.spec.loader import load_suite
from tests.conftest import write_suite


def test_candidates_are_the_product_in_key_then_list_order():
    assert candidates({}) == [{}]
    assert candidates({"beta": [0.5, 1.0], "alpha": [1.0]}) == [
        {"beta": 0.5, "alpha": 1.0},
        {"beta": 1.0, "alpha": 1.0},
    ]


def test_pick_prefers_accuracy_then_lower_loss_then_list_order():
    assert pick([(0.5, 0.1), (0.7, 0.9), (0.6, 0.0)]) == 1
    assert pick([(0.7, 0.5), (0.7, 0.4), (0.7, 0.4)]) == 1
    assert pick([(0.7, math.nan), (0.7, 0.4)]) == 1
    with pytest.raises(ValueError):
        pick([])


def test_describe_says_what_was_chosen_and_how():
    common = dict(state={}, epochs_run=3, history=[], seconds=0.0, executions=0, train_accuracy=0.9)
    trained = [
        TrainedHead(**common, val_accuracy=0.5, val_loss=1.0, best_epoch=3),
        TrainedHead(**common, val_accuracy=0.6, best_epoch=2),  # no val_loss (finetune)
    ]
    out = describe([{"beta": 0.5}, {"beta": 1.0}], trained, 1)
    assert out["rule"] == RULE and out["split"] == "val"
    assert out["chosen"] == {"beta": 1.0} and out["chosen_index"] == 1
    assert [c["val_accuracy"] for c in out["candidates"]] == [0.5, 0.6]
    assert math.isnan(out["candidates"][1]["val_loss"])


def test_a_select_sweep_trains_every_candidate_on_train_and_val_only(tmp_path, monkeypatch):
    seen_splits = []
    original = bench.cell.frozen._train

    def spy(cell, model, x, y, *args):
        seen_splits.append(sorted(x))
        return original(cell, model, x, y, *args)

    monkeypatch.setattr(bench.cell.frozen, "_train", spy)
    heads = [{"name": "hybrid-fixed", "select": {"beta": [0.0, 0.5, 2.0]}}]
    suite = load_suite(write_suite(tmp_path, {"heads": heads, "backends": ["default.qubit"]}))
    record = run_cell(expand(suite)[0], Cache(tmp_path / "cache"))
    assert record.status == "ok", record.error
    assert seen_splits == [["train", "val"]] * 3  # three candidates, never the test split
    sel = record.selection
    assert [c["params"] for c in sel["candidates"]] == [{"beta": 0.0}, {"beta": 0.5}, {"beta": 2.0}]
    scores = [(c["val_accuracy"], c["val_loss"]) for c in sel["candidates"]]
    assert sel["chosen_index"] == pick(scores)
    assert record.metrics["val_accuracy"] == sel["candidates"][sel["chosen_index"]]["val_accuracy"]
    assert record.timings["head_training_s"] > 0
    again = run_cell(expand(suite)[0], Cache(tmp_path / "cache"))
    assert again.cache_hits["head"] is True and again.deterministic_view() == record.deterministic_view()


def test_a_select_cell_exports_the_checkpoint_of_the_candidate_it_kept(tmp_path):
    heads = [{"name": "hybrid-fixed", "select": {"beta": [0.0, 2.0]}}]
    suite = load_suite(write_suite(tmp_path, {"heads": heads, "backends": ["default.qubit"]}))
    cell, cache = expand(suite)[0], Cache(tmp_path / "cache")
    record = run_cell(cell, cache)
    assert record.status == "ok", record.error
    path = export_checkpoint(cell, cache, tmp_path / "checkpoints")
    head = read_checkpoint(path)["head"]
    chosen = record.selection["chosen"]
    assert head["params"]["beta"] == chosen["beta"]
    kept = cache.load("heads", cache_key(candidate_key(cell.train_key, chosen)))
    assert all(torch.equal(head["state"][k], v) for k, v in kept["state"].items())
