"""The driver-loop benchmark runs a run-shaped graph of no-op tasks through the real loop and
counts every node (figures are printed by benchmarks/scheduler_loop.py, never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.timing.scheduler_benchmark import scheduler_benchmark, synthetic_graph

ROOT = Path(__file__).resolve().parent.parent


def test_synthetic_graph_has_a_runs_shape_in_dependency_order():
    nodes = synthetic_graph(100)
    assert len(nodes) == 100
    seen: set[str] = set()
    for node in nodes:
        assert set(node.after) <= seen
        seen.add(node.key)
    assert nodes[0].priority > max(n.priority for n in nodes if n.key.startswith("cell-"))


def test_benchmark_times_every_node():
    [small, large] = scheduler_benchmark([50, 200])
    assert (small.nodes, large.nodes) == (50, 200)
    assert small.cpu_s >= 0 and large.ms_per_node >= 0


def test_script_prints_one_row_per_size():
    cmd = [sys.executable, str(ROOT / "benchmarks" / "scheduler_loop.py"), "--nodes", "30", "40"]
    done = subprocess.run(cmd, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()[1:]] == ["30", "40"]
