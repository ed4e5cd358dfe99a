"""``matched-mlp``: a classical tanh MLP with the treatment's trainable-parameter count."""

from __future__ import annotations

from bench.controls.base import ControlKind
from bench.core.registry import HEADS
from bench.spec.suite import ControlsSpec, HeadRef


class MatchedMLP(ControlKind):
    """A tanh MLP whose trainable parameters match the treatment's within ``controls.param_tolerance``."""

    name = "matched-mlp"
    summary = "classical MLP with the same trainable-parameter count, +/-10 %"
    label = "classical MLP, matched params"
    marker = "s"
    runs_circuit = False

    def control_of(self, head: HeadRef, n_qubits: int, n_layers: int, controls: ControlsSpec) -> HeadRef:
        target = {"name": head.name, "params": head.params}
        raw = {"target": target, "target_layers": n_layers, "tolerance": controls.param_tolerance}
        params = HEADS.get(self.name).Params(**raw).model_dump(mode="json")
        label = f"{head.label}~{self.name}"
        return HeadRef(name=self.name, params=params, label=label, training=head.training)


MATCHED_MLP = MatchedMLP()
