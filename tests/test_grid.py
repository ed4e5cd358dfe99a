"""Grid expansion: counts, collapse of unused axes, stable keys, trainer choice."""

from __future__ import annotations

from bench.plan.grid import expand, grid_cost, trainer_for
from bench.spec.loader import load_suite
from tests.conftest import write_suite


def test_demo_suite_cell_count():
    suite = load_suite("suites/audio.yaml")
    cells = expand(suite)
    # classical: 2 qubits x 3 seeds; 3 circuit heads x 2 qubits x 2 layers x 2 backends x 3 seeds;
    # controls for the 8-qubit 2-layer cells: quantum 4, hybrids 5 each, x 3 seeds
    assert len(cells) == 2 * 3 + 3 * 2 * 2 * 2 * 3 + (4 + 5 + 5) * 3 == 120
    assert len({c.key for c in cells}) == len(cells)


def test_classical_head_collapses_layers_and_backends(tmp_path):
    suite = load_suite(write_suite(tmp_path, {"heads": ["classical"], "layers": [1, 2, 3], "qubits": [2, 3]}))
    cells = expand(suite)
    assert len(cells) == 2
    assert all(c.n_layers is None and c.backend is None and c.trained_on is None for c in cells)


def test_keys_are_stable_and_change_with_settings(tmp_path):
    a = [c.key for c in expand(load_suite(write_suite(tmp_path)))]
    b = [c.key for c in expand(load_suite(write_suite(tmp_path)))]
    assert a == b
    changed = write_suite(tmp_path, {"training": {"epochs": 3, "batch_size": 8}}, name="other.yaml")
    assert set(a).isdisjoint(c.key for c in expand(load_suite(changed)))


def test_readable_key_prefix(tiny_suite_path):
    keys = [c.key.split("#")[0] for c in expand(load_suite(tiny_suite_path))]
    assert keys == [
        "urban-synth/classical/q2/l-/-/s0",
        "urban-synth/quantum/q2/l1/default.qubit/s0",
        "urban-synth/quantum/q2/l1/lightning.qubit/s0",
    ]


def test_same_name_twice_gets_distinct_labels(tmp_path):
    heads = [
        {"name": "hybrid-fixed", "params": {"beta": 0.5}},
        {"name": "hybrid-fixed", "params": {"beta": 0.0}},
        {"name": "quantum", "label": "q-head"},
    ]
    suite = load_suite(write_suite(tmp_path, {"heads": heads}))
    labels = [h.label for h in suite.heads]
    assert labels[0].startswith("hybrid-fixed~") and labels[1].startswith("hybrid-fixed~")
    assert labels[0] != labels[1]
    assert labels[2] == "q-head"


def test_train_on_rules(tmp_path):
    auto = load_suite(write_suite(tmp_path, {"training": {"lightning_from_qubits": 3}}))
    assert trainer_for(auto.training, 2, "lightning.qubit") == "default.qubit"
    assert trainer_for(auto.training, 3, "default.qubit") == "lightning.qubit"
    each = load_suite(write_suite(tmp_path, {"training": {"train_on": "each"}}, name="each.yaml"))
    assert [c.trained_on for c in expand(each) if c.backend] == ["default.qubit", "lightning.qubit"]
    pinned = load_suite(write_suite(tmp_path, {"training": {"train_on": "lightning.qubit"}}, name="pin.yaml"))
    assert {c.trained_on for c in expand(pinned) if c.backend} == {"lightning.qubit"}


def test_backend_siblings_share_a_training_spec(tiny_suite_path):
    circuit_cells = [c for c in expand(load_suite(tiny_suite_path)) if c.backend]
    assert len(circuit_cells) == 2
    assert circuit_cells[0].train_key == circuit_cells[1].train_key
    assert circuit_cells[0].key != circuit_cells[1].key


def test_a_heads_training_override_changes_only_its_own_and_its_controls_keys(tmp_path):
    heads = ["classical", "quantum", {"name": "hybrid-fixed", "params": {"beta": 0.5}}]
    base = {"heads": heads, "controls": True, "backends": ["default.qubit"]}
    before = expand(load_suite(write_suite(tmp_path, base)))
    tuned = [
        *heads[:1],
        {"name": "quantum", "training": {"lr": 0.005, "train_on": "lightning.qubit"}},
        heads[2],
    ]
    after = expand(load_suite(write_suite(tmp_path, {**base, "heads": tuned}, name="tuned.yaml")))
    assert [c.key.split("#")[0] for c in before] == [c.key.split("#")[0] for c in after]
    for old, new in zip(before, after, strict=True):
        quantum = (new.treatment or new.head.label) == "quantum"
        assert (old.key != new.key) == quantum, new.key
        assert new.training.lr == (0.005 if quantum else old.training.lr)
        assert new.trained_on == ("lightning.qubit" if quantum and new.backend else old.trained_on)
    assert sum(1 for c in after if c.treatment == "quantum") >= 3  # the quantum head's controls follow it
    assert before[0].training is before[0].suite.training  # no override: the suite's own settings


def _fold_suite(tmp_path, entry: dict, seeds=(0, 1)):
    return load_suite(write_suite(tmp_path, {"datasets": [entry], "seeds": list(seeds)}))


def test_folds_are_an_axis_like_the_seed(tmp_path):
    us8k = {"name": "urbansound8k", "params": {"root": "/nowhere"}, "folds": [2, 7]}
    cells = expand(_fold_suite(tmp_path, us8k))
    # 3 cells (classical + quantum on two backends) per fold x seed
    assert len(cells) == 3 * 2 * 2 and len({c.key for c in cells}) == len(cells)
    assert [(c.fold.number, c.seed) for c in cells[::3]] == [(2, 0), (2, 1), (7, 0), (7, 1)]
    assert cells[0].key.split("#")[0] == "urbansound8k/classical/q2/l-/-/f2/s0"
    assert cells[0].spec["fold"] == {"kind": "official", "count": 10, "test": 2, "val": 1}
    # the folds list is not part of a cell's dataset spec: adding a fold keeps the other cells' keys
    more = expand(_fold_suite(tmp_path, {**us8k, "folds": [2, 7, 9]}))
    assert {c.key for c in cells} < {c.key for c in more}
    assert "folds" not in cells[0].spec["dataset"]


def test_cv_cells_name_their_generated_fold(tmp_path):
    crema = {"name": "crema-d", "params": {"root": "/nowhere"}, "cv": 3}
    cells = expand(_fold_suite(tmp_path, crema, seeds=(0,)))
    assert [c.key.split("#")[0].rsplit("/", 2)[-2] for c in cells[::3]] == ["f1", "f2", "f3"]
    assert cells[0].spec["fold"] == {"kind": "cv", "count": 3, "test": 1, "val": 3}
    other_k = expand(_fold_suite(tmp_path, {**crema, "cv": 4}, seeds=(0,)))
    assert {c.key for c in cells}.isdisjoint(c.key for c in other_k)


def test_grid_cost_counts_cells_units_backbones_and_trained_heads(tmp_path):
    entry = {"name": "urbansound8k", "params": {"root": "/nowhere"}, "folds": [1, 2, 3]}
    cost = grid_cost(expand(_fold_suite(tmp_path, entry)))
    # classical + quantum on two backends per unit; the two backends share one trained head
    assert (cost.cells, cost.units, cost.backbones, cost.trained_heads) == (
        18,
        {"urbansound8k": (3, 2)},
        6,
        12,
    )
    assert cost.describe().startswith("18 cells; urbansound8k: 3 folds x 2 seeds = 6 units; 6 backbones")
    plain = grid_cost(expand(load_suite(write_suite(tmp_path, name="plain.yaml"))))
    assert plain.units == {"urban-synth": (0, 1)} and "urban-synth: 1 seed(s)" in plain.describe()
