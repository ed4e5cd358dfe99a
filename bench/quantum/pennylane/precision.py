"""QNode results in double precision whatever torch's default dtype.

PennyLane's torch interface turns a device's results into tensors with ``torch.as_tensor``; the
lightning devices return Python floats, which become tensors of torch's *default* dtype (float32), so a
lightning head's ``<Z>`` values were rounded to ~6e-8 (agreement with the training simulator 5.5e-9
instead of ~1e-16) and every digit below that depended on which side of a float32 rounding boundary a
value fell. ``float64_results`` runs a QNode with float64 as the default dtype (restored afterwards;
cells run one per process thread, ``bench.run.threads``), so those floats keep their precision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Float64Results:
    """``qnode`` called with torch's default dtype set to float64 for the duration of the call."""

    def __init__(self, qnode: Callable):
        self.qnode = qnode

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        import torch

        before = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        try:
            return self.qnode(*args, **kwargs)
        finally:
            torch.set_default_dtype(before)


def float64_results(qnode: Callable) -> Float64Results:
    """``qnode`` whose results stay float64 (see the module docstring)."""
    return Float64Results(qnode)
