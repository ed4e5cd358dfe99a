"""The shape of the parameter-matched control's tanh MLP (``bench.heads.matched``); no torch.

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
