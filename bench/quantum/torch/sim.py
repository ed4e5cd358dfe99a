"""``torch.statevector``: a batched state-vector simulator in torch, compiled from the PennyLane circuit.

The circuit is never written twice: the first call of a QNode records the ansatz's PennyLane tape
once per weight shape on symbolic inputs and weights and compiles it into fused batched blocks
(``bench.quantum.torch.compile``), which ``bench.quantum.torch.run`` executes on a whole
``(B, n)`` batch per call with torch autograd, on any torch device, in complex128 (default) or
complex64. Exact only: no shots, no noise. On the CPU the program runs as one autograd node whose
forward and adjoint backward are numba loops (``bench.quantum.torch.numba_kernel``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from bench.quantum.base import Backend
from bench.quantum.torch.compile import Program

DEVICE_NAME = "torch.statevector"
DTYPES = ("complex128", "complex64")


class TorchParams(BaseModel):
    """Options of a backend profile with ``device: torch.statevector``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    device: str = Field("cpu", description="torch device the state vector lives on (cpu, cuda, cuda:1, ...).")
    dtype: Literal["complex128", "complex64"] = Field(
        "complex128", description="Amplitude precision (complex64 halves memory; agreement ~1e-6)."
    )


@dataclass(frozen=True)
class TorchStatevector(Backend):
    """The torch state-vector backend (the ``bench.quantum.base.Backend`` contract).

    ``torch_device`` is any torch device string (``cpu``, ``cuda``, ``cuda:1``); ``dtype`` is
    ``complex128`` (default) or ``complex64``.
    """

    name: str = DEVICE_NAME
    torch_device: str = "cpu"
    dtype: str = "complex128"

    device: ClassVar[str] = DEVICE_NAME
    diff_method: ClassVar[str] = "backprop"
    follows_inputs: ClassVar[bool] = True  # from the CPU default (``run_device``)
    ProfileParams: ClassVar[type[BaseModel]] = TorchParams
    profile_diff_methods: ClassVar[tuple[str, ...]] = ("best", "backprop")

    @classmethod
    def from_profile(cls, name: str, params: dict[str, Any] | None) -> TorchStatevector:
        """The backend of a ``device: torch.statevector`` profile named ``name``."""
        p = TorchParams(**(params or {}))
        return cls(name, p.device, p.dtype)

    @classmethod
    def describe_params(cls, params: dict[str, Any]) -> str:
        return f"on {params['device']}, {params['dtype']}"

    def qnode(self, circuit: Callable, n_wires: int) -> TorchQNode:
        """A callable ``(inputs, weights) ->`` one ``(B,)`` tensor per measured wire (inputs' device)."""
        return TorchQNode(circuit, n_wires, self.torch_device, self.dtype)

    def probe(self) -> str | None:
        """``None`` if usable here, else a one-line reason (never raises)."""
        return probe(self.torch_device, self.dtype)


@functools.cache
def probe(torch_device: str, dtype: str) -> str | None:
    """``None`` when torch can hold a ``dtype`` state on ``torch_device``, else a one-line reason
    (never raises). The CPU's success is remembered per installation
    (``bench.quantum.probe_cache``, so planning imports no torch); other devices are probed live."""
    if dtype not in DTYPES:
        return f"unknown dtype '{dtype}' (allowed: {', '.join(DTYPES)})"
    if torch_device == "cpu":
        from bench.quantum.probe_cache import cached_probe

        return cached_probe("torch:cpu", lambda: probe_device(torch_device))
    return probe_device(torch_device)


def probe_device(torch_device: str) -> str | None:
    """``probe`` of a device without the cache: import torch and check ``torch_device``."""
    try:
        import torch

        device = torch.device(torch_device)
    except Exception as exc:
        return f"invalid torch device '{torch_device}' ({type(exc).__name__}: {exc})"
    if device.type == "cuda":
        if not torch.cuda.is_available():
            return "no CUDA GPU visible (torch.cuda.is_available() is False)"
        if device.index is not None and device.index >= torch.cuda.device_count():
            return f"no CUDA device {device.index} (found {torch.cuda.device_count()})"
    elif device.type != "cpu":
        try:
            torch.zeros(1, device=device)
        except Exception as exc:
            return f"torch device '{torch_device}' failed ({type(exc).__name__}: {exc})"
    return None


class TorchQNode:
    """Compiles ``circuit`` per weight shape on first use, then runs whole batches."""

    def __init__(self, circuit: Callable, n_wires: int, torch_device: str, dtype: str):
        self.circuit, self.n_wires = circuit, n_wires
        self.torch_device, self.dtype = torch_device, dtype
        self._programs: dict[tuple, Program] = {}
        self._bound: dict[tuple, Callable] = {}

    def program(self, n_inputs: int, weight_shape: tuple[int, ...]) -> Program:
        key = (n_inputs, tuple(weight_shape))
        if key not in self._programs:
            self._programs[key] = Program(self.circuit, self.n_wires, n_inputs, key[1])
        return self._programs[key]

    def __call__(self, inputs, weights):
        return self.stacked(inputs, weights).unbind(-1)

    def stacked(self, inputs, weights):
        """The outputs as one ``(B, n_obs)`` tensor (``(n_obs,)`` unbatched): what ``__call__``
        returns, stacked, without the unbind and stack autograd nodes."""
        device = run_device(self.torch_device, inputs)
        key = (inputs.shape[-1], tuple(weights.shape), device)
        if key not in self._bound:
            self._bound[key] = bind_kernel(self.program(*key[:2]), device, self.dtype)
        return self._bound[key](inputs, weights)


def run_device(torch_device: str, inputs) -> str:
    """Where a call runs: the backend's ``torch_device``, except that the CPU default follows inputs
    that live on a GPU (a head trained on ``training.device: cuda``), so the state vector is built
    there and the torch kernel, not the CPU-only numba one, runs it (``bind_kernel``)."""
    on = inputs.device
    return str(on) if torch_device == "cpu" and on.type != "cpu" else torch_device


def bind_kernel(program: Program, torch_device: str, dtype: str, kernel: str = "auto") -> Callable:
    """``run(inputs, weights)`` of ``program``: on the CPU the numba kernel
    (``bench.quantum.torch.numba_kernel``, one autograd node with an adjoint backward), elsewhere the
    torch blocks (``bench.quantum.torch.run``); ``kernel`` ``"numba"`` or ``"torch"`` forces one."""
    import torch

    if kernel == "auto":
        kernel = "numba" if torch.device(torch_device).type == "cpu" else "torch"
    if kernel == "numba":
        from bench.quantum.torch.numba_kernel import bind_numba

        return bind_numba(program, dtype)
    from bench.quantum.torch.run import bind

    return bind(program, torch_device, dtype)


TORCH_STATEVECTOR = TorchStatevector()
"""The built-in ``torch.statevector``: CPU, complex128."""
