"""``no-entanglement``: the treatment with every entangling gate removed."""

from __future__ import annotations

from bench.controls.base import ControlKind
from bench.spec.suite import ControlsSpec, HeadRef


class NoEntanglement(ControlKind):
    """``entangling: false``; only from 2 qubits, and only when the treatment entangles."""

    name = "no-entanglement"
    summary = "entangling gates removed"
    label = "no entangling gates"
    marker = "^"
    runs_circuit = True

    def control_of(
        self, head: HeadRef, n_qubits: int, n_layers: int, controls: ControlsSpec
    ) -> HeadRef | None:
        from bench.quantum.circuits import has_entangling_gates

        if not (head.params["entangling"] and has_entangling_gates(n_qubits)):
            return None
        return self.variant(head, {"entangling": False})


NO_ENTANGLEMENT = NoEntanglement()
