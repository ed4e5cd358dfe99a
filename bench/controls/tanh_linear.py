"""``tanh-linear``: the circuit replaced by ``tanh(W x + b)`` of the same width."""

from __future__ import annotations

from bench.controls.base import CIRCUIT_ONLY_OPTIONS, ControlKind
from bench.spec.suite import ControlsSpec, HeadRef


class TanhLinear(ControlKind):
    """``substitute: tanh-linear``: a classical layer where the circuit was."""

    name = "tanh-linear"
    summary = "circuit replaced by tanh(W x + b) of the same width"
    label = "circuit → tanh(linear)"
    marker = "v"
    runs_circuit = False

    def control_of(self, head: HeadRef, n_qubits: int, n_layers: int, controls: ControlsSpec) -> HeadRef:
        return self.variant(head, {"substitute": "tanh-linear"}, CIRCUIT_ONLY_OPTIONS)


TANH_LINEAR = TanhLinear()
