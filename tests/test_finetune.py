"""The finetune protocol: backbone, compression and head trained jointly, deterministic, labelled,
exported as checkpoints, and matched across heads."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from bench.cell.checkpoint import cell_checkpoint_path, export_checkpoint, load_checkpoint
from bench.cell.embeddings import features_key
from bench.cell.finetune import build_finetune_model, finetune_key
from bench.cell.run import run_cell
from bench.plan.grid import expand
from bench.results.cache import Cache
from bench.spec.loader import load_suite
from tests.conftest import write_suite

BACKBONE = {
    "name": "small-cnn",
    "params": {"channels": [4, 8], "embedding_dim": 8},
    "protocol": "finetune",
    "training": {"epochs": 1, "lr": 0.01},
}


@pytest.fixture(scope="module")
def finetuned(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("finetune")
    suite = load_suite(
        write_suite(
            tmp,
            {
                "backbone": BACKBONE,
                "heads": ["classical", "hybrid-gated"],
                "training": {"epochs": 3, "batch_size": 8, "patience": 3, "timing_repeats": 1},
            },
        )
    )
    cache = Cache(tmp / "cache")
    cells = expand(suite)
    return {
        "tmp": tmp,
        "suite": suite,
        "cache": cache,
        "cells": cells,
        "records": [run_cell(c, cache) for c in cells],
    }


def test_records_are_ok_and_labelled_finetune(finetuned):
    for r in finetuned["records"]:
        assert r.status == "ok", r.error
        assert r.protocol == "finetune" and r.spec["backbone"]["protocol"] == "finetune"
        assert 0 <= r.metrics["test_accuracy"] <= 1 and r.metrics["epochs_run"] == 3
        assert "backbone_test_accuracy" not in r.metrics  # no separately trained backbone
    gated = finetuned["records"][1]
    assert len(gated.gate_trajectory) == 3  # the two-phase schedule runs jointly with the backbone
    assert not (finetuned["tmp"] / "cache" / "backbone").exists()  # no frozen backbone, no cached embeddings


def test_the_evaluation_backend_reuses_the_jointly_trained_model(finetuned):
    default, lightning = finetuned["records"][1:]
    assert (default.backend, lightning.backend) == ("default.qubit", "lightning.qubit")
    assert lightning.cache_hits["head"] is True and default.cache_hits["head"] is False
    assert lightning.predictions == default.predictions
    assert lightning.metrics["agreement_max_abs_diff"] <= 1e-6


def test_the_backbone_is_trained_end_to_end(finetuned):
    cell, cache = finetuned["cells"][0], finetuned["cache"]
    entry = cache.load("finetune", finetune_key(cell))
    feats = cache.load("features", features_key(cell.dataset, cell.suite.features))
    x_train = feats["x"][feats["split"] == "train"]
    initial = build_finetune_model(cell, feats, x_train, len(feats["class_names"]))
    changed = [
        k
        for k, v in initial.backbone.state_dict().items()
        if v.dtype.is_floating_point and not torch.equal(v, entry["backbone_state"][k])
    ]
    assert "features.0.weight" in changed  # the first conv moved: gradients reached the bottom of the CNN
    assert not torch.equal(initial.compression.linear.weight, entry["compression_state"]["linear.weight"])


def test_every_head_starts_from_the_same_backbone(finetuned):
    classical, gated = finetuned["cells"][0], finetuned["cells"][1]
    feats = finetuned["cache"].load("features", features_key(classical.dataset, classical.suite.features))
    x_train = feats["x"][feats["split"] == "train"]
    a = build_finetune_model(classical, feats, x_train, 3)
    b = build_finetune_model(gated, feats, x_train, 3)
    assert all(torch.equal(v, b.backbone.state_dict()[k]) for k, v in a.backbone.state_dict().items())
    assert torch.equal(a.compression.linear.weight, b.compression.linear.weight)


def test_same_cell_twice_gives_the_same_record(finetuned, tmp_path):
    cell = finetuned["cells"][1]
    again = run_cell(cell, Cache(tmp_path))  # cold cache: trained again from scratch
    assert again.deterministic_view() == finetuned["records"][1].deterministic_view()


def test_checkpoint_carries_the_finetuned_backbone_and_reproduces_predictions(finetuned):
    root = finetuned["tmp"] / "checkpoints"
    feats = finetuned["cache"].load(
        "features", features_key(finetuned["cells"][0].dataset, finetuned["suite"].features)
    )
    x_test = torch.from_numpy(feats["x"][feats["split"] == "test"])
    for cell, record in zip(finetuned["cells"], finetuned["records"], strict=True):
        export_checkpoint(cell, finetuned["cache"], root)
        loaded = load_checkpoint(cell_checkpoint_path(root, cell.key))
        assert loaded.meta["protocol"] == "finetune" and "state" in loaded.meta["backbone"]
        with torch.no_grad():
            logits = loaded.model(x_test).numpy()
        assert logits.argmax(1).tolist() == record.predictions
        assert np.isfinite(logits).all()
    assert not (root / "backbones").exists()  # finetuned backbones live in each cell's own file
