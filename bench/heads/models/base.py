"""``HeadModel``, the torch module every head builds, and the blocks the heads share.

A ``HeadModel`` maps ``(B, n_qubits)`` compressed inputs to ``(B, n_classes)`` float64 logits.
Hooks with defaults:

* ``HeadModel.phases(epochs)`` - training schedule (``Phase``); default one joint phase. A phase
  may freeze parameters by name prefix (the gated hybrid's warm-up freezes the quantum branch and
  gate).
* ``HeadModel.epoch_log()`` - extra values recorded per epoch (the gate's ``sigmoid(a)``).
* ``HeadModel.quantum`` - the ``QuantumLayer`` if the head has a circuit, else ``None``.
* ``HeadModel.use_simulator(backend)`` - run the circuit (if any) on another backend, weights
  unchanged (evaluation on every backend of a cell).
* ``HeadModel.param_target`` - the parameter count a size-matched control was built to reach.

Phases freeze parameters by attribute name (``Phase(frozen=("branch", "gate"))``; dotted
names reach into sub-modules). ``HeadModel.always_frozen`` names parameters that never train
(the frozen-circuit control's circuit, an unused quantum branch when ``beta = 0``): they are
frozen in every phase and not counted as trainable.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch
from torch import nn

from bench.heads.options import CircuitParams
from bench.quantum.base import Backend
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

    always_frozen: tuple[str, ...] = ()
    param_target: int | None = None
    """Trainable parameters this head was sized to match (the matched-MLP control), else ``None``."""

    @property
    def quantum(self) -> QuantumLayer | None:
        return None

    def phases(self, epochs: int) -> list[Phase]:
        return [Phase("joint", epochs)]

    def epoch_log(self) -> dict[str, float]:
        return {}

    def param_counts(self) -> tuple[int, int]:
        """``(classical, quantum)`` trainable parameter counts (``always_frozen`` ones excluded)."""
        fixed = {id(p) for p in self._named_parameters(self.always_frozen)}
        quantum = self.quantum.weights if self.quantum is not None else None
        n_quantum = quantum.numel() if quantum is not None and id(quantum) not in fixed else 0
        trainable = sum(p.numel() for p in self.parameters() if id(p) not in fixed)
        return trainable - n_quantum, n_quantum

    def trainable_count(self) -> int:
        """Trainable parameters in total (what a matched control matches)."""
        return sum(self.param_counts())

    def frozen_parameters(self, phase: Phase) -> list[nn.Parameter]:
        """The parameters ``phase`` holds fixed, plus the ``always_frozen`` ones."""
        return self._named_parameters((*phase.frozen, *self.always_frozen))

    def _named_parameters(self, names: tuple[str, ...]) -> list[nn.Parameter]:
        out: list[nn.Parameter] = []
        for name in names:
            obj = functools.reduce(lambda o, part: getattr(o, part, None), name.split("."), self)
            if obj is not None:
                out.extend([obj] if isinstance(obj, nn.Parameter) else obj.parameters())
        return out

    def use_simulator(self, simulator: Backend) -> None:
        if self.quantum is not None:
            self.quantum.use_simulator(simulator)


def linear(n_in: int, n_out: int, generator: torch.Generator) -> nn.Linear:
    """A float64 linear layer initialised from ``generator`` (PyTorch's default init scheme)."""
    layer = nn.Linear(n_in, n_out, dtype=torch.float64)
    bound = 1.0 / n_in**0.5
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.uniform_(-bound, bound, generator=generator)
    return layer


class TanhLinear(nn.Module):
    """``tanh(W x + b)`` from ``n`` to ``n`` features: the classical stand-in for a circuit."""

    def __init__(self, n: int, gen: torch.Generator):
        super().__init__()
        self.linear = linear(n, n, gen)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.linear(x))


class QuantumBranch(nn.Module):
    """Circuit (or its ``tanh-linear`` substitute) then a linear read-out: ``(B, n)`` -> ``(B, C)`` logits."""

    def __init__(
        self,
        n_qubits: int,
        n_layers: int,
        n_classes: int,
        simulator: Backend,
        gen: torch.Generator,
        options: CircuitParams | None = None,
    ):
        super().__init__()
        o = options or CircuitParams()
        if o.substitute == "tanh-linear":
            self.circuit, self.substitute = None, TanhLinear(n_qubits, gen)
        else:
            self.circuit = QuantumLayer(
                n_qubits, n_layers, simulator, gen, o.ansatz, o.entangling, o.input_scale
            )
            self.substitute = None
        self.readout = linear(n_qubits, n_classes, gen)

    @property
    def encoder(self) -> nn.Module:
        """What maps the inputs to ``n`` features: the circuit or its substitute."""
        return self.circuit if self.circuit is not None else self.substitute

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(self.encoder(x))


def encoder_frozen(options: CircuitParams) -> tuple[str, ...]:
    """``always_frozen`` entry of a model whose ``branch`` is a ``QuantumBranch`` built with ``options``."""
    return () if options.train_circuit else ("branch.encoder",)
