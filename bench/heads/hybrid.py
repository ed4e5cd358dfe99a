"""Hybrid heads: a classical and a quantum branch on the same input, fused at the logits."""

from __future__ import annotations

import torch
from pydantic import Field

from bench.heads.base import BaseHead, HeadModel, Phase, QuantumBranch, linear
from bench.plugin import Params


class HybridFixedModel(HeadModel):
    def __init__(self, n_qubits, n_layers, n_classes, simulator, gen, alpha: float, beta: float):
        super().__init__()
        self.classical = linear(n_qubits, n_classes, gen)
        self.branch = QuantumBranch(n_qubits, n_layers, n_classes, simulator, gen)
        self.alpha, self.beta = alpha, beta

    @property
    def quantum(self):
        return self.branch.circuit

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.alpha * self.classical(x) + self.beta * self.branch(x)


class HybridFixedHead(BaseHead):
    """``logits = alpha * classical(x) + beta * quantum(x)`` (defaults from the UrbanSound8K source)."""

    name = "hybrid-fixed"
    uses_circuit = True

    class Params(Params):
        alpha: float = Field(1.0, description="Weight of the classical branch's logits.")
        beta: float = Field(0.5, description="Weight of the quantum branch's logits.")

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        p = self.params
        return HybridFixedModel(n_inputs, n_layers, n_classes, simulator, generator, p.alpha, p.beta)


class HybridGatedModel(HeadModel):
    def __init__(self, n_qubits, n_layers, n_classes, simulator, gen, gate_init: float, warmup: int):
        super().__init__()
        self.classical = linear(n_qubits, n_classes, gen)
        self.branch = QuantumBranch(n_qubits, n_layers, n_classes, simulator, gen)
        self.gate = torch.nn.Parameter(torch.tensor(gate_init, dtype=torch.float64))
        self.warmup = warmup

    @property
    def quantum(self):
        return self.branch.circuit

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classical(x) + torch.sigmoid(self.gate) * self.branch(x)

    def phases(self, epochs: int) -> list[Phase]:
        warmup = min(self.warmup, epochs)
        phases = [Phase("warmup", warmup, frozen=("branch", "gate"))] if warmup else []
        return [*phases, Phase("joint", epochs - warmup)] if epochs > warmup else phases

    def epoch_log(self) -> dict[str, float]:
        return {"gate": float(torch.sigmoid(self.gate).detach())}


class HybridGatedHead(BaseHead):
    """``logits = classical(x) + sigmoid(a) * quantum(x)``, trained in two phases (CIFAR-100 source).

    Phase A (warm-up): only the classical branch trains; the quantum branch and the gate are
    frozen with ``sigmoid(a)`` near 0. Phase B: everything trains jointly. ``sigmoid(a)`` is
    recorded every epoch.
    """

    name = "hybrid-gated"
    uses_circuit = True

    class Params(Params):
        gate_init: float = Field(-4.0, description="Initial gate logit a (sigmoid(-4) = 0.018).")
        warmup_epochs: int = Field(5, ge=0, description="Phase A epochs with the quantum branch frozen.")

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        p = self.params
        return HybridGatedModel(
            n_inputs, n_layers, n_classes, simulator, generator, p.gate_init, p.warmup_epochs
        )
