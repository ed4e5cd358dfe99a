"""Per-cell overhead: what a cheap cell costs beyond its own training and evaluation.

A cell task (``bench.run.tasks.run_cell_task``) pins threads, runs the cell on cached embeddings,
exports its checkpoint and stamps provenance; the driver then commits its record durably. For a
cell whose own work (``head_training_s`` + ``evaluation_s`` in its record) takes milliseconds,
the rest is overhead. ``measure_overhead`` runs a suite in this process - features and backbones
first (not timed), then every cell task followed by its commit into a results store - and returns
the overhead per cell, with the median wall and CPU time of each fixed part measured alone on the
last cell (thread pinning, saving the trained head into the cache, exporting the checkpoint,
provenance, the record's JSON, the commit).
Only cells without a circuit count (classical heads): a circuit cell's record also times its
circuit (``timing_repeats``), work of its own that its record does not total; every fixed part is
the same for both kinds.

``CHEAP_SUITE`` is a 1,000-cell suite of such cells (classical and 2-6 qubit quantum heads on
torch.statevector, 3 epochs on 30 training clips, 50 seeds of a tiny backbone); ``python
benchmarks/cell_overhead.py`` prints the figures, and ``python -m bench benchmark --executors
sequential process --suite FILE`` runs the same suite on the process pool beside sequentially.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CHEAP_SUITE: dict[str, Any] = {
    "name": "cheap-cells",
    "datasets": [
        {
            "name": "urban-synth",
            "params": {"n_per_class": 16, "seconds": 0.25, "sample_rate": 8000, "n_classes": 3},
        }
    ],
    "features": {"name": "logmel", "params": {"n_fft": 256, "hop_length": 128, "n_mels": 16}},
    "backbone": {
        "name": "small-cnn",
        "params": {"channels": [4, 8], "embedding_dim": 12},
        "training": {"epochs": 2, "batch_size": 16},
    },
    "heads": ["classical", "quantum"],
    "qubits": [2, 3, 4, 5, 6],
    "layers": [1, 2, 3],
    "backends": ["torch.statevector"],
    "seeds": list(range(50)),
    "training": {"epochs": 3, "batch_size": 16, "patience": 3, "timing_repeats": 1},
    "controls": False,
}
"""20 cells per seed (5 classical, 15 quantum): 1,000 cells with 50 seeds."""


def write_cheap_suite(path: Path, seeds: int = 50) -> Path:
    """``CHEAP_SUITE`` with ``seeds`` seeds (20 cells each) written as YAML to ``path``."""
    path.write_text(yaml.safe_dump({**CHEAP_SUITE, "seeds": list(range(seeds))}, sort_keys=False))
    return path


@dataclass(frozen=True)
class OverheadReport:
    """Milliseconds per cell (medians over cells, except ``overhead_mean_ms``)."""

    cells: int  # cells without a circuit timed
    own_ms: float  # the cell's own training + evaluation
    overhead_ms: float  # task wall + commit - own work
    overhead_mean_ms: float
    commit_ms: float  # the driver's durable commit of the record
    parts_ms: dict[str, float]  # each fixed part of a cell task, timed alone (wall)
    parts_cpu_ms: dict[str, float]  # the same parts in this process's CPU time (load does not inflate it)


def _ms(
    fn: Callable[[], Any], repeats: int = 9, setup: Callable[[], Any] | None = None
) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``fn()`` over ``repeats`` calls, ``setup()`` untimed
    before each."""
    wall, cpu = [], []
    for _ in range(repeats):
        if setup is not None:
            setup()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(1000 * (time.perf_counter() - t0))
        cpu.append(1000 * (time.process_time() - c0))
    return statistics.median(wall), statistics.median(cpu)


def _parts(task: Any, record: Any, ckpt: Path, store: Any) -> dict[str, tuple[float, float]]:
    """The fixed parts of the last classical cell, each timed alone. Files are removed before each
    write, so each is created as in a first run (replacing a file costs more on ext4, which flushes
    a file renamed over another)."""
    from bench.cell.checkpoint import cell_checkpoint_path, export_for_record
    from bench.cell.checkpoint import chosen_head as chosen
    from bench.core.provenance import provenance
    from bench.results.store import record_json
    from bench.run.tasks import task_cache
    from bench.run.threads import pin_threads

    cache = task_cache(task)
    _, head = chosen(task.cell, cache)
    key = "overhead-benchmark"
    ckpt_file = cell_checkpoint_path(ckpt, task.cell.key)
    return {
        "pin_threads": _ms(pin_threads),
        "head_cache_save": _ms(
            lambda: cache.save("heads", key, head), setup=lambda: cache.path("heads", key).unlink(True)
        ),
        "checkpoint_export": _ms(
            lambda: export_for_record(task.cell, cache, ckpt, record), setup=lambda: ckpt_file.unlink(True)
        ),
        "provenance_and_suite_hash": _ms(lambda: {**provenance(), "suite_hash": task.cell.suite.hash}),
        "record_json": _ms(lambda: record_json(record)),
        "commit": _ms(lambda: store.put(record, "overhead")),
    }


def measure_overhead(suite_path: Path, work_dir: Path, limit: int | None = None) -> OverheadReport:
    """Run the suite's first ``limit`` cells (all when ``None``) in this process under ``work_dir``."""
    from bench.plan.grid import expand
    from bench.results.store import ResultsStore
    from bench.run.tasks import CellTask, task_graph
    from bench.spec.loader import load_suite

    cells = expand(load_suite(suite_path))[:limit]
    ckpt = work_dir / "checkpoints"
    nodes = task_graph(cells, str(work_dir / "cache"), str(ckpt), str(work_dir / "jobs.sqlite"))
    store = ResultsStore(work_dir / "results.sqlite")
    results: dict[str, Any] = {}
    overheads, own, commits = [], [], []
    try:
        for node in nodes:
            t0 = time.perf_counter()
            results[node.key] = result = node.fn(node.arg, *(results[k] for k in node.after))
            if not isinstance(node.arg, CellTask):
                continue
            t1 = time.perf_counter()
            store.put(result, "overhead")
            t2 = time.perf_counter()
            if node.arg.cell.uses_circuit:
                continue
            work = result.timings.get("head_training_s", 0.0) + result.timings.get("evaluation_s", 0.0)
            overheads.append(1000 * (t2 - t0 - work))
            own.append(1000 * work)
            commits.append(1000 * (t2 - t1))
            task, record = node.arg, result
        parts = _parts(task, record, ckpt, store)
    finally:
        store.close()
    return OverheadReport(
        len(overheads),
        statistics.median(own),
        statistics.median(overheads),
        statistics.fmean(overheads),
        statistics.median(commits),
        {name: wall for name, (wall, _) in parts.items()},
        {name: cpu for name, (_, cpu) in parts.items()},
    )
