"""``QuantumLayer``: a torch module that runs a variational circuit on a whole batch per call.

One ``forward`` is one QNode call on a ``(B, n_qubits)`` batch: parameter broadcasting on
default.qubit, the device's batch execution on lightning (PennyLane splits the broadcast tape
inside the device call), one batched state vector on torch.statevector. There is never a Python
loop over samples.

The simulator can be swapped (``use_simulator``) without touching the weights, which is how a
head trained on one exact simulator is checked and timed on another. Outside autograd
(``torch.no_grad()``) inputs and weights are detached, so adjoint devices skip computing a
Jacobian during the forward pass.

On a GPU (a head trained with ``training.device: cuda``) a simulator that ``follows_inputs``
(``torch.statevector``) runs there; any other gets CPU copies and its outputs move back.

The circuit is chosen by ``ansatz`` (see ``bench.quantum.circuits.ANSATZES``);
``entangling=False`` removes its entangling gates and ``input_scale`` multiplies the inputs
before they are encoded. Defaults reproduce the original strongly-entangling layer exactly.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from bench.quantum.base import Backend
from bench.quantum.circuits import ANSATZES, DEFAULT_ANSATZ


class QuantumLayer(nn.Module):
    """Angle-encode ``(B, n)`` inputs, apply ``n_layers`` variational layers, return ``(B, n)`` <Z>.

    Weights are drawn uniformly from ``[0, 2 pi)`` with ``generator``, in the ansatz's shape.
    """

    def __init__(
        self,
        n_qubits: int,
        n_layers: int,
        simulator: Backend,
        generator: torch.Generator,
        ansatz: str = DEFAULT_ANSATZ,
        entangling: bool = True,
        input_scale: float = 1.0,
    ):
        super().__init__()
        self.n_qubits, self.n_layers = n_qubits, n_layers
        self.ansatz, self.entangling, self.input_scale = ansatz, entangling, input_scale
        shape = ANSATZES[ansatz].weight_shape(n_layers, n_qubits)
        init = torch.rand(shape, generator=generator, dtype=torch.float64)
        self.weights = nn.Parameter(init * 2 * math.pi)
        self.circuit_executions = 0
        self._qnodes: dict[str, object] = {}
        self.simulator = simulator

    def use_simulator(self, simulator: Backend) -> None:
        """Run subsequent forwards on ``simulator`` (weights unchanged)."""
        self.simulator = simulator

    def circuit(self, inputs, weights, wires: range) -> list:
        """The ansatz's gates and <Z> measurements (called inside a QNode)."""
        return ANSATZES[self.ansatz].circuit(inputs, weights, wires, self.entangling)

    def _qnode(self):
        sim = self.simulator
        if sim.name not in self._qnodes:
            wires = range(self.n_qubits)
            self._qnodes[sim.name] = sim.qnode(
                lambda inputs, weights: self.circuit(inputs, weights, wires), self.n_qubits
            )
        return self._qnodes[sim.name]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights, home = self.weights, x.device
        if not torch.is_grad_enabled():
            x, weights = x.detach(), weights.detach()
        if self.input_scale != 1.0:
            x = x * self.input_scale
        if home.type != "cpu" and not self.simulator.follows_inputs:  # a CPU simulator, a GPU head
            x, weights = x.cpu(), weights.cpu()
        qnode = self._qnode()
        stacked = getattr(qnode, "stacked", None)  # torch.statevector: (B, n) without unbind + stack
        out = stacked(x, weights) if stacked is not None else torch.stack(list(qnode(x, weights)), dim=-1)
        self.circuit_executions += x.shape[0] if x.ndim == 2 else 1
        return out.to(torch.float64).to(home)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_qnodes"] = {}  # QNodes hold devices: rebuild after unpickling
        return state
