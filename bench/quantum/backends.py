"""Exact state-vector simulators and their availability.

A ``Simulator`` names a PennyLane device and the differentiation method that suits it
(backprop for default.qubit, adjoint for the lightning family). ``probe()`` never raises:
it returns ``None`` when the device can be built, else the reason it cannot, so a suite that
names a missing backend records those cells as skipped instead of crashing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class Simulator:
    """An exact simulator: PennyLane device name plus differentiation method."""

    name: str
    device: str
    diff_method: str

    def make_device(self, n_wires: int):
        import pennylane as qml

        return qml.device(self.device, wires=n_wires)

    def probe(self) -> str | None:
        """``None`` if usable here, else a one-line reason (never raises)."""
        return _probe(self.device)


@functools.cache
def _probe(device: str) -> str | None:
    try:
        import pennylane as qml
    except Exception as exc:  # pragma: no cover - pennylane is a hard dependency
        return f"pennylane not importable: {exc}"
    if device == "lightning.gpu":
        reason = _cuda_reason()
        if reason:
            return reason
    try:
        qml.device(device, wires=1)
    except Exception as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "not found" in text.lower() or "no module" in text.lower() or "plugin" in text.lower():
            return f"plugin not installed ({text[:160]})"
        return f"device failed to start ({type(exc).__name__}: {text[:160]})"
    return None


def _cuda_reason() -> str | None:
    """Why a CUDA device cannot run here, or ``None``."""
    try:
        import torch

        if not torch.cuda.is_available():
            return "no CUDA GPU visible (torch.cuda.is_available() is False)"
    except Exception as exc:  # pragma: no cover
        return f"cannot query CUDA ({exc})"
    return None


DEFAULT_QUBIT = Simulator("default.qubit", "default.qubit", "backprop")
LIGHTNING_QUBIT = Simulator("lightning.qubit", "lightning.qubit", "adjoint")
LIGHTNING_GPU = Simulator("lightning.gpu", "lightning.gpu", "adjoint")
LIGHTNING_KOKKOS = Simulator("lightning.kokkos", "lightning.kokkos", "adjoint")
