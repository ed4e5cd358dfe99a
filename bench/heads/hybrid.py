"""Hybrid heads: a classical and a quantum branch on the same input, fused at the logits.

Both take the circuit options of ``CircuitParams``. With ``beta = 0`` the quantum branch is
neither evaluated nor trained (it contributes exactly nothing to the logits), so the β = 0
control is a real retrain of the classical branch alone under the same schedule.
"""

from __future__ import annotations

import torch
from pydantic import Field

from bench.heads.base import BaseHead, CircuitParams, HeadModel, Phase, QuantumBranch, encoder_frozen, linear


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


class HybridFixedHead(BaseHead):
    """``logits = alpha * classical(x) + beta * quantum(x)`` (defaults from the UrbanSound8K source)."""

    name = "hybrid-fixed"
    uses_circuit = True

    class Params(CircuitParams):
        alpha: float = Field(1.0, description="Weight of the classical branch's logits.")
        beta: float = Field(
            0.5, description="Weight of the quantum branch's logits (0: quantum branch removed)."
        )

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        p = self.params
        return HybridFixedModel(n_inputs, n_layers, n_classes, simulator, generator, p.alpha, p.beta, p)


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


class HybridGatedHead(BaseHead):
    """``logits = classical(x) + beta * sigmoid(a) * quantum(x)``, trained in two phases (CIFAR-100 source).

    Phase A (warm-up): only the classical branch trains; the quantum branch and the gate are
    frozen with ``sigmoid(a)`` near 0. Phase B: everything trains jointly. ``sigmoid(a)`` is
    recorded every epoch. ``beta`` is 1 except in the β = 0 control.
    """

    name = "hybrid-gated"
    uses_circuit = True

    class Params(CircuitParams):
        gate_init: float = Field(-4.0, description="Initial gate logit a (sigmoid(-4) = 0.018).")
        warmup_epochs: int = Field(5, ge=0, description="Phase A epochs with the quantum branch frozen.")
        beta: float = Field(
            1.0, ge=0, description="Scale of the gated quantum logits; 0 removes the quantum branch (β = 0)."
        )

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        p = self.params
        return HybridGatedModel(
            n_inputs, n_layers, n_classes, simulator, generator, p.gate_init, p.warmup_epochs, p.beta, p
        )
