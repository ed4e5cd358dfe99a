"""The parameter-matched classical control: a tanh MLP as large as a target head.

``solve_shape`` picks the MLP's shape so that its trainable-parameter count is as close as
possible to the target's. Shapes are tried in this order of preference, the first within the
tolerance winning (then the smallest error): one hidden layer with biases; one hidden layer with
the hidden and/or output bias left out; two hidden layers (with, then without biases), whose
second width gives the fine steps one layer lacks. For every head of the grids the tests sweep
(up to 16 qubits, 10 classes, 4 layers, every ansatz, frozen or not) a shape within +/-10 %
exists; when none does, the closest is used. The record keeps both counts
(``metrics.param_target`` and ``metrics.param_ratio``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from pydantic import Field, model_validator
from torch import nn

from bench.core.plugin import Params
from bench.heads.base import BaseHead, HeadModel, linear


@dataclass(frozen=True)
class MLPShape:
    """Hidden widths (one or two) and whether hidden / output layers have biases."""

    widths: tuple[int, ...]
    hidden_bias: bool = True
    output_bias: bool = True

    def count(self, n_inputs: int, n_classes: int) -> int:
        dims = [n_inputs, *self.widths, n_classes]
        weights = sum(dims[i] * dims[i + 1] for i in range(len(dims) - 1))
        return weights + self.hidden_bias * sum(self.widths) + self.output_bias * n_classes


_BIASES = ((True, True), (False, True), (True, False), (False, False))


def _near(value: float) -> set[int]:
    return {max(1, math.floor(value)), max(1, math.ceil(value))}


def _one_hidden(n: int, c: int, target: int) -> list[MLPShape]:
    return [MLPShape((h,), hb, ob) for hb, ob in _BIASES for h in _near((target - ob * c) / (n + hb + c))]


def _two_hidden(n: int, c: int, target: int, tolerance: float) -> list[MLPShape]:
    out = []
    for hb, ob in _BIASES:
        h2 = 1
        while h2 * (hb + c) + ob * c < target * (1 + tolerance):
            rest = target - h2 * (hb + c) - ob * c
            out += [MLPShape((h1, h2), hb, ob) for h1 in _near(rest / (n + hb + h2))]
            h2 += 1
    return out


def solve_shape(n_inputs: int, n_classes: int, target: int, tolerance: float = 0.1) -> MLPShape:
    """The MLP shape for ``target`` trainable parameters (see the module docstring)."""
    if target < 1:
        raise ValueError(f"target parameter count must be >= 1 (got {target})")

    def error(shape: MLPShape) -> float:
        return abs(shape.count(n_inputs, n_classes) - target) / target

    candidates = _one_hidden(n_inputs, n_classes, target)
    if not any(error(shape) <= tolerance for shape in candidates):
        candidates += _two_hidden(n_inputs, n_classes, target, tolerance)
    fitting = [shape for shape in candidates if error(shape) <= tolerance]
    if fitting:
        return min(fitting, key=lambda shape: (_preference(shape), error(shape)))
    return min(candidates, key=lambda shape: (error(shape), _preference(shape)))


def _preference(shape: MLPShape) -> tuple[int, int]:
    return (len(shape.widths), _BIASES.index((shape.hidden_bias, shape.output_bias)))


def mlp_count(n_inputs: int, widths: tuple[int, ...], n_classes: int) -> int:
    """Parameters of a dense MLP ``n_inputs -> widths... -> n_classes`` with biases."""
    return MLPShape(widths).count(n_inputs, n_classes)


def _dense(n_in: int, n_out: int, bias: bool, gen: torch.Generator) -> nn.Linear:
    layer = linear(n_in, n_out, gen)
    if not bias:
        layer.register_parameter("bias", None)
    return layer


class MLPModel(HeadModel):
    """``tanh`` MLP on the compressed input (no circuit)."""

    def __init__(self, n_inputs: int, shape: MLPShape, n_classes: int, gen: torch.Generator):
        super().__init__()
        dims = [n_inputs, *shape.widths]
        self.hidden = nn.ModuleList(
            _dense(dims[i], dims[i + 1], shape.hidden_bias, gen) for i in range(len(shape.widths))
        )
        self.output = _dense(dims[-1], n_classes, shape.output_bias, gen)
        self.shape = shape

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
        from bench.core.registry import HEADS
        from bench.quantum.pennylane.simulators import DEFAULT_QUBIT

        spec = self.params.target
        head = HEADS.get(spec["name"]).from_dict(spec.get("params", {}))
        layers = self.params.target_layers if head.uses_circuit else None
        model = head.build(n_inputs, n_classes, layers, DEFAULT_QUBIT, torch.Generator().manual_seed(0))
        return model.trainable_count()

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        target = self.target_count(n_inputs, n_classes)
        shape = solve_shape(n_inputs, n_classes, target, self.params.tolerance)
        model = MLPModel(n_inputs, shape, n_classes, generator)
        model.param_target = target
        return model
