"""The task graph: features once per dataset, backbones after them, cells after their backbone,
and priorities that start long work first."""

from __future__ import annotations

from pathlib import Path

from bench.cell.embeddings import backbone_key as backbone_cache_key
from bench.cell.embeddings import features_key, prepare_features
from bench.plan.estimate import cell_cost
from bench.plan.grid import expand
from bench.results.cache import Cache
from bench.run.tasks import (
    BackboneTask,
    CellTask,
    FeaturesTask,
    backbone_key,
    cell_key,
    features_node_key,
    task_graph,
)
from bench.spec.loader import load_suite
from tests.conftest import write_suite

SMALL = {"n_per_class": 4, "seconds": 0.25, "n_classes": 2}
TWO_DATASETS = {
    "datasets": [
        {"name": "urban-synth", "params": SMALL},
        {"name": "urban-synth", "label": "other", "params": SMALL},
    ],
    "seeds": [0, 1],
    "qubits": [2, 3],
    "backends": ["default.qubit"],
}


def _graph(tmp_path, overrides=None):
    suite = load_suite(write_suite(tmp_path, overrides))
    cells = expand(suite)
    return cells, {n.key: n for n in task_graph(cells, str(tmp_path / "cache"))}


def test_one_features_node_per_dataset_and_every_backbone_waits_for_its_own(tmp_path):
    cells, nodes = _graph(tmp_path, TWO_DATASETS)
    features = {k: n for k, n in nodes.items() if isinstance(n.arg, FeaturesTask)}
    assert sorted(features) == sorted({features_node_key(c) for c in cells}) and len(features) == 2
    assert all(node.arg.seeds == (0, 1) for node in features.values())
    backbones = [n for n in nodes.values() if isinstance(n.arg, BackboneTask)]
    assert len(backbones) == 4
    for node in backbones:
        assert node.after == (features_node_key(node.arg.cell),)
    for cell in cells:
        assert nodes[cell_key(cell)].after == (backbone_key(cell),)


def test_priorities_start_the_chain_of_most_work_first(tmp_path):
    cells, nodes = _graph(tmp_path, TWO_DATASETS)
    for cell in cells:
        backbone, own = nodes[backbone_key(cell)], nodes[cell_key(cell)]
        assert own.priority == cell_cost(cell)
        assert backbone.priority > own.priority
        assert nodes[features_node_key(cell)].priority > backbone.priority
    circuit = [nodes[cell_key(c)].priority for c in cells if c.uses_circuit]
    classical = [nodes[cell_key(c)].priority for c in cells if not c.uses_circuit]
    assert min(circuit) > max(classical)
    wide = [c for c in cells if c.uses_circuit and c.n_qubits == 3]
    narrow = [c for c in cells if c.uses_circuit and c.n_qubits == 2]
    assert cell_cost(wide[0]) > cell_cost(narrow[0])


def test_cells_sharing_a_head_wait_for_its_trainer_and_lift_its_priority(tmp_path):
    cells, nodes = _graph(tmp_path)  # TINY: default.qubit and lightning.qubit share one trained head
    trainer, other = [c for c in cells if c.uses_circuit]  # grid order: the first one trains
    assert nodes[cell_key(trainer)].after == (backbone_key(trainer),)
    assert nodes[cell_key(other)].after == (cell_key(trainer),)
    assert nodes[cell_key(trainer)].priority > nodes[cell_key(other)].priority
    assert all(isinstance(nodes[cell_key(c)].arg, CellTask) for c in cells)


def test_features_are_prepared_once_and_only_when_a_backbone_needs_them(tmp_path):
    suite = load_suite(write_suite(tmp_path))
    dataset, cache = suite.datasets[0], Cache(tmp_path / "cache")
    key = features_key(dataset, suite.features)
    for seed in suite.seeds:  # every backbone cached: no frozen cell reads the features
        cache.save("backbone", backbone_cache_key(dataset, suite.features, suite.backbone, seed), {})
    assert prepare_features(dataset, suite.features, suite.backbone, suite.seeds, cache) is False
    assert not cache.contains("features", key)
    assert prepare_features(dataset, suite.features, suite.backbone, [*suite.seeds, 7], cache) is True
    assert cache.contains("features", key)
    assert prepare_features(dataset, suite.features, suite.backbone, [7], cache) is False  # cached


def test_a_run_takes_each_file_datasets_fingerprint_once(tmp_path, monkeypatch):
    """The driver stats a file dataset's files once per run; its tasks (features, two backbones, every
    cell and checkpoint export) reuse that fingerprint; the feature key is the one taken without it."""
    import bench.data.local as local
    from bench.cli.parser import main
    from tests.data.dataset_layouts import audio_folder

    root = audio_folder(tmp_path / "clips", per_class=4).root
    calls: list[Path] = []
    take = local.fingerprint_paths
    monkeypatch.setattr(local, "fingerprint_paths", lambda r, paths: calls.append(r) or take(r, paths))
    dataset = {"name": "audio-folder", "params": {"root": str(root), "sample_rate": 8000, "seconds": 0.1}}
    path = write_suite(tmp_path, {"datasets": [dataset], "seeds": [0, 1]})
    dirs = ["--reports-dir", str(tmp_path / "reports"), "--cache-dir", str(tmp_path / "cache"), "--no-report"]
    assert main(["run", str(path), "--executor", "sequential", *dirs]) == 0
    assert len(calls) == 1
    suite = load_suite(path)
    key = features_key(suite.datasets[0], suite.features)  # no cache: taken afresh
    assert Cache(tmp_path / "cache").contains("features", key) and len(calls) == 2


def test_a_fold_suite_shares_features_and_trains_a_backbone_per_fold_and_seed(tmp_path):
    entry = {"name": "urbansound8k", "params": {"root": "/nowhere"}, "folds": [1, 4]}
    cells, nodes = _graph(tmp_path, {"datasets": [entry], "seeds": [0, 1]})
    features = [n for n in nodes.values() if isinstance(n.arg, FeaturesTask)]
    assert len(features) == 1 and [f.number for f in features[0].arg.folds] == [1, 4]
    backbones = [n.arg.cell for n in nodes.values() if isinstance(n.arg, BackboneTask)]
    assert [(c.fold.number, c.seed) for c in backbones] == [(1, 0), (1, 1), (4, 0), (4, 1)]
    assert backbone_key(backbones[2]) == "backbone-urbansound8k-fold4-seed0"
    suite = cells[0].suite
    keys = {
        backbone_cache_key(c.dataset, suite.features, suite.backbone, c.seed, fold=c.fold) for c in backbones
    }
    assert len(keys) == 4
    plain = features_key(cells[0].dataset, suite.features)
    assert features_key(cells[0].dataset, suite.features, folding=cells[0].fold.folding) != plain
