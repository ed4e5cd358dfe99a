"""Head-specific checks (build and a forward batch are in tests/test_plugin_conformance.py):
parameter counts, seeded init, phases, training."""

from __future__ import annotations

import pytest
import torch

from bench.cell.training import train_head
from bench.core.registry import HEADS, SIMULATORS
from bench.spec.suite import TrainingSpec

N_QUBITS, N_CLASSES, N_LAYERS = 3, 4, 1


def _build(name: str, seed: int = 0):
    head = HEADS.get(name).from_dict(HEADS.get(name).test_params)
    sim = SIMULATORS.get("default.qubit") if head.uses_circuit else None
    return head.build(
        N_QUBITS, N_CLASSES, N_LAYERS if head.uses_circuit else None, sim, torch.Generator().manual_seed(seed)
    )


def _data(n: int = 32):
    gen = torch.Generator().manual_seed(3)
    y = torch.arange(n) % N_CLASSES
    x = y[:, None].double() * 0.7 + 0.3 * torch.rand(n, N_QUBITS, generator=gen, dtype=torch.float64)
    return x, y


@pytest.mark.parametrize("name", HEADS.names())
def test_parameter_counts(name):
    model = _build(name)
    classical, quantum = model.param_counts()
    assert classical + quantum == sum(p.numel() for p in model.parameters())
    assert (quantum > 0) == HEADS.get(name).uses_circuit
    if quantum:
        assert quantum == N_LAYERS * N_QUBITS * 3


@pytest.mark.parametrize("name", HEADS.names())
def test_same_seed_same_init(name):
    a, b = _build(name, 5), _build(name, 5)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)


@pytest.mark.parametrize("name", HEADS.names())
def test_phases_cover_the_epoch_budget(name):
    model = _build(name)
    assert sum(p.epochs for p in model.phases(7)) == 7


@pytest.mark.parametrize("name", HEADS.names())
def test_training_improves_validation_and_restores_best(name):
    model = _build(name)
    x, y = _data()
    settings = TrainingSpec(epochs=6, batch_size=8, lr=0.1, patience=6)
    outcome = train_head(model, x, y, x, y, settings, seed=0)
    accs = [h["val_accuracy"] for h in outcome.history]
    assert max(accs) > 1 / N_CLASSES
    assert outcome.best_epoch == 1 + max(
        range(len(accs)), key=lambda i: (accs[i], -outcome.history[i]["val_loss"])
    )


def test_gated_hybrid_warmup_freezes_quantum_and_gate():
    model = _build("hybrid-gated")
    gate0 = model.gate.item()
    weights0 = model.quantum.weights.detach().clone()
    x, y = _data()
    warmup = HEADS.get("hybrid-gated").Params().warmup_epochs
    outcome = train_head(model, x, y, x, y, TrainingSpec(epochs=warmup, batch_size=8, patience=50), seed=0)
    assert all(h["phase"] == "warmup" for h in outcome.history)
    assert model.gate.item() == gate0
    assert torch.equal(model.quantum.weights.detach(), weights0)
    assert all(
        abs(h["gate"] - torch.sigmoid(torch.tensor(gate0, dtype=torch.float64)).item()) < 1e-12
        for h in outcome.history
    )
