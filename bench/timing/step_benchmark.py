"""``python -m bench benchmark``: one training step of the quantum head, batched vs per-sample loop.

A step is forward + cross-entropy + backward + Adam update of the quantum head (circuit +
linear read-out) on one batch. "batched" sends the whole batch through one QNode call
(broadcasting / device batch execution); "loop" calls the same circuit once per sample, the
pattern this harness never uses, kept here only as the reference it is measured against.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from bench.core.registry import SIMULATORS
from bench.heads.quantum import QuantumModel


@dataclass
class StepTiming:
    backend: str
    mode: str  # "batched" | "loop"
    seconds: float  # median per step


def benchmark_model(backend: str, n_qubits: int, n_layers: int, n_classes: int) -> QuantumModel:
    gen = torch.Generator().manual_seed(0)
    return QuantumModel(n_qubits, n_layers, n_classes, SIMULATORS.get(backend), gen)


def training_step(model: QuantumModel, x: torch.Tensor, y: torch.Tensor, loop: bool, opt) -> None:
    """One optimiser step; ``loop=True`` evaluates the circuit one sample at a time."""
    opt.zero_grad()
    if loop:
        expvals = torch.stack([model.quantum(sample) for sample in x])
        logits = model.branch.readout(expvals)
    else:
        logits = model(x)
    F.cross_entropy(logits, y).backward()
    opt.step()


def time_step(backend: str, loop: bool, n_qubits=8, n_layers=2, batch=64, repeats=3, n_classes=10) -> float:
    """Median seconds of ``training_step`` after one warm-up step."""
    model = benchmark_model(backend, n_qubits, n_layers, n_classes)
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(batch, n_qubits, generator=gen, dtype=torch.float64) * torch.pi
    y = torch.randint(0, n_classes, (batch,), generator=gen)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    times = []
    for i in range(repeats + 1):
        start = time.perf_counter()
        training_step(model, x, y, loop, opt)
        if i:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_benchmark(
    backends: list[str], n_qubits=8, n_layers=2, batch=64, repeats=3, loop=True
) -> list[StepTiming]:
    """Time batched (and, if ``loop``, per-sample) steps on every available backend given."""
    out = []
    for backend in backends:
        if SIMULATORS.get(backend).probe():
            continue
        out.append(
            StepTiming(backend, "batched", time_step(backend, False, n_qubits, n_layers, batch, repeats))
        )
        if loop:
            out.append(
                StepTiming(backend, "loop", time_step(backend, True, n_qubits, n_layers, batch, repeats))
            )
    return out
