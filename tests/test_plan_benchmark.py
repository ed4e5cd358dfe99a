"""The plan benchmark builds a demo-shaped suite of at least the cells asked for and times a real
``plan`` process on it (figures are printed by benchmarks/plan_cpu.py, never asserted)."""

from __future__ import annotations

from bench.plan.grid import expand
from bench.spec.loader import load_suite
from bench.timing.plan_benchmark import synthetic_suite, time_plan


def test_synthetic_suite_has_the_fewest_seeds_that_reach_the_size(tmp_path):
    path, cells = synthetic_suite(tmp_path / "s", 300)
    suite = load_suite(path)
    assert len(expand(suite)) == cells >= 300
    per_seed = cells // len(suite.seeds)
    assert per_seed * (len(suite.seeds) - 1) < 300
    assert any(c.control for c in expand(suite))  # matched controls, as in the demo


def test_time_plan_measures_a_plan_process(tmp_path, recorded_probes, monkeypatch):
    monkeypatch.setenv("QHEAD_PROBE_CACHE", recorded_probes["QHEAD_PROBE_CACHE"])
    path, cells = synthetic_suite(tmp_path / "s", 100)
    timing = time_plan(path, cells, tmp_path)
    assert timing.cells == cells and timing.cpu_s > 0 and timing.wall_s > 0
