"""What ``python -m bench plan`` costs on a large suite: CPU seconds of the whole command.

``synthetic_suite(cells)`` is a suite shaped like the demo (``suites/audio.yaml``: the embedded
synthetic dataset, four heads, two exact simulators, matched controls on every circuit size) with
more widths, depths and seeds, so that its grid has at least ``cells`` cells. ``time_plan`` runs
``python -m bench plan`` on it in a fresh process (imports, suite loading, grid expansion, skip
checks, the table, the estimate) with an empty store and the backends' probes recorded, as on a
second ``plan`` of a new study, and reports the child's CPU seconds (user + system), which a loaded
machine inflates less than wall time.

``python benchmarks/plan_cpu.py`` prints the figures at 1k and 10k cells.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

HEADS = ["classical", "quantum", "hybrid-fixed", "hybrid-gated"]
QUBITS = [2, 4, 6, 8]
LAYERS = [1, 2]
BACKENDS = ["default.qubit", "lightning.qubit"]


def _suite(seeds: int) -> dict:
    return {
        "name": "plan-benchmark",
        "datasets": [{"name": "urban-synth", "params": {"n_per_class": 20, "seconds": 0.5}}],
        "features": {"name": "logmel", "params": {"n_fft": 512, "hop_length": 256, "n_mels": 16}},
        "backbone": {"name": "small-cnn", "params": {"channels": [8, 16], "embedding_dim": 16}},
        "heads": HEADS,
        "qubits": QUBITS,
        "layers": LAYERS,
        "backends": BACKENDS,
        "seeds": list(range(seeds)),
    }


def synthetic_suite(directory: Path, cells: int) -> tuple[Path, int]:
    """Write a suite of at least ``cells`` cells (the fewest seeds that reach it) into ``directory``
    (made if missing); returns its path and its exact cell count."""
    from bench.plan.grid import expand
    from bench.spec.loader import load_suite

    Path(directory).mkdir(parents=True, exist_ok=True)
    path = Path(directory) / "plan-benchmark.yaml"
    path.write_text(yaml.safe_dump(_suite(1), sort_keys=False))
    per_seed = len(expand(load_suite(path)))
    seeds = -(-cells // per_seed)
    path.write_text(yaml.safe_dump(_suite(seeds), sort_keys=False))
    return path, per_seed * seeds


@dataclass(frozen=True)
class PlanTiming:
    cells: int
    cpu_s: float
    wall_s: float


def time_plan(suite: Path, cells: int, workdir: Path) -> PlanTiming:
    """CPU and wall seconds of ``python -m bench plan SUITE`` in a fresh process (output discarded)."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    args = [sys.executable, "-m", "bench", "plan", str(suite)]
    args += ["--reports-dir", str(workdir / "reports"), "--cache-dir", str(workdir / "cache")]
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(args, check=True, env=env, cwd=workdir, stdout=subprocess.DEVNULL)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return PlanTiming(cells, cpu, wall)
