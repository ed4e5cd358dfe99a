"""Backend names to runnable backends: built-in simulators and profiles.

A name in ``suite.backends`` is a built-in simulator (``bench.core.registry.SIMULATORS``) or a
profile in ``suite.profiles`` (filled from ``backends/*.yaml`` by the suite loader). Exact
profiles become a ``Simulator`` (train-once + agreement check); the others become
evaluate-only backends: ``PennyLaneBackend`` (shots, noise channels) or ``QiskitBackend``
(fake devices, IBM), each in a ``raw`` and, with mitigation, a ``zne`` variant.
"""

from __future__ import annotations

from bench.core.registry import SIMULATORS
from bench.quantum.pennylane.simulators import Simulator
from bench.quantum.profiles import BackendProfile, native_simulator


def profile_of(suite, name: str) -> BackendProfile | None:
    """The profile behind ``name`` (``None`` for a built-in simulator)."""
    if name in SIMULATORS:
        return None
    try:
        return suite.profiles[name]
    except KeyError:
        raise KeyError(
            f"backend '{name}' is neither a built-in simulator nor a profile of suite '{suite.name}'"
        ) from None


def is_evaluate_only(suite, name: str | None) -> bool:
    profile = profile_of(suite, name) if name is not None else None
    return profile is not None and profile.evaluate_only


def kind_of(suite, name: str) -> str:
    profile = profile_of(suite, name)
    return "exact" if profile is None else profile.kind


def backend_for(suite, name: str):
    """The (raw) runnable backend of an exact name; see ``evaluation_backends`` for the others."""
    profile = profile_of(suite, name)
    if profile is None:
        return SIMULATORS.get(name)
    if profile.kind == "exact":
        return exact_backend(name, profile)
    return evaluation_backends(suite, name, seed=0)[0][1]


def exact_backend(name: str, profile: BackendProfile):
    """The simulator of an exact profile: a PennyLane device, or a native simulator with its params."""
    native = native_simulator(profile.pennylane_device)
    if native is not None:
        return native.from_profile(name, profile.params)
    return Simulator(name, profile.pennylane_device, profile.diff_method)


def evaluation_backends(suite, name: str, seed: int, context=None) -> list[tuple[str, object]]:
    """``[("raw", backend), ("zne", backend)?]`` for an evaluate-only profile.

    ``seed`` seeds sampling; ``context`` (``qiskit_exec.ExecutionContext``) says where IBM jobs
    are recorded and the budget left. The two variants of a Qiskit profile share one executor,
    so the ZNE variant reuses the raw jobs.
    """
    profile = profile_of(suite, name)
    variants = ["raw", "zne"] if profile.mitigation is not None else ["raw"]
    if profile.kind in ("fake-device", "ibm"):
        from bench.quantum.qiskit.execute import QiskitBackend, QiskitExecutor

        executor = QiskitExecutor(profile, seed, context)
        return [(v, QiskitBackend(f"{name}:{v}", executor, v)) for v in variants]
    from bench.quantum.pennylane.noise import PennyLaneBackend

    return [(v, PennyLaneBackend(f"{name}:{v}", profile, seed, v)) for v in variants]


def probe(suite, name: str) -> str | None:
    """Why ``name`` cannot run here (``None`` if it can); never raises."""
    try:
        profile = profile_of(suite, name)
    except KeyError as exc:
        return str(exc.args[0])
    return probe_profile(profile) if profile is not None else SIMULATORS.get(name).probe()


def probe_profile(profile: BackendProfile) -> str | None:
    """Why a profile cannot run here (``None`` if it can); never raises."""
    from bench.quantum.pennylane.simulators import probe as probe_device

    try:
        if profile.kind in ("fake-device", "ibm"):
            from bench.quantum.qiskit.ibm import probe as probe_qiskit

            return probe_qiskit(profile)
        if profile.kind == "exact":
            return exact_backend("probe", profile).probe()
        return probe_device(profile.pennylane_device)
    except Exception as exc:  # a probe must never raise
        return f"probe failed ({type(exc).__name__}: {exc})"
