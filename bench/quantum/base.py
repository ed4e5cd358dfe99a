"""Backend contract: what ``QuantumLayer``, evaluation and timing may rely on.

A backend runs one variational circuit for a whole batch per call. Every backend class derives
from ``Backend``; today these are ``Simulator`` (exact PennyLane state vectors, the
``SIMULATORS`` registry), ``PennyLaneBackend`` (profiles with shots, noise channels, ZNE;
``bench.quantum.pennylane.noise``) and ``QiskitBackend`` (fake devices and IBM hardware;
``bench.quantum.qiskit.execute``).

Required:

* ``name`` - the name cells and records use (a registered simulator's name is its registry key;
  profile variants are ``<profile>:raw`` / ``<profile>:zne``);
* ``qnode(circuit, n_wires)`` - a callable ``(inputs, weights) -> n_wires`` tensors of ``<Z>``
  expectation values, each ``(B,)`` for ``(B, n_wires)`` inputs: the whole batch in one call,
  never a Python loop over samples. ``circuit(inputs, weights)`` is the PennyLane gate function
  of ``QuantumLayer``;
* ``probe()`` - ``None`` when the backend can run here, else a one-line reason (missing plugin,
  no GPU, no token); never raises, so cells on a missing backend are skipped with that reason.

With defaults (override when they do not hold):

* ``evaluate_only`` (``False``) - ``True``: never used for training (shots, noise, hardware); a
  head trained on an exact simulator is evaluated on a seeded test subset;
* ``differentiable`` (``True``) - gradients of the outputs reach inputs and weights;
* ``circuits_per_input`` (``1``) - circuits executed per input item and call (ZNE: one per
  scale factor);
* ``execution_stats()`` (``None``) - a backend that submits jobs and counts its own circuits,
  shots and service usage returns its ``ExecutionStats``; ``None`` means the caller counts
  ``circuits_per_input`` circuits per item and times the QNode itself;
* ``billed`` (``False``) - its jobs cost service time (IBM hardware);
* ``follows_inputs`` (``False``) - ``True``: the qnode runs on the torch device its inputs live on
  (``torch.statevector``); otherwise ``QuantumLayer`` hands it CPU copies of inputs on a GPU and
  moves the outputs back (a head trained on CUDA);
* ``close()`` (nothing) - release connections once an evaluation is over.

A *native simulator* (a registered simulator whose ``device`` is its own, not a PennyLane device:
``torch.statevector``) also says what a backend profile naming it as ``device`` may set, so profile
validation and resolution need no code of their own for it:

* ``ProfileParams`` - the pydantic model of the profile's ``params`` (``None``: not native);
* ``profile_diff_methods`` - the ``diff_method`` values such a profile may name;
* ``from_profile(name, params)`` - the backend of a profile named ``name`` with those ``params``;
* ``describe_params(params)`` - those ``params`` in a few words, for ``bench backends``.
Native simulators are exact: a profile naming one may set no shots and no noise.

Backends are immutable values (frozen dataclasses), picklable, and cheap to build: devices
are made inside ``qnode``, not in ``__init__``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass
class ExecutionStats:
    """What a job-submitting backend did, for the record."""

    circuits: int = 0
    shots: int = 0
    jobs_submitted: int = 0
    jobs_fetched: int = 0
    job_ids: list[str] = field(default_factory=list)
    usage_seconds: float | None = None  # reported by the service (None: not reported)
    estimated_seconds: float = 0.0
    transpile_s: float = 0.0
    execution_s: float = 0.0


class Backend(ABC):
    """Base of every backend (the contract is the module docstring)."""

    name: str
    evaluate_only: ClassVar[bool] = False
    differentiable: ClassVar[bool] = True
    follows_inputs: ClassVar[bool] = False
    ProfileParams: ClassVar[type | None] = None
    profile_diff_methods: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_profile(cls, name: str, params: dict[str, Any] | None) -> Backend:
        """A native simulator's backend for a profile (see the module docstring)."""
        raise NotImplementedError(f"{cls.__name__} is not a native simulator")

    @classmethod
    def describe_params(cls, params: dict[str, Any]) -> str:
        """A native simulator's profile ``params`` in a few words."""
        return ", ".join(f"{k} {v}" for k, v in params.items())

    @abstractmethod
    def qnode(self, circuit: Callable, n_wires: int) -> Callable[[Any, Any], Any]:
        """A batched callable ``(inputs, weights) -> n_wires`` expectation tensors."""

    @abstractmethod
    def probe(self) -> str | None:
        """``None`` if usable here, else a one-line reason (never raises)."""

    @property
    def circuits_per_input(self) -> int:
        return 1

    def execution_stats(self) -> ExecutionStats | None:
        """The backend's own accounting of the circuits it ran, or ``None`` (the caller counts)."""
        return None

    @property
    def billed(self) -> bool:
        return False

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections (default: nothing to release)."""
