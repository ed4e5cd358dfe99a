"""Benchmarks (``python -m bench benchmark``) and timing sweeps (``python -m bench sweep``).

Four benchmarks of the quantum head's training step and of the executors: ``benchmark_step``
(batched vs a per-sample loop), ``benchmark_widths`` (the batched step per width, backends side by
side), ``benchmark_peers`` (torch.statevector against other simulator packages, one subprocess
each) and ``benchmark_executors`` (a suite run cold on each executor). ``run_sweep`` measures a
sweep file's circuit times per backend, qubits and layers, and writes its report.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.api.suites import PathLike
from bench.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from bench.timing.executor_benchmark import ExecutorTiming
    from bench.timing.peers import PeerTable
    from bench.timing.step_benchmark import StepTiming, WidthTable
    from bench.timing.sweep import SweepOutcome, SweepPoint

STEP_BACKENDS = ("default.qubit", "lightning.qubit", "torch.statevector")
"""The backends ``benchmark_step`` times by default."""
WIDTH_BACKENDS = ("default.qubit", "torch.statevector")
"""The backends ``benchmark_widths`` times by default; the first is the reference of the ratio."""
PEER_WIDTHS = (2, 4, 8, 12, 16)
"""The widths ``benchmark_peers`` times by default."""


@dataclass(frozen=True)
class StepBenchmark:
    """Median seconds per training step of each available backend, batched (and per-sample loop)."""

    timings: list[StepTiming]  # (backend, mode "batched" | "loop", seconds)
    qubits: int
    layers: int
    batch: int


def benchmark_step(
    backends: Sequence[str] | None = None,
    *,
    qubits: int = 8,
    layers: int = 2,
    batch: int = 64,
    repeats: int = 3,
    loop: bool = True,
) -> StepBenchmark:
    """Time one training step (forward, backward, Adam) of a ``qubits``-qubit, ``layers``-layer head
    on a batch of ``batch``: batched and, with ``loop``, as a per-sample loop, ``repeats`` times
    each (median), on each available backend of ``backends`` (default ``STEP_BACKENDS``)."""
    from bench.timing.step_benchmark import run_benchmark

    names = list(backends or STEP_BACKENDS)
    return StepBenchmark(run_benchmark(names, qubits, layers, batch, repeats, loop), qubits, layers, batch)


def benchmark_widths(
    widths: Sequence[int],
    backends: Sequence[str] | None = None,
    *,
    layers: int = 2,
    batch: int = 64,
    repeats: int = 3,
    threads: int = 1,
) -> WidthTable:
    """The batched training step at each width on every available backend (default
    ``WIDTH_BACKENDS``, plus torch.statevector on CUDA and lightning.gpu when a GPU is visible),
    side by side in this process with ``threads`` torch threads; ``.ratio`` and ``.crossover``."""
    from bench.timing.step_benchmark import width_table

    names = list(backends or WIDTH_BACKENDS)
    return width_table(names, list(widths), layers, batch, repeats, threads)


@dataclass(frozen=True)
class PeerBenchmark:
    """The peer table (seconds per step per peer and width) and its text rendering."""

    table: PeerTable
    text: str


def benchmark_peers(
    widths: Sequence[int] | None = None,
    *,
    python: str | None = None,
    ansatz: str = "strongly-entangling",
    layers: int = 2,
    batch: int = 64,
    rounds: int = 3,
    repeats: int = 3,
    budget_s: float = 20.0,
) -> PeerBenchmark:
    """torch.statevector against the other simulators (``bench.timing.peers``) at each width
    (default ``PEER_WIDTHS``), one subprocess per peer under ``python`` (default
    ``$QHEAD_PEERS_PYTHON``, else this Python), ``rounds`` interleaved rounds of ``repeats`` steps;
    a peer slower than ``budget_s`` per step is retired, one not installed is skipped."""
    from bench.timing.peers import format_table, run_peers

    table = run_peers(
        list(widths or PEER_WIDTHS), None, python, ansatz, layers, batch, rounds, repeats, budget_s
    )
    return PeerBenchmark(table, format_table(table))


@dataclass(frozen=True)
class ExecutorBenchmark:
    """Wall and CPU time of a suite run cold on each executor, and whether their records agree."""

    timings: list[ExecutorTiming]  # sequential first: the reference of every speed-up
    identical: bool
    cores: int | None

    @property
    def exit_code(self) -> ExitCode:
        """``OK`` when the executors' records agree, else ``CELL_FAILED`` (a failed check)."""
        return ExitCode.OK if self.identical else ExitCode.CELL_FAILED


def benchmark_executors(
    executors: Sequence[str] | None = None,
    *,
    workers: int = 2,
    repeats: int = 1,
    suite: PathLike | None = None,
) -> ExecutorBenchmark:
    """Run ``suite`` (default: a built-in 32-cell suite) cold on each executor (default: all;
    sequential is always added first), repeats interleaved; the parallel ones on ``workers``."""
    from bench.timing.executor_benchmark import EXECUTORS, run_executor_benchmark

    names = list(executors or EXECUTORS)
    if "sequential" not in names:
        names.insert(0, "sequential")  # the reference every speed-up is relative to
    path = Path(suite) if suite is not None else None
    timings, identical = run_executor_benchmark(names, workers, repeats, path)
    return ExecutorBenchmark(timings, identical, os.cpu_count())


def run_sweep(
    sweep_file: PathLike,
    *,
    reports_dir: PathLike | None = None,
    force: bool = False,
    on_point: Callable[[SweepPoint], None] | None = None,
) -> SweepOutcome:
    """Measure the pending points of a sweep file (``force``: all of them) into
    ``<reports_dir>/<sweep name>/sweep.sqlite``, calling ``on_point`` with each point (measured or
    stored), and write ``<reports_dir>/<name>/<run-id>/index.{md,html}``. The outcome's
    ``exit_code`` is ``CELL_FAILED`` when a point failed. ``UserError`` on a bad sweep file."""
    from bench.core.layout import DEFAULT_REPORTS
    from bench.timing.sweep import SweepOptions, run_sweep_file

    root = Path(reports_dir) if reports_dir is not None else DEFAULT_REPORTS
    return run_sweep_file(SweepOptions(Path(sweep_file), root, force), on_point)
