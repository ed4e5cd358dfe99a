"""Head contract.

A head plugin (``BaseHead``) builds a ``HeadModel``: a float64 torch module mapping
``(B, n_qubits)`` compressed inputs (angles) to ``(B, n_classes)`` logits. Every head sees the
same inputs, so the classical head is the matched control of the quantum ones.

Hooks with defaults:

* ``HeadModel.phases(epochs)`` - training schedule; default one joint phase. A phase may freeze
  parameters by name prefix (the gated hybrid's warm-up freezes the quantum branch and gate).
* ``HeadModel.epoch_log()`` - extra values recorded per epoch (the gate's ``sigmoid(a)``).
* ``HeadModel.quantum`` - the ``QuantumLayer`` if the head has a circuit, else ``None``.

Phases freeze parameters by attribute name (``Phase(frozen=("branch", "gate"))``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import nn

from bench.plugin import Plugin
from bench.quantum.backends import Simulator
from bench.quantum.layer import QuantumLayer


@dataclass(frozen=True)
class Phase:
    """A stretch of training: ``epochs`` epochs with the model attributes named in ``frozen``
    (sub-modules or parameters) held fixed."""

    name: str
    epochs: int
    frozen: tuple[str, ...] = ()


class HeadModel(nn.Module):
    """Base module of every head; subclasses implement ``forward``."""

    @property
    def quantum(self) -> QuantumLayer | None:
        return None

    def phases(self, epochs: int) -> list[Phase]:
        return [Phase("joint", epochs)]

    def epoch_log(self) -> dict[str, float]:
        return {}

    def param_counts(self) -> tuple[int, int]:
        """``(classical, quantum)`` trainable parameter counts."""
        quantum = self.quantum.weights.numel() if self.quantum is not None else 0
        total = sum(p.numel() for p in self.parameters())
        return total - quantum, quantum

    def frozen_parameters(self, phase: Phase) -> list[nn.Parameter]:
        """The parameters ``phase`` holds fixed."""
        out: list[nn.Parameter] = []
        for name in phase.frozen:
            obj = getattr(self, name)
            out.extend([obj] if isinstance(obj, nn.Parameter) else obj.parameters())
        return out

    def use_simulator(self, simulator: Simulator) -> None:
        if self.quantum is not None:
            self.quantum.use_simulator(simulator)


class BaseHead(Plugin):
    """A head plugin. ``uses_circuit`` tells the grid whether layers/backend axes apply."""

    uses_circuit: ClassVar[bool] = False

    def build(
        self,
        n_inputs: int,
        n_classes: int,
        n_layers: int | None,
        simulator: Simulator | None,
        generator: torch.Generator,
    ) -> HeadModel:
        raise NotImplementedError


def linear(n_in: int, n_out: int, generator: torch.Generator) -> nn.Linear:
    """A float64 linear layer initialised from ``generator`` (PyTorch's default init scheme)."""
    layer = nn.Linear(n_in, n_out, dtype=torch.float64)
    bound = 1.0 / n_in**0.5
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.uniform_(-bound, bound, generator=generator)
    return layer


class QuantumBranch(nn.Module):
    """Circuit then a linear read-out: ``(B, n)`` angles -> ``(B, C)`` logits."""

    def __init__(self, n_qubits: int, n_layers: int, n_classes: int, simulator: Simulator, gen: torch.Generator):
        super().__init__()
        self.circuit = QuantumLayer(n_qubits, n_layers, simulator, gen)
        self.readout = linear(n_qubits, n_classes, gen)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(self.circuit(x))
