"""The cost model: how long cells take, relative to each other and in seconds on this machine.

One model serves three readers:

* the scheduler (``bench.run.tasks``) orders work by ``relative_cost`` (units only: a circuit
  cell grows with its layers and its state's size, 2^qubits; a cell without a circuit counts 1);
* ``plan`` prints the wall time of the pending work (``estimate_wall``);
* CPU/GPU-hour totals add up ``TaskSeconds`` over tasks.

Seconds come from a ``Calibration``: seconds per relative unit for training a circuit head and for
evaluating a circuit cell, seconds for training and evaluating a cell without a circuit, and
seconds per features / backbone task, each the median over the ok records
of earlier runs (``Calibration.from_records``: ``head_training_s``, ``evaluation_s`` plus the
circuit timing repeats, ``features_s``, ``backbone_s``; timings of cached stages are those
measured when they were computed, see ``bench.results.record``), plus a per-cell overhead fitted
to earlier runs' wall times (``Calibration.with_overhead``: worker start, data loading,
checkpoints and commits, which no stage timing holds). Without records the
``DEFAULT`` calibration is a rough prior and ``calibrated`` is False, so a reader can say so.

Wall time: the pending tasks run in three phases (features, then backbones, then cells; a
phase's tasks in parallel on ``workers``), each phase's length by longest-first list scheduling.
Cells that share a trained head (backend siblings) pay training once, like the run
(``bench.run.tasks``). It is an estimate for planning; nothing it returns changes a result.

Backbone seconds without earlier records come from the size of the work: the dataset's items
and input shape (``bench.plan.sizes``), the epochs (``backbone.training.epochs`` for a frozen
backbone, trained once per dataset x fold x seed; the head's ``training.epochs`` for finetune,
trained with every head) and the measured seconds per item of a training step and of a forward
of that backbone at that shape on one thread (``BACKBONE_PROFILE``, written by
``benchmarks/backbone_cost.py``): ``epochs x (train items x step + val items x forward) +
all items x forward`` (the final embedding). Epochs are the maximum (early stopping can cut
them), so the figure is an upper bound for the backbone. ``suite_hours`` adds it up for a whole
suite (every cell, whatever its state): CPU hours, and GPU hours only from a GPU profile.
"""

from __future__ import annotations

import heapq
import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from bench.plan.grid import Cell
from bench.plan.sizes import input_shape, split_items
from bench.results.record import Record

BACKBONE_PROFILE = Path(__file__).with_name("profiles_data") / "backbone-cost.json"
"""Measured seconds per item per backbone x input shape, per device (``benchmarks/backbone_cost.py``)."""


def relative_cost(n_qubits: int, n_layers: int | None, uses_circuit: bool) -> float:
    """A cell's compute cost in relative units (1 for a cell without a circuit)."""
    if not uses_circuit or n_layers is None:
        return 1.0
    return 1.0 + n_layers * 2.0**n_qubits / 8


def cell_cost(cell: Cell) -> float:
    """``relative_cost`` of a cell (the scheduler's priority unit)."""
    return relative_cost(cell.n_qubits, cell.n_layers, cell.uses_circuit)


def record_cost(record: Record) -> float:
    """``relative_cost`` of the cell a record came from."""
    return relative_cost(int(record.n_qubits), record.n_layers, record.backend is not None)


@dataclass(frozen=True)
class Calibration:
    """Seconds per relative unit of circuit cells (training, evaluation), seconds of a cell
    without a circuit (training, evaluation) and of a stage task; how many records it came from."""

    train_s_per_unit: float
    eval_s_per_unit: float
    plain_train_s: float
    plain_eval_s: float
    features_s: float
    backbone_s: float
    cell_overhead_s: float = 0.0
    n_records: int = 0

    @property
    def calibrated(self) -> bool:
        """Whether the figures come from measured records (else the ``DEFAULT`` prior)."""
        return self.n_records > 0

    @classmethod
    def from_records(
        cls, records: Iterable[Record], default: Calibration | None = None, runs: Iterable[RunTiming] = ()
    ) -> Calibration:
        """Medians over the ok records' timings; a figure without data keeps ``default``'s. With
        ``runs`` (earlier runs' wall times), ``cell_overhead_s`` is fitted too (``with_overhead``)."""
        d = default or DEFAULT
        ok = [r for r in records if r.status == "ok"]
        circuit, plain = [r for r in ok if r.backend is not None], [r for r in ok if r.backend is None]
        fitted = cls(
            train_s_per_unit=_median(
                [_train_seconds(r) / record_cost(r) for r in circuit], d.train_s_per_unit
            ),
            eval_s_per_unit=_median(
                [_evaluation_seconds(r) / record_cost(r) for r in circuit], d.eval_s_per_unit
            ),
            plain_train_s=_median([_train_seconds(r) for r in plain], d.plain_train_s),
            plain_eval_s=_median([_evaluation_seconds(r) for r in plain], d.plain_eval_s),
            features_s=_median([r.timings.get("features_s") for r in ok], d.features_s),
            backbone_s=_median([r.timings.get("backbone_s") for r in ok], d.backbone_s),
            cell_overhead_s=d.cell_overhead_s,
            n_records=len(ok),
        )
        return fitted.with_overhead(list(runs))

    def with_overhead(self, runs: list[RunTiming]) -> Calibration:
        """This calibration with ``cell_overhead_s`` fitted to earlier runs: per run, its wall time
        times its workers minus the compute its records account for, per cell it executed; the median
        over runs (what the stage timings miss: worker start, data loading, checkpoints, commits)."""
        overheads = []
        for run in runs:
            if run.cells_run_now <= 0 or run.workers <= 0 or run.wall_s <= 0:
                continue
            ok = [r for r in run.records if r.status == "ok"]
            share = run.cells_run_now / max(1, len(ok))
            compute = share * sum(self._record_seconds(r) for r in ok)
            overheads.append(max(0.0, run.wall_s * run.workers - compute) / run.cells_run_now)
        if not overheads:
            return self
        return replace(self, cell_overhead_s=float(statistics.median(overheads)))

    def _record_seconds(self, record: Record) -> float:
        """A record's measured head training and evaluation (0 for what it does not carry)."""
        return (_train_seconds(record) or 0.0) + (_evaluation_seconds(record) or 0.0)

    def cell_seconds(self, cell: Cell, trains: bool) -> float:
        """Estimated seconds of one cell; ``trains``: it trains its head (not a backend sibling)."""
        if not cell.uses_circuit:
            return self.cell_overhead_s + self.plain_eval_s + (self.plain_train_s if trains else 0.0)
        units = cell_cost(cell) * (self.eval_s_per_unit + (self.train_s_per_unit if trains else 0.0))
        return self.cell_overhead_s + units


@dataclass(frozen=True)
class RunTiming:
    """An earlier run as the overhead fit sees it: wall seconds, workers, cells it executed, records."""

    wall_s: float
    workers: int
    cells_run_now: int
    records: list[Record]


DEFAULT = Calibration(
    train_s_per_unit=1.0,
    eval_s_per_unit=0.2,
    plain_train_s=0.5,
    plain_eval_s=0.05,
    features_s=5.0,
    backbone_s=10.0,
    cell_overhead_s=1.0,
)
"""A rough prior for a store without records (order of magnitude of the tiny demos on 2 cores)."""


def _train_seconds(record: Record) -> float | None:
    return record.timings.get("head_training_s")


def _evaluation_seconds(record: Record) -> float | None:
    """Scoring plus the circuit timing repeats (forward and forward+backward per repeat)."""
    t = record.timings
    if "evaluation_s" not in t:
        return None
    repeats = int((record.spec.get("training") or {}).get("timing_repeats", 1))
    per_repeat = t.get("circuit_forward_per_batch_s", 0.0) + t.get(
        "circuit_forward_backward_per_batch_s", 0.0
    )
    return t["evaluation_s"] + repeats * per_repeat


def _median(values: Iterable[float | None], fallback: float) -> float:
    known = [v for v in values if v is not None]
    return float(statistics.median(known)) if known else fallback


@dataclass(frozen=True)
class TaskSeconds:
    """Estimated seconds of each task of a set of pending cells, by phase."""

    features: tuple[float, ...]
    backbones: tuple[float, ...]
    cells: tuple[float, ...]

    @property
    def total(self) -> float:
        """Compute seconds summed over every task (one worker's worth of CPU time)."""
        return sum(self.features) + sum(self.backbones) + sum(self.cells)


def task_seconds(
    pending: list[Cell], calibration: Calibration, cached_backbones: set[tuple] = frozenset()
) -> TaskSeconds:
    """Seconds per task for ``pending`` cells. ``cached_backbones`` holds the ``(dataset label,
    seed)`` pairs whose backbone is already cached (no features or backbone task for them)."""
    needed = sorted({(c.dataset.label, c.seed) for c in pending} - set(cached_backbones))
    datasets = sorted({label for label, _ in needed})
    trained: set[str] = set()
    cells = []
    for cell in sorted(pending, key=lambda c: c.backend != c.trained_on):
        group = cell.train_hash
        cells.append(calibration.cell_seconds(cell, trains=group not in trained))
        trained.add(group)
    measured = None if calibration.calibrated else backbone_profile("cpu")
    firsts = {(c.dataset.label, c.seed): c for c in pending}
    return TaskSeconds(
        features=tuple(calibration.features_s for _ in datasets),
        backbones=tuple(_backbone_task(firsts[u], calibration, measured) for u in needed),
        cells=tuple(cells),
    )


def _backbone_task(cell: Cell, calibration: Calibration, measured: dict | None) -> float:
    """A frozen backbone's task seconds: from the profile when uncalibrated and known."""
    if measured is None or cell.suite.backbone.protocol != "frozen":
        return calibration.backbone_s
    seconds = backbone_seconds(cell, measured, cell.suite.backbone.training.epochs)
    return calibration.backbone_s if seconds is None else seconds


def backbone_key(name: str, params: dict[str, Any], shape: tuple[int, ...]) -> str:
    """The profile's key of a backbone (its params but a weights path) at one input shape."""
    kept = {k: v for k, v in sorted(params.items()) if k != "weights"}
    return f"{name} {json.dumps(kept, sort_keys=True)} {'x'.join(map(str, shape))}"


@cache
def backbone_profile(device: str, path: Path = BACKBONE_PROFILE) -> dict[str, dict[str, float]] | None:
    """Seconds per item (``train_s``, ``forward_s``) per ``backbone_key`` measured on ``device``;
    ``None`` when the profile has no figures for that device."""
    if not path.exists():
        return None
    section = json.loads(path.read_text()).get(device)
    return section["seconds_per_item"] if section else None


def backbone_seconds(cell: Cell, measured: dict, epochs: int) -> float | None:
    """One training of the cell's backbone for ``epochs`` plus embedding every item (see the
    module docstring); ``None`` when its size, shape or measured figure is unknown."""
    items, shape = split_items(cell), input_shape(cell)
    if items is None or shape is None:
        return None
    ref = cell.suite.backbone
    per = measured.get(backbone_key(ref.name, ref.params, shape))
    if per is None:
        return None
    return (
        epochs * (items.train * per["train_s"] + items.val * per["forward_s"])
        + items.total * per["forward_s"]
    )


@dataclass(frozen=True)
class SuiteHours:
    """A whole suite's compute: backbone and head CPU hours, GPU hours of the backbones (``None``
    without a GPU profile), and the dataset labels whose backbone cost is unknown."""

    backbone_cpu_h: float
    heads_cpu_h: float
    gpu_h: float | None
    unknown: tuple[str, ...]
    calibrated_heads: bool

    @property
    def cpu_h(self) -> float:
        return self.backbone_cpu_h + self.heads_cpu_h

    def describe(self) -> list[str]:
        """Two lines for ``plan``: CPU hours (and what is unknown), GPU hours or why not."""
        heads = "from earlier records" if self.calibrated_heads else "the uncalibrated prior"
        missing = f"; backbone cost unknown for {', '.join(self.unknown)}" if self.unknown else ""
        cpu = (
            f"CPU hours for the whole suite (every cell, one thread): ~{self.cpu_h:.1f} h "
            f"(backbones {self.backbone_cpu_h:.1f} h at most epochs, measured per item; "
            f"heads {self.heads_cpu_h:.1f} h, {heads}{missing})"
        )
        gpu = (
            f"GPU hours (backbones): ~{self.gpu_h:.1f} h"
            if self.gpu_h is not None
            else "GPU hours: not calibrated (run `python benchmarks/backbone_cost.py --device cuda --write` "
            "on a GPU machine)"
        )
        return [cpu, gpu]


def suite_hours(cells: list[Cell], calibration: Calibration) -> SuiteHours:
    """``SuiteHours`` of every cell in ``cells`` (see the module docstring)."""
    cpu, gpu = backbone_profile("cpu") or {}, backbone_profile("cuda")
    units = _backbone_units(cells)
    unknown: set[str] = set()
    cpu_s = gpu_s = 0.0
    for cell, epochs in units:
        seconds = backbone_seconds(cell, cpu, epochs)
        if seconds is None:
            unknown.add(cell.dataset.label)
        cpu_s += seconds or 0.0
        gpu_s += (backbone_seconds(cell, gpu, epochs) or 0.0) if gpu is not None else 0.0
    heads = TaskSeconds(
        (), (), task_seconds(cells, calibration, {(c.dataset.label, c.seed) for c in cells}).cells
    )
    return SuiteHours(
        cpu_s / 3600,
        heads.total / 3600,
        gpu_s / 3600 if gpu is not None else None,
        tuple(sorted(unknown)),
        calibration.calibrated,
    )


def _backbone_units(cells: list[Cell]) -> list[tuple[Cell, int]]:
    """One (cell, epochs) per backbone training: per dataset x fold x seed when frozen, per
    trained head when finetuned."""
    seen: dict[Any, tuple[Cell, int]] = {}
    for cell in cells:
        if cell.suite.backbone.protocol == "frozen":
            unit = (cell.dataset.label, cell.fold.number if cell.fold else None, cell.seed)
            seen.setdefault(unit, (cell, cell.suite.backbone.training.epochs))
        else:
            seen.setdefault(cell.train_hash, (cell, cell.training.epochs))
    return list(seen.values())


def makespan(seconds: Iterable[float], workers: int) -> float:
    """Wall time of independent tasks on ``workers`` by longest-first list scheduling."""
    loads = [0.0] * max(1, workers)
    for s in sorted(seconds, reverse=True):
        heapq.heapreplace(loads, loads[0] + s)
    return max(loads)


def estimate_wall(tasks: TaskSeconds, workers: int) -> float:
    """Estimated wall seconds: the three phases one after another (see the module docstring)."""
    return sum(makespan(phase, workers) for phase in (tasks.features, tasks.backbones, tasks.cells))


def format_duration(seconds: float) -> str:
    """``"45 s"``, ``"3 min 20 s"``, ``"2 h 05 min"``."""
    seconds = max(0.0, float(seconds))
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@dataclass(frozen=True)
class Estimate:
    """The wall and compute time of a run's pending work on ``workers``, and what it rests on."""

    wall_s: float
    compute_s: float
    n_cells: int
    workers: int
    calibration: Calibration

    def describe(self, executor: str) -> str:
        """One line for ``plan``: the wall time, the executor, and the calibration's source."""
        basis = (
            f"calibrated on {self.calibration.n_records} earlier records in this store"
            if self.calibration.calibrated
            else "uncalibrated: no earlier records in this store, a rough prior"
        )
        return (
            f"estimated wall time for {self.n_cells} pending cells: ~{format_duration(self.wall_s)} "
            f"with {executor} x{self.workers} ({basis}; compute {format_duration(self.compute_s)})"
        )


def estimate_run(
    pending: list[Cell],
    records: Iterable[Record],
    workers: int,
    cached_backbones: set[tuple] = frozenset(),
    runs: Iterable[RunTiming] = (),
) -> Estimate:
    """``Estimate`` of running ``pending`` on ``workers``, calibrated by ``records`` and ``runs``
    (earlier runs of the store; see the module docstring)."""
    calibration = Calibration.from_records(records, runs=runs)
    tasks = task_seconds(pending, calibration, cached_backbones)
    workers = max(1, workers)
    return Estimate(estimate_wall(tasks, workers), tasks.total, len(pending), workers, calibration)
