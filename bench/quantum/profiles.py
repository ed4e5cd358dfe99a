"""Backend profiles: how a circuit is executed, as frozen, validated data.

A profile names a PennyLane device, shots, differentiation method, an optional noise model,
an optional error mitigation and optional IBM Quantum settings. It is written as YAML
(``backends/<name>.yaml``, the file stem is the name) or inline under a suite's ``profiles``
key. The four exact simulators (``default.qubit``, ``lightning.qubit``, ``lightning.gpu``,
``lightning.kokkos``) are built in and need no profile.

Every profile has a *kind*, derived from its fields:

* ``exact``       - no shots, no noise, no IBM: a state-vector simulator. Exact backends train
  heads and must reproduce the trainer's outputs (agreement check).
* ``shots``       - exact device sampled with a finite number of shots.
* ``noisy``       - depolarizing or amplitude-damping channels after every gate on a
  mixed-state simulator (``default.mixed``), optionally with shots.
* ``fake-device`` - a fake IBM device snapshot (``qiskit_ibm_runtime.fake_provider``): its
  coupling map, basis gates and qiskit-aer noise model (``NoiseModel.from_backend``).
* ``ibm``         - IBM Quantum hardware through qiskit-ibm-runtime (or, with
  ``ibm.rehearse``, a local fake backend standing in for the service).

All kinds but ``exact`` are evaluate-only: they score a head trained on an exact simulator on
a stratified, seeded test subset of ``eval_samples`` items.

This module imports only pydantic: validating a suite never imports PennyLane or Qiskit.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)


def native_simulator(device: str | None) -> type | None:
    """The backend class of the registered native simulator named ``device`` (one that is not a
    PennyLane device and declares ``ProfileParams``, see ``bench.quantum.base``), else ``None``."""
    from bench.core.registry import SIMULATORS

    if device is None or device not in SIMULATORS:
        return None
    cls = type(SIMULATORS.get(device))
    return cls if cls.ProfileParams is not None else None


def native_simulators() -> list[str]:
    """Names of the registered native simulators (the devices a profile may give ``params``)."""
    from bench.core.registry import SIMULATORS

    return [name for name in SIMULATORS.names() if native_simulator(name) is not None]


MIXED_STATE_DEVICES = ("default.mixed",)
"""PennyLane devices that can apply noise channels (density-matrix simulators)."""

DIFF_METHODS = ("best", "backprop", "adjoint", "parameter-shift", "finite-diff", "hadamard", "spsa", "device")
"""PennyLane's differentiation methods (``qml.QNode(diff_method=...)``)."""
_NOT_ON_DEVICE = {
    "default.qubit": ("device",),
    "default.mixed": ("adjoint", "device"),
    "lightning.qubit": ("backprop", "device"),
    "lightning.gpu": ("backprop", "device"),
    "lightning.kokkos": ("backprop", "device"),
}
"""Methods the known devices reject (PennyLane 0.4x); other devices are checked against
``DIFF_METHODS`` only."""
_NOT_WITH_SHOTS = ("backprop", "adjoint")


def diff_methods_for(device: str | None, shots: int | None) -> tuple[str, ...]:
    """The differentiation methods a profile on ``device`` (``None``: Qiskit path, where the method
    is not used) with ``shots`` may name."""
    refused = set(_NOT_ON_DEVICE.get(device or "", ()))
    if shots is not None and device is not None:
        refused |= set(_NOT_WITH_SHOTS)
    return tuple(m for m in DIFF_METHODS if m not in refused)


Kind = Literal["exact", "shots", "noisy", "fake-device", "ibm"]
EVALUATE_ONLY_KINDS = ("shots", "noisy", "fake-device", "ibm")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoiseSpec(_Frozen):
    """Exactly one noise source: a channel strength, or a fake IBM device snapshot."""

    depolarizing: float | None = Field(
        None,
        ge=0,
        le=0.75,
        description="Depolarizing probability p applied after every native gate, on each wire it acts on.",
    )
    amplitude_damping: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Amplitude-damping gamma applied after every native gate, on each wire it acts on.",
    )
    fake_device: str | None = Field(
        None,
        pattern=r"^Fake[A-Za-z0-9]+$",
        description="Fake IBM device class from qiskit_ibm_runtime.fake_provider (e.g. FakeManilaV2): its "
        "coupling map, basis gates and qiskit-aer noise model (NoiseModel.from_backend).",
    )
    optimization_level: int = Field(
        1, ge=0, le=3, description="fake_device only: Qiskit transpiler optimization level."
    )
    seed_transpiler: int = Field(0, ge=0, description="fake_device only: seed of the Qiskit transpiler.")

    @model_validator(mode="after")
    def _exactly_one(self) -> NoiseSpec:
        sources = ("depolarizing", "amplitude_damping", "fake_device")
        given = [k for k in sources if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of depolarizing, amplitude_damping, fake_device (got {given or 'none'})"
            )
        return self

    @property
    def channel(self) -> tuple[str, float] | None:
        """``("depolarizing", p)`` / ``("amplitude_damping", gamma)``, or ``None`` for a fake device."""
        for name in ("depolarizing", "amplitude_damping"):
            value = getattr(self, name)
            if value is not None:
                return name, value
        return None


class MitigationSpec(_Frozen):
    """Zero-noise extrapolation: circuits folded globally at each scale factor, then extrapolated to 0.

    The unmitigated result is the scale-1 circuit, so a mitigated profile reports both (separate
    report rows) for the price of the folded circuits.
    """

    method: Literal["zne"] = Field("zne", description="Mitigation method (zero-noise extrapolation).")
    scale_factors: list[float] = Field(
        default_factory=lambda: [1.0, 3.0, 5.0],
        min_length=2,
        description="Noise scale factors (odd integers fold exactly: U (U^dagger U)^k); must include 1.",
    )
    extrapolation: Literal["richardson", "linear", "exponential"] = Field(
        "richardson",
        description="Extrapolation to zero noise (PennyLane's richardson / poly order 1 / "
        "exponential extrapolators).",
    )

    @model_validator(mode="after")
    def _scales(self) -> MitigationSpec:
        scales = self.scale_factors
        if 1.0 not in scales or len(set(scales)) != len(scales) or any(s < 1 for s in scales):
            raise ValueError(f"scale_factors must be distinct, >= 1 and include 1 (got {scales})")
        if any(abs(s - round(s)) > 1e-9 or round(s) % 2 == 0 for s in scales):
            raise ValueError(f"scale_factors must be odd integers (got {scales})")
        return self


class IbmSpec(_Frozen):
    """IBM Quantum execution. The token comes from ``QISKIT_IBM_TOKEN`` or a saved account, never YAML."""

    backend: str = Field(
        description="IBM backend name (e.g. ibm_brisbane); with rehearse, a fake device class (FakeManilaV2)."
    )
    instance: str | None = Field(None, description="IBM Quantum instance (CRN or hub/group/project).")
    channel: Literal["ibm_quantum_platform", "ibm_cloud", "ibm_quantum"] = Field(
        "ibm_quantum_platform", description="qiskit-ibm-runtime channel."
    )
    mode: Literal["job", "batch", "session"] = Field(
        "batch", description="Execution mode: one job per submission, a Batch, or a Session."
    )
    optimization_level: int = Field(1, ge=0, le=3, description="Qiskit transpiler optimization level.")
    resilience_level: int = Field(
        0,
        ge=0,
        le=2,
        description="Runtime resilience level (0 none, 1 TREX, 2 ZNE+TREX); no effect on fakes.",
    )
    seed_transpiler: int = Field(0, ge=0, description="Seed of the Qiskit transpiler.")
    max_shots: int = Field(
        200_000, ge=1, description="Cap on shots per cell (all its jobs); over it the cell is skipped."
    )
    max_qpu_seconds: float = Field(
        300.0, gt=0, description="Cap on estimated QPU seconds per cell; over it the cell is skipped."
    )
    max_circuits_per_job: int = Field(
        500, ge=1, description="Parameter bindings per job; larger evaluations are split into several jobs."
    )
    seconds_per_shot: float = Field(
        0.00025, gt=0, description="Cost model: QPU seconds per shot (IBM default repetition delay 250 us)."
    )
    seconds_per_job: float = Field(2.0, ge=0, description="Cost model: fixed QPU seconds per job.")
    rehearse: bool = Field(
        False,
        description="Rehearse offline: the fake device named by backend stands in for the service "
        "(same submission, job ledger, budget and resume path; usage is the cost model's estimate).",
    )


class BackendProfile(_Frozen):
    """How circuits run: device, shots, differentiation, noise, mitigation, IBM settings."""

    description: str = Field("", description="Free text shown by `python -m bench backends`.")
    device: str | None = Field(
        None,
        description="PennyLane device name (any installed device); default default.qubit, or "
        "default.mixed when noise is a channel. Not used by fake_device and ibm profiles.",
    )
    diff_method: str = Field(
        "best",
        description="PennyLane differentiation method (best, backprop, adjoint, parameter-shift, ...).",
    )
    shots: int | None = Field(
        None,
        ge=1,
        description="Shots per circuit; null = exact expectation values. Required by fake_device "
        "and ibm profiles.",
    )
    noise: NoiseSpec | None = Field(None, description="Noise model (one source).")
    mitigation: MitigationSpec | None = Field(None, description="Error mitigation (needs noise or ibm).")
    ibm: IbmSpec | None = Field(
        None, description="IBM Quantum settings (hardware, or a rehearsal on a fake)."
    )
    eval_samples: int = Field(
        64, ge=1, description="Evaluate-only kinds: size of the stratified, seeded test subset scored here."
    )
    max_qubits: int | None = Field(
        None,
        ge=1,
        description="Practical maximum width: timing sweeps stop here (they also stop at the device size, "
        "the memory guard and max_seconds).",
    )
    params: dict[str, Any] | None = Field(
        None,
        description="Options of a native simulator named by device (see its section below, e.g. "
        "torch.statevector: {device: cuda, dtype: complex64}); validated and normalised by that simulator.",
    )

    @field_validator("params")
    @classmethod
    def _native_params(cls, params: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
        native = native_simulator(info.data.get("device"))
        if params is None or native is None:
            return params  # a device without options: the model check below says so
        try:
            return native.ProfileParams(**params).model_dump(mode="json")
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ValueError(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None

    @model_serializer(mode="wrap")
    def _without_unset_params(self, handler):
        """``params`` is left out while unset, so profiles written before it keep their hashes."""
        data = handler(self)
        if self.params is None and isinstance(data, dict):
            data.pop("params", None)
        return data

    @model_validator(mode="after")
    def _consistent(self) -> BackendProfile:
        channel = self.noise.channel if self.noise else None
        qiskit_path = self.ibm is not None or (self.noise is not None and self.noise.fake_device is not None)
        if self.ibm is not None and self.noise is not None:
            raise ValueError("ibm: give either noise or ibm, not both (hardware brings its own noise)")
        if qiskit_path and self.device is not None:
            raise ValueError("device: not used by fake_device and ibm profiles (they run through Qiskit)")
        if qiskit_path and self.shots is None:
            raise ValueError("shots: required for fake_device and ibm profiles")
        if channel and self.device is not None and self.device not in MIXED_STATE_DEVICES:
            raise ValueError(
                f"device: noise.{channel[0]} needs a mixed-state device (allowed: "
                f"{', '.join(MIXED_STATE_DEVICES)}; got {self.device!r})"
            )
        if self.mitigation is not None and self.noise is None and self.ibm is None:
            raise ValueError("mitigation: needs noise or ibm (there is no noise to mitigate)")
        self._check_native()
        allowed = diff_methods_for(self.pennylane_device, self.shots)
        if self.diff_method not in allowed:
            device = self.pennylane_device
            on = f" on {device}" + (" with shots" if self.shots is not None else "") if device else ""
            raise ValueError(
                f"diff_method: '{self.diff_method}' is not a differentiation method usable{on} "
                f"(allowed: {', '.join(allowed)})"
            )
        return self

    def _check_native(self) -> None:
        native = native_simulator(self.device)
        if native is not None:
            if self.shots is not None or self.noise is not None:
                raise ValueError(f"device: {self.device} is exact only (no shots, no noise)")
            if self.diff_method not in native.profile_diff_methods:
                raise ValueError(
                    f"diff_method: '{self.diff_method}' is not a differentiation method usable on "
                    f"{self.device} (allowed: {', '.join(native.profile_diff_methods)})"
                )
        elif self.params is not None:
            raise ValueError(
                f"params: only for a native simulator ({', '.join(native_simulators())}; "
                f"got device {self.device!r})"
            )

    @property
    def kind(self) -> Kind:
        if self.ibm is not None:
            return "ibm"
        if self.noise is not None:
            return "fake-device" if self.noise.fake_device else "noisy"
        return "shots" if self.shots is not None else "exact"

    @property
    def evaluate_only(self) -> bool:
        return self.kind in EVALUATE_ONLY_KINDS

    @property
    def pennylane_device(self) -> str | None:
        """The PennyLane device this profile runs on (``None`` for the Qiskit-path kinds)."""
        if self.kind in ("fake-device", "ibm"):
            return None
        if self.device:
            return self.device
        return MIXED_STATE_DEVICES[0] if self.kind == "noisy" else "default.qubit"

    @property
    def noise_strength(self) -> float | None:
        """The channel strength (p or gamma), for degradation plots; ``None`` otherwise."""
        channel = self.noise.channel if self.noise else None
        return channel[1] if channel else None

    def summary(self) -> str:
        """One line: device, shots, noise, mitigation."""
        parts: list[str] = []
        if self.ibm is not None:
            rehearsal = "rehearsal on " if self.ibm.rehearse else ""
            parts.append(f"{rehearsal}{self.ibm.backend}, mode {self.ibm.mode}")
        elif self.noise is not None and self.noise.fake_device:
            parts.append(self.noise.fake_device)
        else:
            parts.append(str(self.pennylane_device))
            if self.params is not None:
                parts.append(native_simulator(self.device).describe_params(self.params))
        if self.noise is not None and self.noise.channel:
            name, value = self.noise.channel
            parts.append(f"{name} {value:g}")
        parts.append(f"shots {self.shots}" if self.shots else "exact expectations")
        if self.mitigation is not None:
            m = self.mitigation
            parts.append(f"ZNE {m.extrapolation} x{'/'.join(f'{s:g}' for s in m.scale_factors)}")
        return ", ".join(parts)
