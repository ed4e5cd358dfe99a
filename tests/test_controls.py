"""Control cells from grid expansion: counts, links to their treatment, backends, opt-out."""

from __future__ import annotations

import pytest

from bench.core.errors import UserError
from bench.plan.grid import expand
from bench.quantum.autoselect import fastest_trainer
from bench.spec.loader import load_suite
from tests.conftest import write_suite

FOUR_HEADS = ["classical", "quantum", "hybrid-fixed", "hybrid-gated"]
GRID = {
    "heads": FOUR_HEADS,
    "qubits": [1, 2],
    "layers": [1, 2],
    "seeds": [0, 1],
    "backends": ["default.qubit", "lightning.qubit"],
    "controls": True,
}


def _cells(tmp_path, **overrides):
    return expand(load_suite(write_suite(tmp_path, {**GRID, **overrides})))


def test_control_counts_from_grid_expansion(tmp_path):
    cells = _cells(tmp_path)
    treatments = [c for c in cells if c.control is None and c.backend is not None]
    controls = [c for c in cells if c.control is not None]
    assert len(treatments) == 3 * 2 * 2 * 2 * 2  # heads x qubits x layers x backends x seeds
    # per (qubits, layers, seed): quantum gets matched-mlp, tanh-linear, frozen-circuit (+ no-entanglement
    # from 2 qubits); each hybrid gets those plus beta-zero
    per_size = {1: 3 + 4 + 4, 2: 4 + 5 + 5}
    assert len(controls) == sum(per_size[q] for q in (1, 2)) * 2 * 2 == 100
    assert len(cells) == 2 * 2 + 48 + 100
    assert len({c.key for c in cells}) == len(cells)
    kinds = {(c.head.label.split("~")[0], c.control) for c in controls if c.n_qubits == 2}
    assert ("quantum", "beta-zero") not in kinds and ("hybrid-gated", "beta-zero") in kinds
    assert not any(c.control == "no-entanglement" for c in controls if c.n_qubits == 1)


def test_each_control_is_linked_to_an_existing_treatment_and_shares_its_streams(tmp_path):
    cells = _cells(tmp_path)
    treatments = {(c.dataset.label, c.head.label, c.n_qubits, c.n_layers, c.seed) for c in cells if c.backend}
    for c in (c for c in cells if c.control):
        assert (c.dataset.label, c.treatment, c.n_qubits, c.n_layers, c.seed) in treatments
        assert c.head.label == f"{c.treatment}~{c.control}"
        assert c.stream_label == c.treatment
        assert c.spec["control"] == c.control and c.spec["treatment"] == c.treatment


def test_circuit_controls_run_where_their_treatment_runs_and_the_rest_without_backend(tmp_path):
    for backends in (["default.qubit", "lightning.qubit"], ["lightning.qubit"], ["torch.statevector"]):
        cells = _cells(tmp_path, backends=backends)
        for c in (c for c in cells if c.control):
            if c.control in ("no-entanglement", "frozen-circuit"):
                assert c.trained_on == fastest_trainer(c.n_qubits)  # train_on: auto, like the treatment
                expected = c.trained_on if c.trained_on in backends else sorted(backends)[0]
                assert c.backend == expected and c.backend in backends
            else:
                assert c.backend is None and c.trained_on is None


def test_circuit_controls_of_a_grid_without_exact_simulators_run_on_the_trainer(tmp_path):
    profile = {"noise": {"depolarizing": 0.01}}
    suite = {"backends": ["noisy"], "profiles": {"noisy": profile}, "qubits": [2], "layers": [1]}
    for c in (c for c in _cells(tmp_path, **suite) if c.control in ("no-entanglement", "frozen-circuit")):
        assert c.backend == c.trained_on == fastest_trainer(2)


def test_control_heads_change_only_what_their_kind_changes(tmp_path):
    heads = [{"name": "hybrid-fixed", "params": {"ansatz": "basic-entangler", "beta": 0.25}}]
    cells = _cells(tmp_path, heads=heads, qubits=[2], layers=[1], seeds=[0], backends=["default.qubit"])
    treatment = next(c.head for c in cells if c.control is None)
    by_kind = {c.control: c.head for c in cells if c.control}
    assert set(by_kind) == {"matched-mlp", "no-entanglement", "tanh-linear", "beta-zero", "frozen-circuit"}
    changed = {
        "no-entanglement": {"entangling": False},
        "tanh-linear": {"substitute": "tanh-linear"},
        "beta-zero": {"beta": 0.0},
        "frozen-circuit": {"train_circuit": False},
    }
    for kind, change in changed.items():
        assert by_kind[kind].params == {**treatment.params, **change}
    assert by_kind["matched-mlp"].params["target"] == {"name": "hybrid-fixed", "params": treatment.params}
    assert by_kind["matched-mlp"].params["target_layers"] == 1


def test_opt_out_and_subsets(tmp_path):
    base = len(_cells(tmp_path, controls=False))
    assert base == 2 * 2 + 48
    assert len(_cells(tmp_path, controls=[])) == base
    only_matched = _cells(tmp_path, controls=["matched-mlp"])
    assert len(only_matched) == base + 3 * 2 * 2 * 2  # one per treatment x qubits x layers x seeds
    by_size = _cells(tmp_path, controls={"kinds": ["matched-mlp", "beta-zero"], "qubits": [2], "layers": [2]})
    added = [c for c in by_size if c.control]
    assert {(c.n_qubits, c.n_layers) for c in added} == {(2, 2)}
    assert len(added) == (1 + 2 + 2) * 2  # matched for 3 heads, beta-zero for 2 hybrids, x seeds


def test_select_rule_is_carried_to_controls_minus_what_they_cannot_use(tmp_path):
    heads = [{"name": "hybrid-fixed", "select": {"beta": [0.5, 1.0], "input_scale": [0.5, 1.0]}}]
    cells = _cells(tmp_path, heads=heads, qubits=[2], layers=[1], seeds=[0], backends=["default.qubit"])
    select = {c.control: c.head.select for c in cells}
    assert select[None] == {"beta": [0.5, 1.0], "input_scale": [0.5, 1.0]}
    assert select["no-entanglement"] == select["frozen-circuit"] == select[None]
    assert select["tanh-linear"] == {"beta": [0.5, 1.0]}
    assert select["beta-zero"] == {} and select["matched-mlp"] == {}


@pytest.mark.parametrize(
    ("controls", "message"),
    [
        (["matched"], "controls.kinds[0]: unknown control kind 'matched'; did you mean 'matched-mlp'?"),
        ({"qubits": [3]}, "controls.qubits: [3] is not a subset of qubits [1, 2]"),
    ],
)
def test_bad_controls_fail_with_the_key_path(tmp_path, controls, message):
    with pytest.raises(UserError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _cells(tmp_path, controls=controls)
