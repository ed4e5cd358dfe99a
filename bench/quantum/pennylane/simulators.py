"""Exact state-vector simulators and their availability.

A ``Simulator`` names a PennyLane device and the differentiation method that suits it
(backprop for default.qubit, adjoint for the lightning family). ``probe()`` never raises:
it returns ``None`` when the device can be built, else the reason it cannot, so a suite that
names a missing backend records those cells as skipped instead of crashing. A success is
remembered per installation (``bench.quantum.probe_cache``): planning imports no PennyLane.

``Simulator`` implements the backend contract of ``bench.quantum.base.Backend`` (as do the
profile backends of ``bench.quantum.resolve``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from bench.quantum.base import Backend
from bench.quantum.pennylane.precision import float64_results


@dataclass(frozen=True)
class Simulator(Backend):
    """An exact simulator: PennyLane device name plus differentiation method."""

    name: str
    device: str
    diff_method: str

    def make_device(self, n_wires: int):
        import pennylane as qml

        return qml.device(self.device, wires=n_wires)

    def qnode(self, circuit, n_wires: int):
        """A torch QNode of ``circuit`` on a fresh ``n_wires`` device, its results in float64
        (``bench.quantum.pennylane.precision``)."""
        import pennylane as qml

        node = qml.QNode(circuit, self.make_device(n_wires), interface="torch", diff_method=self.diff_method)
        return float64_results(node)

    def probe(self) -> str | None:
        """``None`` if usable here, else a one-line reason (never raises)."""
        return probe(self.device)


HARDWARE_DEVICES = frozenset({"lightning.gpu", "lightning.kokkos"})
"""Devices whose availability depends on the machine's GPU or build, not only on what is installed:
probed live every time, never taken from ``bench.quantum.probe_cache``."""


@functools.cache
def probe(device: str) -> str | None:
    """``None`` when PennyLane can build ``device`` here, else a one-line reason (never raises). A
    success of a device outside ``HARDWARE_DEVICES`` is remembered per installation
    (``bench.quantum.probe_cache``), so later processes need not import PennyLane to know it."""
    if device in HARDWARE_DEVICES:
        return probe_live(device)
    from bench.quantum.probe_cache import cached_probe

    return cached_probe(f"pennylane:{device}", lambda: probe_live(device))


def probe_live(device: str) -> str | None:
    """``probe`` without the cache: import PennyLane and build a one-wire ``device``."""
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
            return f"plugin not installed ({text[:160]}){_device_hint(device)}"
        return f"device failed to start ({type(exc).__name__}: {text[:160]})"
    return None


def _device_hint(device: str) -> str:
    """``; did you mean 'x'?`` against the installed PennyLane devices (not for known plugin devices)."""
    from bench.core.errors import did_you_mean

    if device in KNOWN_PLUGIN_DEVICES:
        return ""
    try:
        from pennylane.devices.device_constructor import plugin_devices
    except Exception:  # pragma: no cover - private location changed
        return ""
    return did_you_mean(device, plugin_devices)


KNOWN_PLUGIN_DEVICES = frozenset(
    {
        "lightning.gpu",
        "lightning.kokkos",
        "lightning.tensor",
        "qiskit.aer",
        "qiskit.remote",
        "qiskit.basicsim",
    }
)
"""Real device names shipped by optional plugins: a missing one gets no "did you mean"."""


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
