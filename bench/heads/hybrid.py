"""Hybrid heads: a classical and a quantum branch on the same input, fused at the logits
(``bench.heads.models.hybrid``).

Both take the circuit options of ``CircuitParams``. With ``beta = 0`` the quantum branch is
neither evaluated nor trained (it contributes exactly nothing to the logits), so the β = 0
control is a real retrain of the classical branch alone under the same schedule.
"""

from __future__ import annotations

from pydantic import Field

from bench.heads.base import BaseHead
from bench.heads.options import CircuitParams


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
        from bench.heads.models.hybrid import HybridFixedModel

        p = self.params
        return HybridFixedModel(n_inputs, n_layers, n_classes, simulator, generator, p.alpha, p.beta, p)


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
        from bench.heads.models.hybrid import HybridGatedModel

        p = self.params
        return HybridGatedModel(
            n_inputs, n_layers, n_classes, simulator, generator, p.gate_init, p.warmup_epochs, p.beta, p
        )
