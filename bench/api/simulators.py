"""Simulators and backend profiles: which are available here (``python -m bench backends``), and
how fast each exact simulator trains per width (``python -m bench calibrate``, the table that
``train_on: auto`` picks the trainer from)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.api.suites import PathLike

DEFAULT_WIDTHS = (2, 4, 6, 8, 10, 12, 14, 16)
"""The widths ``calibrate_simulators`` times by default."""


@dataclass(frozen=True)
class BackendStatus:
    """One built-in simulator or backend profile and whether it runs here."""

    name: str
    kind: str  # "exact (built-in)", a profile's kind (noisy, shots, ibm, ...), "?" when invalid
    role: str  # "trains", "evaluate-only", "?" when invalid
    details: str  # a simulator's device and diff method, a profile's summary, an invalid one's file
    problem: str | None = None  # why it is unavailable or invalid; None when available
    invalid: bool = False  # a profile file that does not validate

    @property
    def available(self) -> bool:
        return self.problem is None

    @property
    def status(self) -> str:
        """``available``, ``unavailable: <reason>`` or ``invalid: <error>``."""
        if self.problem is None:
            return "available"
        return f"{'invalid' if self.invalid else 'unavailable'}: {self.problem}"


@dataclass(frozen=True)
class BackendListing:
    """The built-in simulators, then the profiles found in ``profile_dirs`` (in lookup order)."""

    profile_dirs: list[Path]
    backends: list[BackendStatus]


def probe_backends(suite: PathLike | None = None) -> BackendListing:
    """Every built-in simulator and backend profile with its availability here (each one probed:
    an importable package, a device, an IBM account). Profiles are looked up as for ``suite``
    (its ``../backends/`` first), else from the working directory's ``backends/``,
    ``$QHEAD_BACKENDS`` and the shipped ones; an invalid profile file is listed as such."""
    from bench.core.errors import UserError
    from bench.core.registry import SIMULATORS
    from bench.quantum.resolve import probe_profile
    from bench.spec.profile_files import load_all, profile_dirs, profile_files

    dirs = profile_dirs(Path(suite) if suite is not None else None)
    rows = []
    for name in SIMULATORS.names():
        sim = SIMULATORS.get(name)
        details = f"{sim.device}, {sim.diff_method}"
        rows.append(BackendStatus(name, "exact (built-in)", "trains", details, sim.probe() or None))
    files = profile_files(dirs)
    for name, profile in load_all(dirs).items():
        if isinstance(profile, UserError):
            rows.append(BackendStatus(name, "?", "?", str(files[name]), str(profile), invalid=True))
            continue
        role = "evaluate-only" if profile.evaluate_only else "trains"
        problem = probe_profile(profile) or None
        rows.append(BackendStatus(name, profile.kind, role, profile.summary(), problem))
    return BackendListing(dirs, rows)


@dataclass(frozen=True)
class SimulatorTimings:
    """Median forward+backward seconds per batch: ``seconds[simulator][str(qubits)]`` (available
    simulators only), and the settings they were measured with."""

    seconds: dict[str, dict[str, float]]
    qubits: list[int]
    layers: int
    batch: int
    repeats: int


def calibrate_simulators(
    qubits: Sequence[int] = DEFAULT_WIDTHS,
    *,
    layers: int = 2,
    batch: int = 64,
    repeats: int = 3,
    simulators: Sequence[str] | None = None,
) -> SimulatorTimings:
    """Time one forward+backward pass of a ``layers``-layer circuit on a batch of ``batch`` inputs at
    every width in ``qubits``, ``repeats`` times (the median is kept), on each of ``simulators``
    (default: every built-in simulator; unavailable ones are left out). Nothing is written."""
    from bench.core.registry import SIMULATORS
    from bench.quantum.autoselect import measure

    names = list(simulators or SIMULATORS.names())
    seconds = measure(names, list(qubits), layers, batch, repeats)
    return SimulatorTimings(seconds, list(qubits), layers, batch, repeats)


@dataclass(frozen=True)
class TrainerTimingsFile:
    """A written trainer-timings table and the trainer ``train_on: auto`` now picks per width."""

    path: Path
    picks: dict[int, str]


def write_trainer_timings(timings: SimulatorTimings, output: PathLike | None = None) -> TrainerTimingsFile:
    """Write ``timings`` (with the machine's provenance) as the trainer-timings table, atomically:
    to ``output``, default the table in effect (``bench.spec.profile_files.trainer_timings_file``,
    docs/backends.md). Returns the file and the trainer it now picks at each timed width."""
    from bench.quantum.autoselect import fastest_trainer, write_table
    from bench.spec.profile_files import trainer_timings_file

    settings = {"batch": timings.batch, "n_layers": timings.layers, "repeats": timings.repeats}
    path = write_table(timings.seconds, output or trainer_timings_file(), settings)
    return TrainerTimingsFile(path, {n: fastest_trainer(n, path) for n in timings.qubits})
