"""``python -m bench benchmark``: one training step of the quantum head, batched vs per-sample loop,
and (``--widths``) exact simulators side by side across circuit widths.

A step is forward + cross-entropy + backward + Adam update of the quantum head (circuit +
linear read-out) on one batch. "batched" sends the whole batch through one QNode call
(broadcasting / device batch execution); "loop" calls the same circuit once per sample, the
pattern this harness never uses, kept here only as the reference it is measured against.

``width_table`` times the batched step of several simulators at each width in one process (one
torch thread by default, so the comparison is of algorithms, not of thread pools). When a CUDA
device is visible it adds torch.statevector on CUDA and lightning.gpu, and ``crossover`` names
the first width from which the GPU beats torch.statevector on the CPU.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from bench.core.registry import SIMULATORS
from bench.heads.models.quantum import QuantumModel


@dataclass
class StepTiming:
    backend: str
    mode: str  # "batched" | "loop"
    seconds: float  # median per step


def benchmark_model(backend, n_qubits: int, n_layers: int, n_classes: int) -> QuantumModel:
    """A quantum head on ``backend`` (a simulator name or a backend object)."""
    gen = torch.Generator().manual_seed(0)
    simulator = SIMULATORS.get(backend) if isinstance(backend, str) else backend
    return QuantumModel(n_qubits, n_layers, n_classes, simulator, gen)


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


def time_step(
    backend, loop: bool, n_qubits=8, n_layers=2, batch=64, repeats=3, n_classes=10, budget_s=None
) -> float:
    """Median seconds of ``training_step`` after one warm-up step; with ``budget_s``, fewer repeats
    once the steps so far have taken that long (at least one timed step)."""
    model = benchmark_model(backend, n_qubits, n_layers, n_classes)
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(batch, n_qubits, generator=gen, dtype=torch.float64) * torch.pi
    y = torch.randint(0, n_classes, (batch,), generator=gen)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    times, spent = [], 0.0
    for i in range(repeats + 1):
        start = time.perf_counter()
        training_step(model, x, y, loop, opt)
        spent += time.perf_counter() - start
        if i:
            times.append(time.perf_counter() - start)
            if budget_s is not None and spent > budget_s:
                break
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


@dataclass
class WidthTable:
    """Median seconds per training step: ``seconds[backend][n_qubits]`` (``None`` = not run)."""

    backends: list[str]
    widths: list[int]
    seconds: dict[str, dict[int, float | None]]
    threads: int
    skipped: dict[str, str]  # backend -> reason it was not timed

    def ratio(self, slow: str, fast: str, n: int) -> float | None:
        a, b = self.seconds.get(slow, {}).get(n), self.seconds.get(fast, {}).get(n)
        return a / b if a and b else None

    def crossover(self, cpu: str = "torch.statevector", gpu: str = "torch.statevector:cuda") -> int | None:
        """The smallest width from which ``gpu`` is faster than ``cpu`` at every larger measured width."""
        found = None
        for n in sorted(self.widths, reverse=True):
            ratio = self.ratio(cpu, gpu, n)
            if ratio is None or ratio <= 1:
                break
            found = n
        return found


def gpu_backends() -> dict[str, object]:
    """torch.statevector on CUDA and lightning.gpu, when a CUDA device is visible (else empty)."""
    from bench.quantum.torch.sim import TorchStatevector

    cuda = TorchStatevector("torch.statevector:cuda", torch_device="cuda")
    if cuda.probe() is not None:
        return {}
    return {cuda.name: cuda, "lightning.gpu": SIMULATORS.get("lightning.gpu")}


def width_table(
    backends: list[str], widths: list[int], n_layers=2, batch=64, repeats=3, threads=1, budget_s=30.0
) -> WidthTable:
    """Time the batched training step of every available backend at every width, in this process,
    with ``threads`` torch threads (restored afterwards)."""
    candidates = {name: SIMULATORS.get(name) for name in backends} | gpu_backends()
    skipped = {n: r for n, b in candidates.items() if (r := b.probe())}
    available = {n: b for n, b in candidates.items() if n not in skipped}
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        seconds: dict[str, dict[int, float | None]] = {name: {} for name in available}
        for n in widths:  # widths outside, so both simulators of a row see the same machine load
            for name, b in available.items():
                seconds[name][n] = time_step(b, False, n, n_layers, batch, repeats, budget_s=budget_s)
    finally:
        torch.set_num_threads(before)
    return WidthTable(list(available), list(widths), seconds, threads, skipped)
