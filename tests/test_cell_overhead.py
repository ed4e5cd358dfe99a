"""The per-cell overhead benchmark runs cells in this process and splits off what is not their own work
(figures are printed by benchmarks/cell_overhead.py, never asserted)."""

from __future__ import annotations

import yaml

from bench.timing.cell_overhead import measure_overhead, write_cheap_suite


def test_overhead_benchmark_times_cells_without_circuits(tmp_path):
    suite = write_cheap_suite(tmp_path / "suite.yaml", seeds=1)
    assert len(yaml.safe_load(suite.read_text())["seeds"]) == 1
    report = measure_overhead(suite, tmp_path, limit=7)
    assert report.cells == 5  # the first 7 cells: five classical, two circuit cells
    assert report.overhead_ms > 0 and report.commit_ms > 0 and report.own_ms > 0
    parts = {"pin_threads", "head_cache_save", "checkpoint_export", "provenance_and_suite_hash"}
    assert set(report.parts_ms) == set(report.parts_cpu_ms) == parts | {"record_json", "commit"}
    assert all(ms > 0 for ms in report.parts_ms.values())
