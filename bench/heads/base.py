"""Head contract (the shared plugin contract is ``bench.core.plugin``).

A head plugin (``BaseHead``) declares ``uses_circuit`` (whether the layers and backend axes
apply) and implements ``build(n_inputs, n_classes, n_layers, simulator, generator)``, which
returns a ``HeadModel``: a float64 torch module mapping ``(B, n_qubits)`` compressed inputs
(angles) to ``(B, n_classes)`` logits. ``n_layers`` and ``simulator`` are ``None`` for a head
without a circuit; all initial weights are drawn from ``generator`` (same generator state, same
model). A circuit runs on ``simulator`` (a ``bench.quantum.base.Backend``), one batch per call.
Every head sees the same inputs, so the classical head is the matched control of the quantum
ones.

Hooks with defaults:

* ``HeadModel.phases(epochs)`` - training schedule; default one joint phase. A phase may freeze
  parameters by name prefix (the gated hybrid's warm-up freezes the quantum branch and gate).
* ``HeadModel.epoch_log()`` - extra values recorded per epoch (the gate's ``sigmoid(a)``).
* ``HeadModel.quantum`` - the ``QuantumLayer`` if the head has a circuit, else ``None``.
* ``HeadModel.use_simulator(backend)`` - run the circuit (if any) on another backend, weights
  unchanged (evaluation on every backend of a cell).
* ``HeadModel.param_target`` - the parameter count a size-matched control was built to reach.

Phases freeze parameters by attribute name (``Phase(frozen=("branch", "gate"))``; dotted
names reach into sub-modules). ``HeadModel.always_frozen`` names parameters that never train
(the frozen-circuit control's circuit, an unused quantum branch when ``beta = 0``): they are
frozen in every phase and not counted as trainable.

Circuit heads share ``CircuitParams`` (ansatz, input scaling, and the switches the ablation
controls use: no entangling gates, frozen random circuit, circuit replaced by tanh(linear)).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
from pydantic import Field
from torch import nn

from bench.core.plugin import Params, Plugin
from bench.quantum.base import Backend
from bench.quantum.circuits import DEFAULT_ANSATZ
from bench.quantum.layer import QuantumLayer
from bench.quantum.pennylane.simulators import Simulator

AnsatzName = Literal["strongly-entangling", "basic-entangler", "zz-realamplitudes", "reuploading"]


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


class CircuitParams(Params):
    """Options every circuit head shares."""

    ansatz: AnsatzName = Field(
        DEFAULT_ANSATZ,
        description="Circuit family: strongly-entangling (AngleEmbedding + StronglyEntanglingLayers), "
        "basic-entangler (AngleEmbedding + BasicEntanglerLayers), zz-realamplitudes (ZZFeatureMap + "
        "RealAmplitudes), reuploading (data re-uploading: embedding repeated before every layer).",
    )
    input_scale: float = Field(
        1.0,
        gt=0,
        description="Input angle scaling: the circuit encodes input_scale * x (x lies in "
        "compression.angle_range).",
    )
    entangling: bool = Field(
        True, description="False removes every entangling gate of the circuit (the no-entanglement control)."
    )
    train_circuit: bool = Field(
        True,
        description="False keeps the circuit at its random initial weights; only the read-out (and a "
        "classical branch) train (the frozen-circuit control).",
    )
    substitute: Literal["none", "tanh-linear"] = Field(
        "none",
        description="'tanh-linear' replaces the circuit by tanh(W x + b) of the same width, a classical "
        "layer (the classical-substitute control); 'none' keeps the circuit.",
    )


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
        simulator: Simulator,
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
