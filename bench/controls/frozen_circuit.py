"""``frozen-circuit``: random circuit weights frozen, only the read-out trains."""

from __future__ import annotations

from bench.controls.base import ControlKind
from bench.spec.suite import ControlsSpec, HeadRef


class FrozenCircuit(ControlKind):
    """``train_circuit: false``, when the treatment trains its circuit."""

    name = "frozen-circuit"
    summary = "random circuit weights frozen, only the read-out trains"
    label = "random frozen circuit"
    marker = "X"
    runs_circuit = True

    def control_of(
        self, head: HeadRef, n_qubits: int, n_layers: int, controls: ControlsSpec
    ) -> HeadRef | None:
        return self.variant(head, {"train_circuit": False}) if head.params["train_circuit"] else None


FROZEN_CIRCUIT = FrozenCircuit()
