"""The cost model: relative costs, calibration from records, wall time by list scheduling."""

from __future__ import annotations

import pytest

from bench.plan.estimate import (
    DEFAULT,
    Calibration,
    cell_cost,
    estimate_wall,
    format_duration,
    makespan,
    task_seconds,
)
from bench.plan.grid import expand
from bench.results.record import Record
from bench.spec.loader import load_suite
from tests.conftest import write_suite


def _record(backend, n_qubits, n_layers, **timings) -> Record:
    return Record(
        key=f"d/h/q{n_qubits}/{backend}",
        status="ok",
        dataset="d",
        head="h",
        n_qubits=n_qubits,
        n_layers=n_layers,
        backend=backend,
        seed=0,
        spec={"training": {"timing_repeats": 2}},
        timings=timings,
    )


def test_calibration_is_the_median_per_unit_of_the_records_timings():
    records = [  # q2 l1: 1.5 units; q3 l1: 2 units
        _record("default.qubit", 2, 1, head_training_s=3.0, evaluation_s=0.3, features_s=4.0, backbone_s=8.0),
        _record(
            "default.qubit", 3, 1, head_training_s=8.0, evaluation_s=1.0, circuit_forward_per_batch_s=0.1
        ),
        _record("default.qubit", 3, 1, head_training_s=2.0, evaluation_s=1.0),
        _record(None, 2, None, head_training_s=0.7, evaluation_s=0.1),
    ]
    cal = Calibration.from_records(records)
    assert cal.calibrated and cal.n_records == 4
    assert cal.train_s_per_unit == pytest.approx(2.0)  # median of 2.0, 4.0, 1.0
    assert cal.eval_s_per_unit == pytest.approx(0.5)  # median of 0.2, (1.0 + 2 x 0.1) / 2, 0.5
    assert (cal.plain_train_s, cal.plain_eval_s) == (0.7, 0.1)
    assert (cal.features_s, cal.backbone_s) == (4.0, 8.0)
    empty = Calibration.from_records([])
    assert not empty.calibrated and empty.train_s_per_unit == DEFAULT.train_s_per_unit


def test_backend_siblings_pay_training_once_and_cached_backbones_nothing(tmp_path):
    suite = load_suite(write_suite(tmp_path, {"heads": ["quantum"], "seeds": [0, 1]}))
    cells = expand(suite)  # 2 seeds x 2 backends, one trained head per seed
    cal = Calibration(2.0, 0.5, 1.0, 0.1, 3.0, 7.0, cell_overhead_s=0.0, n_records=1)
    tasks = task_seconds(cells, cal)
    units = cell_cost(cells[0])
    assert sorted(tasks.cells) == pytest.approx(sorted([units * 2.5, units * 0.5] * 2))
    assert tasks.features == (3.0,) and tasks.backbones == (7.0, 7.0)
    cached = task_seconds(cells, cal, cached_backbones={("urban-synth", 0), ("urban-synth", 1)})
    assert cached.features == () and cached.backbones == ()
    assert estimate_wall(tasks, 1) == pytest.approx(tasks.total)
    assert estimate_wall(tasks, 2) == pytest.approx(3.0 + 7.0 + units * 3.0)


def test_makespan_by_longest_first_list_scheduling():
    assert makespan([3, 3, 2, 2, 2], 1) == 12
    assert makespan([3, 3, 2, 2, 2], 2) == 7  # 3+2+2 | 3+2 (longest first; 6 is optimal)
    assert makespan([5, 1, 1], 8) == 5
    assert makespan([], 4) == 0


def test_durations_read_as_a_person_would_say_them():
    assert [format_duration(s) for s in (4.4, 65, 3600 + 300)] == ["4 s", "1 min 05 s", "1 h 05 min"]


def test_estimate_of_a_run_names_its_executor_and_calibration(tmp_path):
    from bench.plan.estimate import RunTiming, estimate_run

    cells = expand(load_suite(write_suite(tmp_path, {"heads": ["classical"], "seeds": [0, 1, 2, 3]})))
    records = [_record(None, 2, None, head_training_s=2.0, evaluation_s=0.0, features_s=1.0, backbone_s=3.0)]
    earlier = [RunTiming(wall_s=2.5, workers=1, cells_run_now=1, records=records)]  # 0.5 s beyond its timings
    est = estimate_run(cells, records, workers=2, runs=earlier)
    assert est.calibration.cell_overhead_s == pytest.approx(0.5)
    assert est.wall_s == pytest.approx(1.0 + 3.0 * 2 + 2.5 * 2)  # features, 4 backbones / 2, 4 cells / 2
    assert est.compute_s == pytest.approx(1.0 + 12.0 + 10.0)
    line = est.describe("process")
    assert line.startswith("estimated wall time for 4 pending cells: ~12 s with process x2")
    assert "calibrated on 1 earlier records" in line
    assert "uncalibrated" in estimate_run(cells, [], workers=1).describe("sequential")
