"""``python -m bench benchmark --executors``: the same suite run sequentially and on N workers.

Each executor runs the whole suite - backbones included - from an empty cache and an empty results
store, as a fresh ``python -m bench run`` process, so every figure is the wall time a user waits
for that command (process start and imports included, report skipped). The speed-up of an executor
is the sequential wall time over its own. The 1-minute load average is sampled before and after each
run: on a shared machine it says how much of the figure is other people's work. Records are checked
to be identical across executors (the timings inside them aside).

CPU time counts every process a run started, the worker processes included: this process becomes
a child subreaper (Linux), so workers that outlive the run's driver by a moment are re-parented
here, and each run's descendants are reaped - their CPU time counted - before the next run starts.
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.core.registry import EXECUTORS as EXECUTOR_REGISTRY
from bench.results.store import ResultsStore

# Thirty-two cells (8 seeds x {classical, quantum} x {4, 6} qubits) and eight backbones, about 80 s
# of work sequentially: a study's many seeds in miniature. What a parallel run cannot split - one
# process start and ~4 s of imports (torch, PennyLane) before any worker computes - is then a small
# part of the run, as it is in a real study; on a suite half this size it caps 2 workers at ~1.7x.
SUITE = {
    "name": "executor-benchmark",
    "datasets": [
        {
            "name": "urban-synth",
            "params": {"n_per_class": 64, "seconds": 0.5, "sample_rate": 8000, "n_classes": 4},
        }
    ],
    "features": {"name": "logmel", "params": {"n_fft": 256, "hop_length": 128, "n_mels": 24}},
    "backbone": {
        "name": "small-cnn",
        "params": {"channels": [8, 16], "embedding_dim": 16},
        "training": {"epochs": 12, "batch_size": 16},
    },
    "heads": ["classical", "quantum"],
    "qubits": [4, 6],
    "layers": [3],
    "backends": ["default.qubit"],
    "seeds": [0, 1, 2, 3, 4, 5, 6, 7],
    "training": {"epochs": 120, "batch_size": 16, "patience": 120, "timing_repeats": 1},
    "controls": False,
}
EXECUTORS = tuple(EXECUTOR_REGISTRY.in_order())


@dataclass
class ExecutorTiming:
    executor: str
    workers: int
    seconds: float  # median wall time of the repeats
    cpu_seconds: float  # median CPU time (user + system) of the run and every process it started
    load: float  # the highest 1-minute load average sampled around its runs
    cells: int


PR_SET_CHILD_SUBREAPER = 36  # prctl option (linux/prctl.h)
REAP_TIMEOUT_S = 60.0


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux); False where the platform cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_descendants(timeout_s: float = REAP_TIMEOUT_S) -> None:
    """Wait for every child (adopted ones too) to exit, at most ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:  # no child left
            return
        if pid == 0:
            time.sleep(0.05)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_executor(
    suite: Path, executor: str, workers: int, root: Path
) -> tuple[float, float, dict[str, dict]]:
    """Wall and CPU seconds of one cold run of ``suite`` on ``executor``; its records' deterministic views.

    The CPU seconds are those of every descendant reaped meanwhile: call ``become_subreaper`` first
    to count the worker processes too."""
    reports, cache = root / "reports", root / "cache"
    cmd = [
        sys.executable,
        "-m",
        "bench",
        "run",
        str(suite),
        "--executor",
        executor,
        "--workers",
        str(workers),
    ]
    cmd += ["--reports-dir", str(reports), "--cache-dir", str(cache), "--no-report", "--dashboard", "none"]
    cpu0, t0 = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    reap_descendants()
    cpu = _children_cpu() - cpu0
    if done.returncode != 0:
        raise RuntimeError(f"{executor} run failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    with ResultsStore(reports / yaml.safe_load(suite.read_text())["name"] / "results.sqlite") as store:
        return seconds, cpu, {r.key: r.deterministic_view() for r in store.get()}


def run_executor_benchmark(
    executors: list[str], workers: int = 2, repeats: int = 1, suite: Path | None = None
) -> tuple[list[ExecutorTiming], bool]:
    """Time each executor (sequential always on 1 worker), repeats interleaved so that a change in
    the machine's load hits every executor alike; True when all records agree."""
    runs: dict[str, list[tuple[float, float]]] = {e: [] for e in executors}
    loads: dict[str, list[float]] = {e: [] for e in executors}
    views = []
    become_subreaper()
    with tempfile.TemporaryDirectory(prefix="qhead-executors-") as tmp:
        tmp_path = Path(tmp)
        if suite is None:
            suite = tmp_path / "suite.yaml"
            suite.write_text(yaml.safe_dump(SUITE, sort_keys=False))
        for i in range(repeats):
            for executor in executors:
                n = 1 if executor == "sequential" else workers
                loads[executor].append(os.getloadavg()[0])
                seconds, cpu, records = time_executor(suite, executor, n, tmp_path / f"{executor}-{i}")
                loads[executor].append(os.getloadavg()[0])
                runs[executor].append((seconds, cpu))
                views.append(records)
    timings = []
    for executor in executors:
        walls, cpus = sorted(w for w, _ in runs[executor]), sorted(c for _, c in runs[executor])
        n = 1 if executor == "sequential" else workers
        timings.append(
            ExecutorTiming(
                executor, n, walls[len(walls) // 2], cpus[len(cpus) // 2], max(loads[executor]), len(views[0])
            )
        )
    return timings, all(v == views[0] for v in views)
