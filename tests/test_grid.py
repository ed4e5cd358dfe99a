"""Grid expansion: counts, collapse of unused axes, stable keys, trainer choice."""

from __future__ import annotations

from bench.plan.grid import expand, trainer_for
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
    assert trainer_for(auto, 2, "lightning.qubit") == "default.qubit"
    assert trainer_for(auto, 3, "default.qubit") == "lightning.qubit"
    each = load_suite(write_suite(tmp_path, {"training": {"train_on": "each"}}, name="each.yaml"))
    assert [c.trained_on for c in expand(each) if c.backend] == ["default.qubit", "lightning.qubit"]
    pinned = load_suite(write_suite(tmp_path, {"training": {"train_on": "lightning.qubit"}}, name="pin.yaml"))
    assert {c.trained_on for c in expand(pinned) if c.backend} == {"lightning.qubit"}


def test_backend_siblings_share_a_training_spec(tiny_suite_path):
    circuit_cells = [c for c in expand(load_suite(tiny_suite_path)) if c.backend]
    assert len(circuit_cells) == 2
    assert circuit_cells[0].train_key == circuit_cells[1].train_key
    assert circuit_cells[0].key != circuit_cells[1].key
