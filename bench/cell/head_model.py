"""Building a cell's head model with its seeded init, and reading its logits."""

from __future__ import annotations

import numpy as np
import torch

from bench.core.registry import HEADS, SIMULATORS
from bench.core.seeding import derive_seed
from bench.heads.models.base import HeadModel
from bench.plan.grid import Cell


def build_head_model(cell: Cell, n_classes: int, option: dict | None = None) -> HeadModel:
    """The head of ``cell`` for ``n_classes``, initialised from the cell's ``head-init`` seed;
    ``option`` overrides head params (one candidate of a ``select`` sweep)."""
    plugin = HEADS.get(cell.head.name).from_dict({**cell.head.params, **(option or {})})
    simulator = SIMULATORS.get(cell.trained_on) if cell.trained_on else None
    gen = torch.Generator().manual_seed(
        derive_seed(cell.seed, "head-init", cell.stream_label, cell.n_qubits, cell.n_layers)
    )
    return plugin.build(cell.n_qubits, n_classes, cell.n_layers, simulator, gen)


def head_logits(model: HeadModel, x: torch.Tensor) -> np.ndarray:
    """``model``'s logits for ``x`` in eval mode, without gradients."""
    model.eval()
    with torch.no_grad():
        return model(x).numpy()
