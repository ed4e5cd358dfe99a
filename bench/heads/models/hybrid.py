"""The hybrid heads' modules: a classical and a quantum branch on the same input, fused at the logits.

With ``beta = 0`` the quantum branch is neither evaluated nor trained (it contributes exactly
nothing to the logits), so the β = 0 control is a real retrain of the classical branch alone under
the same schedule.
"""

from __future__ import annotations

import torch

from bench.heads.models.base import HeadModel, Phase, QuantumBranch, encoder_frozen, linear
from bench.heads.options import CircuitParams


class HybridFixedModel(HeadModel):
    def __init__(
        self,
        n_qubits,
        n_layers,
        n_classes,
        simulator,
        gen,
        alpha: float,
        beta: float,
        options: CircuitParams | None = None,
    ):
        super().__init__()
        options = options or CircuitParams()
        self.classical = linear(n_qubits, n_classes, gen)
        self.branch = QuantumBranch(n_qubits, n_layers, n_classes, simulator, gen, options)
        self.alpha, self.beta = alpha, beta
        self.always_frozen = ("branch",) if beta == 0 else encoder_frozen(options)

    @property
    def quantum(self):
        return self.branch.circuit

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.beta == 0:
            return self.alpha * self.classical(x)
        return self.alpha * self.classical(x) + self.beta * self.branch(x)


class HybridGatedModel(HeadModel):
    def __init__(
        self,
        n_qubits,
        n_layers,
        n_classes,
        simulator,
        gen,
        gate_init: float,
        warmup: int,
        beta: float = 1.0,
        options: CircuitParams | None = None,
    ):
        super().__init__()
        options = options or CircuitParams()
        self.classical = linear(n_qubits, n_classes, gen)
        self.branch = QuantumBranch(n_qubits, n_layers, n_classes, simulator, gen, options)
        self.gate = torch.nn.Parameter(torch.tensor(gate_init, dtype=torch.float64))
        self.warmup, self.beta = warmup, beta
        self.always_frozen = ("branch", "gate") if beta == 0 else encoder_frozen(options)

    @property
    def quantum(self):
        return self.branch.circuit

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.beta == 0:
            return self.classical(x)
        gated = torch.sigmoid(self.gate) * self.branch(x)
        return self.classical(x) + (gated if self.beta == 1.0 else self.beta * gated)

    def phases(self, epochs: int) -> list[Phase]:
        warmup = min(self.warmup, epochs)
        phases = [Phase("warmup", warmup, frozen=("branch", "gate"))] if warmup else []
        return [*phases, Phase("joint", epochs - warmup)] if epochs > warmup else phases

    def epoch_log(self) -> dict[str, float]:
        return {} if self.beta == 0 else {"gate": float(torch.sigmoid(self.gate).detach())}
