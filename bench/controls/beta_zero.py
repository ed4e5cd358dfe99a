"""``beta-zero``: a hybrid retrained with its quantum branch weighted 0."""

from __future__ import annotations

from bench.controls.base import CIRCUIT_ONLY_OPTIONS, ControlKind
from bench.core.registry import HEADS
from bench.spec.suite import ControlsSpec, HeadRef


class BetaZero(ControlKind):
    """``beta: 0``, for heads with a ``beta`` option whose beta is not already 0 (or is tuned)."""

    name = "beta-zero"
    summary = "hybrid retrained with beta = 0"
    label = "hybrid retrained with β = 0"
    marker = "D"
    runs_circuit = False

    def control_of(
        self, head: HeadRef, n_qubits: int, n_layers: int, controls: ControlsSpec
    ) -> HeadRef | None:
        if "beta" not in HEADS.get(head.name).Params.model_fields:
            return None
        if head.params["beta"] == 0 and "beta" not in head.select:
            return None
        return self.variant(head, {"beta": 0.0}, CIRCUIT_ONLY_OPTIONS)


BETA_ZERO = BetaZero()
