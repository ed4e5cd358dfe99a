"""PennyLane-side execution of a profile: shots, noise channels and zero-noise extrapolation.

``PennyLaneBackend`` runs a circuit on the profile's PennyLane device as one broadcast QNode
call per batch. Noise channels are inserted by transforms: the circuit is first decomposed
into native gates (``NATIVE_GATES``, so "after every gate" means after every native gate, as on
hardware), then ``qml.noise.insert`` adds the channel after each gate on every wire it touches.
The ``zne`` variant wraps the QNode in ``qml.noise.mitigate_with_zne`` (global folding) *before*
the noise transforms, so the folded circuits are the noisy ones.

Sampling is seeded: the device gets ``seed`` (derived from the cell), so the same cell draws the
same shots.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.quantum.base import Backend
from bench.quantum.pennylane.precision import float64_results
from bench.quantum.pennylane.simulators import probe
from bench.quantum.profiles import BackendProfile, MitigationSpec

NATIVE_GATES = frozenset(
    {"RX", "RY", "RZ", "Rot", "PhaseShift", "CNOT", "CZ", "Hadamard", "PauliX", "PauliY", "PauliZ", "S", "T"}
)
"""Gates noise is attached to; templates and other gates are decomposed into these first."""


def with_channel_noise(qnode, kind: str, strength: float):
    """``qnode`` with ``kind`` (depolarizing / amplitude_damping) of ``strength`` after every native gate."""
    import pennylane as qml

    channel = {"depolarizing": qml.DepolarizingChannel, "amplitude_damping": qml.AmplitudeDamping}[kind]
    decomposed = qml.transforms.decompose(qnode, gate_set=set(NATIVE_GATES))
    return qml.noise.insert(decomposed, channel, strength, position="all")


def extrapolator(spec: MitigationSpec):
    """``(function, kwargs)`` of the PennyLane extrapolation named by ``spec``."""
    import pennylane as qml

    if spec.extrapolation == "richardson":
        return qml.noise.richardson_extrapolate, {}
    if spec.extrapolation == "linear":
        return qml.noise.poly_extrapolate, {"order": 1}
    return qml.noise.exponential_extrapolate, {}


def with_zne(qnode, spec: MitigationSpec):
    """``qnode`` mitigated by zero-noise extrapolation (global folding at ``spec.scale_factors``)."""
    import pennylane as qml

    extrapolate, kwargs = extrapolator(spec)
    return qml.noise.mitigate_with_zne(
        qnode,
        scale_factors=list(spec.scale_factors),
        folding=qml.noise.fold_global,
        extrapolate=extrapolate,
        extrapolate_kwargs=kwargs or None,
    )


def _device(name: str, n_wires: int, seed: int):
    import pennylane as qml

    try:
        return qml.device(name, wires=n_wires, seed=seed)
    except TypeError:  # a device without a seed argument: sampling is then not reproducible
        return qml.device(name, wires=n_wires)


@dataclass(frozen=True)
class PennyLaneBackend(Backend):
    """A profile run on a PennyLane device (exact, shots, or noise channels on default.mixed).

    ``variant`` is ``"raw"`` or ``"zne"`` (mitigated); both exist only when the profile has
    ``mitigation``. ``seed`` seeds the device's sampling.
    """

    name: str
    profile: BackendProfile
    seed: int = 0
    variant: str = "raw"

    @property
    def evaluate_only(self) -> bool:  # type: ignore[override]
        return self.profile.evaluate_only

    @property
    def differentiable(self) -> bool:  # type: ignore[override]
        """Analytic (no shots) raw circuits can be differentiated in broadcast mode."""
        return self.profile.shots is None and self.variant == "raw"

    @property
    def circuits_per_input(self) -> int:
        """Circuits executed per input item (one per ZNE scale factor for the mitigated variant)."""
        if self.variant == "zne" and self.profile.mitigation is not None:
            return len(self.profile.mitigation.scale_factors)
        return 1

    def probe(self) -> str | None:
        return probe(self.profile.pennylane_device)

    def qnode(self, circuit, n_wires: int):
        import pennylane as qml

        p = self.profile
        qnode = qml.QNode(
            circuit,
            _device(p.pennylane_device, n_wires, self.seed),
            interface="torch",
            diff_method=p.diff_method,
        )
        if p.shots is not None:
            qnode = qml.set_shots(qnode, shots=p.shots)
        if self.variant == "zne" and p.mitigation is not None:
            qnode = with_zne(qnode, p.mitigation)
        channel = p.noise.channel if p.noise is not None else None
        if channel is not None:
            qnode = with_channel_noise(qnode, *channel)
        return float64_results(qnode)
