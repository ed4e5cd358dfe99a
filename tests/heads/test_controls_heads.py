"""The head switches the controls use, and the parameter-matched MLP."""

from __future__ import annotations

import itertools

import pytest
import torch

from bench.cell.training import train_head
from bench.core.registry import HEADS, SIMULATORS
from bench.heads.shapes import MLPShape, solve_shape
from bench.spec.suite import TrainingSpec

N_QUBITS, N_CLASSES = 3, 4
TREATMENTS = [n for n in HEADS.names() if HEADS.get(n).uses_circuit]
ANSATZES = ["strongly-entangling", "basic-entangler", "zz-realamplitudes", "reuploading"]


def _build(name: str, n_qubits: int = N_QUBITS, n_classes: int = N_CLASSES, n_layers: int = 1, **params):
    head = HEADS.get(name).from_dict(params)
    return head.build(
        n_qubits,
        n_classes,
        n_layers if head.uses_circuit else None,
        SIMULATORS.get("default.qubit"),
        torch.Generator().manual_seed(0),
    )


def _data(n: int = 24):
    y = torch.arange(n) % N_CLASSES
    x = y[:, None].double() * 0.7 + 0.3 * torch.rand(
        n, N_QUBITS, generator=torch.Generator().manual_seed(3), dtype=torch.float64
    )
    return x, y


def _train(model, epochs: int = 2):
    x, y = _data()
    return train_head(
        model, x, y, x, y, TrainingSpec(epochs=epochs, batch_size=8, lr=0.1, patience=9), seed=0
    )


@pytest.mark.parametrize("name", TREATMENTS)
def test_frozen_circuit_keeps_its_random_weights_and_counts_none(name):
    model = _build(name, train_circuit=False, **({"warmup_epochs": 0} if name == "hybrid-gated" else {}))
    before = model.quantum.weights.detach().clone()
    readout = model.branch.readout.weight.detach().clone()
    _train(model)
    assert torch.equal(model.quantum.weights.detach(), before)
    assert not torch.equal(model.branch.readout.weight.detach(), readout)  # the read-out does train
    classical, quantum = model.param_counts()
    assert quantum == 0 and classical == sum(p.numel() for p in model.parameters()) - before.numel()


@pytest.mark.parametrize("name", ["hybrid-fixed", "hybrid-gated"])
def test_beta_zero_is_the_classical_branch_alone_retrained(name):
    model = _build(name, beta=0.0)
    branch = [p.detach().clone() for p in model.branch.parameters()]
    _train(model)
    x, _ = _data()
    with torch.no_grad():
        expected = model.classical(x) * (model.alpha if name == "hybrid-fixed" else 1.0)
        torch.testing.assert_close(model(x), expected)
    assert all(torch.equal(a, b.detach()) for a, b in zip(branch, model.branch.parameters(), strict=True))
    assert model.quantum.circuit_executions == 0  # the branch is never evaluated
    assert model.param_counts() == (N_QUBITS * N_CLASSES + N_CLASSES, 0)
    assert model.epoch_log() == {}


@pytest.mark.parametrize("name", TREATMENTS)
def test_tanh_linear_replaces_the_circuit_by_a_layer_of_the_same_width(name):
    model = _build(name, substitute="tanh-linear")
    assert model.quantum is None
    x, _ = _data()
    assert model(x).shape == (len(x), N_CLASSES)
    reference = _build(name)
    extra = N_QUBITS * N_QUBITS + N_QUBITS - reference.quantum.weights.numel()
    assert model.trainable_count() == reference.trainable_count() + extra


def test_solve_shape_is_within_ten_percent_for_circuit_head_sizes():
    """Targets = a read-out (n_inputs -> n_classes) plus 0..3 circuit weights per input per layer."""
    failures = []
    for n_inputs, n_classes in itertools.product([2, 3, 5, 8, 13, 30], [2, 3, 7, 10, 100]):
        readout = n_inputs * n_classes + n_classes
        for extra in sorted(
            {0, 1, n_inputs, 2 * n_inputs, 3 * n_inputs, 9 * n_inputs, 24 * n_inputs, readout + 1}
        ):
            target = readout + extra
            shape = solve_shape(n_inputs, n_classes, target)
            if abs(shape.count(n_inputs, n_classes) - target) > 0.1 * target:
                failures.append((n_inputs, n_classes, target, shape))
    assert failures == []


def test_solve_shape_prefers_one_hidden_layer_with_biases():
    assert solve_shape(8, 10, 138) == MLPShape((7,))  # 7 * (8 + 1 + 10) + 10 = 143, within 10 %
    assert len(solve_shape(1, 50, 124).widths) == 2  # one hidden unit costs 51-52 parameters: too coarse
    assert MLPShape((2, 3), hidden_bias=False).count(4, 5) == 4 * 2 + 2 * 3 + 3 * 5 + 5


@pytest.mark.parametrize("name", TREATMENTS)
def test_matched_mlp_within_tolerance_for_every_head_size_of_a_grid(name):
    """Every qubits x layers x classes x ansatz of a realistic grid, frozen circuit or not."""
    for ansatz, n_qubits, n_layers, n_classes in itertools.product(
        ANSATZES, [2, 3, 4, 8, 16], [1, 2, 4], [2, 3, 10]
    ):
        for frozen in (False, True):
            target = {"name": name, "params": {"ansatz": ansatz, "train_circuit": not frozen}}
            mlp = _build("matched-mlp", n_qubits, n_classes, target=target, target_layers=n_layers)
            treatment = _build(name, n_qubits, n_classes, n_layers, ansatz=ansatz, train_circuit=not frozen)
            assert mlp.param_target == treatment.trainable_count()
            assert abs(mlp.trainable_count() - mlp.param_target) <= 0.1 * mlp.param_target, (ansatz, n_qubits)


def test_matched_mlp_rejects_an_unknown_target():
    with pytest.raises(ValueError, match="unknown head 'quantom'"):
        HEADS.get("matched-mlp").Params(target={"name": "quantom"})
