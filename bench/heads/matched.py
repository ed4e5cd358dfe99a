"""The parameter-matched classical control: a tanh MLP as large as a target head, its shape from
``bench.heads.shapes.solve_shape`` (the record keeps both counts: ``metrics.param_target`` and
``metrics.param_ratio``); the torch module is ``bench.heads.models.mlp``."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from bench.core.plugin import Params
from bench.heads.base import BaseHead
from bench.heads.shapes import solve_shape


class MatchedMLPHead(BaseHead):
    """A tanh MLP whose trainable-parameter count matches a target head's (the matched classical control)."""

    name = "matched-mlp"
    uses_circuit = False
    test_params = {"target": {"name": "quantum"}, "target_layers": 1}

    class Params(Params):
        target: dict[str, Any] = Field(
            default_factory=lambda: {"name": "quantum"},
            description="The head to match, as {name, params} (params default to the head's defaults).",
        )
        target_layers: int = Field(1, ge=1, description="Circuit layer count of the target head.")
        tolerance: float = Field(
            0.1, gt=0, lt=1, description="Relative difference of trainable-parameter counts aimed for."
        )

        @model_validator(mode="after")
        def _known_target(self) -> MatchedMLPHead.Params:
            from bench.core.registry import HEADS

            name = self.target.get("name")
            if set(self.target) - {"name", "params"} or not isinstance(name, str):
                raise ValueError("target must be {name, params}")
            try:
                HEADS.get(name).Params(**self.target.get("params", {}))
            except KeyError as exc:
                raise ValueError(exc.args[0]) from None
            return self

    def target_count(self, n_inputs: int, n_classes: int) -> int:
        """Trainable parameters of the target head (built on CPU; no circuit is run)."""
        import torch

        from bench.core.registry import HEADS
        from bench.quantum.pennylane.simulators import DEFAULT_QUBIT

        spec = self.params.target
        head = HEADS.get(spec["name"]).from_dict(spec.get("params", {}))
        layers = self.params.target_layers if head.uses_circuit else None
        model = head.build(n_inputs, n_classes, layers, DEFAULT_QUBIT, torch.Generator().manual_seed(0))
        return model.trainable_count()

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        from bench.heads.models.mlp import MLPModel

        target = self.target_count(n_inputs, n_classes)
        shape = solve_shape(n_inputs, n_classes, target, self.params.tolerance)
        model = MLPModel(n_inputs, shape, n_classes, generator)
        model.param_target = target
        return model
