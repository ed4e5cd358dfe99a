"""Timing sweeps: circuit execution time vs qubits and layers, per backend.

A sweep file (``suites/timing.yaml``) names backends (built-in simulators or profiles), widths,
layer counts and a batch size. For each backend x layers, widths are measured in increasing
order until the backend's practical maximum: the profile's ``max_qubits``, the device's own
qubit count (fake devices), a memory guard (state vector or density matrix of the batch above
``max_memory_gb``), or the first width whose forward pass per batch took longer than
``max_seconds`` (the next widths are recorded as ``skipped`` with the reason).

Each point times, apart from everything else, one forward per batch and (when the backend can
differentiate a broadcast batch) one forward+backward, and counts the circuits and shots per
batch. Points are committed one by one to ``reports/<name>/sweep.sqlite``: a re-run measures only
missing points (``--force`` re-measures). IBM hardware and rehearsals are refused: sweeps run many
circuits and are never billed.
"""

from __future__ import annotations

import json
import sqlite3
import typing
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bench.core.errors import UserError
from bench.core.exit_codes import ExitCode
from bench.core.files import replace_symlink
from bench.core.run_ids import timestamp_id
from bench.quantum.profiles import BackendProfile


class SweepSpec(BaseModel):
    """A timing sweep (``python -m bench sweep FILE``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Sweep name; results go to reports/<name>/.")
    description: str = Field("", description="Free text shown in the report.")
    backends: list[str] = Field(min_length=1, description="Built-in simulators or profile names to time.")
    qubits: list[typing.Annotated[int, Field(ge=1, le=30)]] = Field(
        default_factory=lambda: list(range(2, 21, 2)),
        min_length=1,
        description="Widths, measured in increasing order up to each backend's practical maximum.",
    )
    layers: list[typing.Annotated[int, Field(ge=1)]] = Field(
        default_factory=lambda: [1, 2], min_length=1, description="Variational layer counts."
    )
    batch_size: int = Field(32, ge=1, description="Inputs per circuit call (one broadcast call per batch).")
    repeats: int = Field(3, ge=1, description="Timed repeats per point (the median is kept).")
    max_seconds: float = Field(
        5.0, gt=0, description="Stop widening a backend x layers once a forward per batch takes longer."
    )
    max_memory_gb: float = Field(
        4.0, gt=0, description="Skip widths whose batch state (vector or density matrix) would exceed this."
    )
    profiles: dict[str, BackendProfile] = Field(default_factory=dict, description="Inline backend profiles.")


@dataclass
class SweepPoint:
    backend: str
    n_qubits: int
    n_layers: int
    batch_size: int
    status: str  # ok | skipped | failed
    reason: str = ""
    forward_s: float | None = None
    forward_backward_s: float | None = None
    latency_s: float | None = None
    circuits_per_batch: int = 0
    shots_per_batch: int = 0
    circuits_executed: int = 0
    measured: str = ""

    @property
    def key(self) -> str:
        return f"{self.backend}/q{self.n_qubits}/l{self.n_layers}/b{self.batch_size}"


# ---------------------------------------------------------------- loading


def load_sweep(path: str | Path) -> SweepSpec:
    """Load and validate a sweep file; ``UserError`` (one line: file, line, key path) on problems."""
    from bench.core.registry import SIMULATORS
    from bench.spec.located import Located
    from bench.spec.profile_files import load_profile, profile_dirs, profile_files
    from bench.spec.yaml_source import load_yaml

    path = Path(path)
    data, lines = load_yaml(path)
    loc = Located(path, lines)
    if not isinstance(data, dict):
        raise UserError(f"{path}:1: <top level>: a sweep must be a mapping of keys")
    try:
        spec = SweepSpec(**data)
    except ValidationError as exc:
        raise loc.from_validation(exc, SweepSpec, ()) from None
    files = profile_files(profile_dirs(path))
    profiles = dict(spec.profiles)
    for i, name in enumerate(spec.backends):
        if name in SIMULATORS or name in profiles:
            pass
        elif name in files:
            profiles[name] = load_profile(files[name])
        else:
            from bench.core.errors import unknown_name_message

            known = {*SIMULATORS.names(), *files}
            raise loc.error(("backends", i), unknown_name_message("backend", name, known))
        if name in profiles and profiles[name].kind == "ibm":
            raise loc.error(
                ("backends", i),
                f"'{name}' is an IBM profile; sweeps never run on (rehearsed) billed hardware",
            )
    return spec.model_copy(update={"profiles": profiles, "qubits": sorted(set(spec.qubits))})


# ---------------------------------------------------------------- store


class SweepStore:
    """Sweep points keyed by backend/qubits/layers/batch, one committed row each."""

    def __init__(self, path: str | Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("CREATE TABLE IF NOT EXISTS points (key TEXT PRIMARY KEY, body TEXT NOT NULL)")

    def put(self, point: SweepPoint) -> None:
        with self._db:
            body = json.dumps(asdict(point))
            self._db.execute("INSERT OR REPLACE INTO points VALUES (?, ?)", (point.key, body))

    def points(self) -> dict[str, SweepPoint]:
        rows = self._db.execute("SELECT key, body FROM points").fetchall()
        return {k: SweepPoint(**json.loads(b)) for k, b in rows}

    def close(self) -> None:
        self._db.close()


# ---------------------------------------------------------------- measuring


def _backend(spec: SweepSpec, name: str):
    from bench.quantum.resolve import backend_for, profile_of

    profile = profile_of(spec, name)
    if profile is not None and profile.kind == "fake-device":
        from bench.quantum.qiskit.execute import QiskitBackend, QiskitExecutor

        return QiskitBackend(f"{name}:raw", QiskitExecutor(profile, seed=0, memoize=False))
    return backend_for(spec, name)


def width_limit(spec: SweepSpec, name: str, n_qubits: int) -> str:
    """Why ``n_qubits`` is beyond the practical maximum of backend ``name`` ("" if it is not)."""
    from bench.quantum.resolve import profile_of

    profile = profile_of(spec, name)
    if profile is not None and profile.max_qubits is not None and n_qubits > profile.max_qubits:
        return f"beyond the profile's max_qubits {profile.max_qubits}"
    mixed = profile is not None and profile.kind == "noisy"
    state_bytes = 16 * (4**n_qubits if mixed else 2**n_qubits) * spec.batch_size * 3
    if state_bytes > spec.max_memory_gb * 2**30:
        what = "density matrices" if mixed else "state vectors"
        gib = state_bytes / 2**30
        return f"{what} of the batch need ~{gib:.1f} GiB (> max_memory_gb {spec.max_memory_gb:g})"
    if profile is not None and profile.kind == "fake-device":
        from bench.quantum.qiskit.ibm import fake_backend

        size = fake_backend(profile.noise.fake_device).num_qubits
        if n_qubits > size:
            return f"beyond the device's {size} qubits"
    return ""


def measure_point(spec: SweepSpec, name: str, n_qubits: int, n_layers: int) -> SweepPoint:
    """Time one point (never raises: failures come back as ``status="failed"``)."""
    import torch

    from bench.quantum.layer import QuantumLayer
    from bench.quantum.resolve import profile_of
    from bench.quantum.timing import time_circuit

    point = SweepPoint(
        name,
        n_qubits,
        n_layers,
        spec.batch_size,
        "ok",
        measured=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    try:
        backend = _backend(spec, name)
        layer = QuantumLayer(n_qubits, n_layers, backend, torch.Generator().manual_seed(0))
        gen = torch.Generator().manual_seed(1)
        x = torch.rand(spec.batch_size, n_qubits, generator=gen, dtype=torch.float64) * torch.pi
        backward = backend.differentiable
        t = time_circuit(layer, x, spec.repeats, backward=backward)
    except Exception as exc:
        text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        point.status, point.reason = "failed", f"{type(exc).__name__}: {text}"
        return point
    profile = profile_of(spec, name)
    shots = profile.shots if profile is not None and profile.shots else 0
    point.forward_s = t["circuit_forward_per_batch_s"]
    point.forward_backward_s = t.get("circuit_forward_backward_per_batch_s")
    point.latency_s = t["circuit_latency_s"]
    point.circuits_per_batch = spec.batch_size
    point.shots_per_batch = spec.batch_size * shots
    point.circuits_executed = spec.batch_size * (spec.repeats + 1 + (spec.repeats if backward else 0))
    return point


def run_sweep(spec: SweepSpec, store: SweepStore, force: bool = False, on_point=None) -> list[SweepPoint]:
    """Measure every pending point; return all points of the sweep in order."""
    from bench.quantum.resolve import probe

    done = {} if force else store.points()
    out: list[SweepPoint] = []
    for name in spec.backends:
        unavailable = probe(spec, name)
        for n_layers in spec.layers:
            stop = f"backend unavailable: {unavailable}" if unavailable else ""
            for n_qubits in spec.qubits:
                key = SweepPoint(name, n_qubits, n_layers, spec.batch_size, "").key
                if key in done and done[key].status == "ok" and not stop:
                    point = done[key]
                else:
                    reason = stop or width_limit(spec, name, n_qubits)
                    if reason:
                        point = SweepPoint(name, n_qubits, n_layers, spec.batch_size, "skipped", reason)
                    else:
                        point = measure_point(spec, name, n_qubits, n_layers)
                    store.put(point)
                slow = point.status == "ok" and (point.forward_s or 0.0) > spec.max_seconds
                if slow:
                    stop = f"stopped: q{n_qubits} took {point.forward_s:.2f} s per forward (> max_seconds)"
                out.append(point)
                if on_point:
                    on_point(point)
    return out


@dataclass(frozen=True)
class SweepOptions:
    """What ``run_sweep_file`` measures and where it writes (``python -m bench sweep``'s flags)."""

    sweep_file: Path
    """The sweep YAML file (``SweepSpec``), e.g. ``suites/timing.yaml``."""
    reports_root: Path = Path("reports")
    """Results go to ``<reports_root>/<sweep name>/``: ``sweep.sqlite`` and one report per run."""
    force: bool = False
    """Re-measure points already in the store."""


@dataclass
class SweepOutcome:
    """What one sweep did: every point of the sweep in order, its run id and report paths."""

    points: list[SweepPoint]
    run_id: str
    reports: dict[str, Path]

    @property
    def exit_code(self) -> ExitCode:
        """``CELL_FAILED`` when a point failed, else ``OK``."""
        return ExitCode.CELL_FAILED if any(p.status == "failed" for p in self.points) else ExitCode.OK


def run_sweep_file(
    options: SweepOptions, on_point: Callable[[SweepPoint], None] | None = None
) -> SweepOutcome:
    """Measure a sweep file's pending points (``on_point`` is called with each point of the sweep,
    measured or stored) and write ``<reports_root>/<name>/<run-id>/index.{md,html}``; ``latest``
    then points at that report."""
    from bench.report.sweep import write_sweep_report

    spec = load_sweep(options.sweep_file)
    root = Path(options.reports_root) / spec.name
    store = SweepStore(root / "sweep.sqlite")
    try:
        points = run_sweep(spec, store, options.force, on_point)
    finally:
        store.close()
    run_id = timestamp_id()
    paths = write_sweep_report(spec, points, root / run_id)
    replace_symlink(root / "latest", run_id)
    return SweepOutcome(points, run_id, paths)
