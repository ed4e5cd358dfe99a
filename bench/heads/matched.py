"""The parameter-matched classical control: a tanh MLP as large as a target head.

``solve_widths`` picks hidden widths so that the MLP's trainable-parameter count is as close
as possible to the target's: one hidden layer when that lands within the tolerance, else two
(whose second width gives the fine steps one layer lacks). For every target of at least 20
trainable parameters, with up to 30 inputs and 100 classes, a shape within +/-10 % exists (a
test sweeps the head sizes of a grid); below that, 10 % is less than two parameters and the
closest shape is used. The record keeps both counts (``n_params_classical`` of the control, and
``metrics.param_target`` / ``metrics.param_ratio``).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from pydantic import Field, model_validator
from torch import nn

from bench.heads.base import BaseHead, HeadModel, linear
from bench.plugin import Params


def mlp_count(n_inputs: int, widths: tuple[int, ...], n_classes: int) -> int:
    """Parameters of a dense MLP ``n_inputs -> widths... -> n_classes`` with biases."""
    dims = [n_inputs, *widths, n_classes]
    return sum(dims[i] * dims[i + 1] + dims[i + 1] for i in range(len(dims) - 1))


def solve_widths(n_inputs: int, n_classes: int, target: int, tolerance: float = 0.1) -> tuple[int, ...]:
    """Hidden widths whose MLP count is closest to ``target``; one layer preferred when within
    ``tolerance`` (relative), else the closest of one or two layers (ties: fewer layers)."""
    if target < 1:
        raise ValueError(f"target parameter count must be >= 1 (got {target})")
    n, c = n_inputs, n_classes

    def near(value: float) -> set[int]:
        return {max(1, math.floor(value)), max(1, math.ceil(value))}

    candidates: list[tuple[int, ...]] = [(h,) for h in near((target - c) / (n + 1 + c))]
    h2 = 1
    while c * (h2 + 1) + h2 < target * (1 + tolerance):
        rest = target - h2 - c * (h2 + 1)
        candidates += [(h1, h2) for h1 in near(rest / (n + 1 + h2))]
        h2 += 1

    def rank(widths: tuple[int, ...]) -> tuple:
        error = abs(mlp_count(n, widths, c) - target) / target
        return (error > tolerance, len(widths) if error <= tolerance else 0, error, len(widths), widths)

    return min(candidates, key=rank)


class MLPModel(HeadModel):
    """``tanh`` MLP on the compressed input (no circuit)."""

    def __init__(self, n_inputs: int, widths: tuple[int, ...], n_classes: int, gen: torch.Generator):
        super().__init__()
        dims = [n_inputs, *widths]
        self.hidden = nn.ModuleList(linear(dims[i], dims[i + 1], gen) for i in range(len(widths)))
        self.output = linear(dims[-1], n_classes, gen)
        self.widths = widths

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.hidden:
            x = torch.tanh(layer(x))
        return self.output(x)


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
            from bench.registry import HEADS

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
        from bench.quantum.backends import DEFAULT_QUBIT
        from bench.registry import HEADS

        spec = self.params.target
        head = HEADS.get(spec["name"]).from_dict(spec.get("params", {}))
        layers = self.params.target_layers if head.uses_circuit else None
        model = head.build(n_inputs, n_classes, layers, DEFAULT_QUBIT, torch.Generator().manual_seed(0))
        return model.trainable_count()

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        target = self.target_count(n_inputs, n_classes)
        widths = solve_widths(n_inputs, n_classes, target, self.params.tolerance)
        model = MLPModel(n_inputs, widths, n_classes, generator)
        model.param_target = target
        return model
