"""Trends page and step detection: a planted step after a package upgrade is found and labelled."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from bench.history.changepoints import change_points
from bench.history.compare import configuration
from bench.history.trends import accuracy_steps, collect, run_label, write_trends, zoomed_limits
from bench.results.store import ResultsStore
from tests.history.conftest import QUANTUM


def test_change_points_need_a_large_enough_step_that_stands_out_of_the_noise():
    flat = [80.0, 80.5, 79.6, 80.2, 80.1]
    assert change_points(flat, min_effect=1.0) == []
    step = [80.0, 80.5, 79.6, 70.2, 70.1, 70.4]
    assert change_points(step, min_effect=1.0) == [3]
    assert change_points(step, min_effect=15.0) == []  # smaller than the minimum effect
    assert change_points(step, min_effect=1.0, noise=8.0) == []  # inside the seed noise
    two = [10.0, 10.0, 20.0, 20.0, 30.0, 30.0]
    assert change_points(two, min_effect=1.0) == [2, 4]
    assert change_points([10.0, float("nan"), 10.0, 20.0], min_effect=1.0) == [3]


def _five_seed_run(store, template, prov, when, shift: float) -> None:
    """A run of the template's records copied to seeds 0-4 (small seed-to-seed spread), the quantum
    head's test accuracy moved by ``shift``."""
    run_id = store.new_run(when, "new", prov)
    by_config = {configuration(r.key)[0]: r for r in template}
    for config, record in by_config.items():
        for seed in range(5):
            copy = dataclasses.replace(record, key=f"{config}/s{seed}#x", seed=seed, provenance=prov)
            copy.metrics = {**record.metrics, "test_accuracy": 0.7 + 0.01 * (seed % 3)}
            if config == QUANTUM:
                copy.metrics["test_accuracy"] += shift + 0.002 * (seed % 2)
            store.put(copy, run_id)
    store.finish_run(run_id, "complete", {})


def test_trends_page_marks_a_planted_step_and_labels_the_upgrade(tmp_path, two_runs):
    template = two_runs.store().get(run_id=two_runs.store().run_list()[-1].run_id)
    store = ResultsStore(tmp_path / "results.sqlite")
    prov = template[0].provenance
    start = datetime.now(UTC)
    for n, (version, shift) in enumerate([("1.0", 0.0), ("1.0", 0.0), ("9.9.9", -0.10), ("9.9.9", -0.10)]):
        _five_seed_run(
            store, template, {**prov, "version.pennylane": version}, start + timedelta(minutes=n), shift
        )
    paths = write_trends(store, "tiny", tmp_path / "trends")
    md = paths["md"].read_text()
    step_rows = [line for line in md.splitlines() if line.startswith(f"| {QUANTUM} | test accuracy")]
    assert len(step_rows) == 1 and "#3 " in step_rows[0] and "(pennylane 9.9.9)" in step_rows[0]
    assert "| -10.0 pp |" in step_rows[0]
    series = next(line for line in md.splitlines() if line.startswith(f"| {QUANTUM} |") and "±" in line)
    assert "▼" in series and "▲" not in series  # a drop is worse: the forest plot's marker
    labels = [run_label(store.run_list(), i) for i in range(4)]
    assert len(set(labels)) == 4 and labels[0].startswith("#1 ")  # runs of one commit stay apart
    assert "urban-synth/classical/q2/l-/- | test accuracy" not in md  # unchanged: no step
    assert (paths["md"].parent / "figures" / "accuracy.png").stat().st_size > 1000
    assert "data:image/png;base64," in paths["html"].read_text()


def test_runs_table_names_the_suite_settings_that_changed_since_the_previous_run():
    from bench.history.trends import settings_changes
    from bench.results.record import Record

    def run(lr: float) -> list[Record]:
        spec = {"training": {"lr": lr, "epochs": 3}, "seed": 0}
        key = f"d/quantum/q2/l1/default.qubit/s0#{lr}"
        return [Record(key, "ok", "d", "quantum", 2, 1, "default.qubit", 0, spec=spec)]

    assert settings_changes([run(0.05), run(0.05), run(0.02)]) == [[], [], ["training.lr: 0.05 -> 0.02"]]


def test_trend_y_axis_zooms_to_the_data():
    low, high = zoomed_limits([91.0, 91.5, 88.0], [0.5, 0.5, 0.5], "accuracy")
    assert 85 < low < 87.5 and 92 < high < 94  # not 0-100
    assert zoomed_limits([50.0, 50.0], None, "accuracy") == pytest.approx((48.7, 51.3))  # at least 2 pp tall


def test_an_accuracy_step_is_what_compare_calls_significant(two_runs):
    """Two seeds: compare says "too few seeds", so trends marks no step either, however large."""
    store = two_runs.store()
    last = store.run_list()[-1]
    run_id = store.new_run(datetime.now(UTC) + timedelta(minutes=1), "new", last.provenance)
    for record in store.get(run_id=last.run_id):
        if record.key.startswith(QUANTUM + "/"):
            record.metrics["test_accuracy"] -= 0.10
        store.put(record, run_id)
    store.finish_run(run_id, "complete", {})
    assert accuracy_steps(collect(store).accuracy[QUANTUM], 1.0) == []
    assert change_points([p.value for p in collect(store).accuracy[QUANTUM]], 1.0) == [
        2
    ]  # the bare rule would


def _points_from_records(store):
    """The reference: every run's records decoded, grouped by configuration, through the same points."""
    from bench.history.runs import machine_fingerprint
    from bench.history.trends import TIME_KEY, _accuracy_point, _time_point

    per_run = [store.get(run_id=r.run_id) for r in store.run_list()]
    latest = [r for r in per_run[-1] if r.status == "ok"]
    machine = machine_fingerprint(latest[0].provenance)
    configs = sorted({configuration(r.key)[0] for records in per_run for r in records})
    acc, time = {}, {}
    for config in configs:
        ok = [[r for r in rs if r.status == "ok" and configuration(r.key)[0] == config] for rs in per_run]
        acc[config] = [_accuracy_point({r.unit: 100 * r.metrics["test_accuracy"] for r in g}) for g in ok]
        time[config] = [
            _time_point(
                [
                    r.timings[TIME_KEY]
                    for r in g
                    if r.timings.get(TIME_KEY) and machine_fingerprint(r.provenance) == machine
                ]
            )
            for g in ok
        ]
    return machine, acc, time


def test_trends_from_summaries_equal_trends_from_records_and_rewrites_read_changed_runs(
    tmp_path, monkeypatch
):
    import bench.history.trends as trends
    from bench.timing.trends_benchmark import synthetic_store

    path = synthetic_store(tmp_path / "results.sqlite", cells=40, runs=4, seeds=5, test_items=7)
    store = ResultsStore(path)
    machine, acc, time = _points_from_records(store)
    t = collect(store, tmp_path / "kept")
    assert (t.machine, t.accuracy, {c: p for c, p in t.time.items()}) == (machine, acc, time)
    assert len(list((tmp_path / "kept").glob("*.json"))) == 4
    read = []
    summarize = trends.summarize_run
    monkeypatch.setattr(
        trends, "summarize_run", lambda s, run_id: read.append(run_id) or summarize(s, run_id)
    )
    assert collect(store, tmp_path / "kept").accuracy == acc and read == []  # all four kept
    last = store.run_list()[-1].run_id
    record = store.get(run_id=last)[0]
    record.metrics["test_accuracy"] = 0.0
    store.put(record, last)
    again = collect(store, tmp_path / "kept")
    assert read == [last] and again.accuracy != acc
    store.close()


def test_accuracy_points_computed_together_equal_each_computed_alone():
    import math

    import numpy as np

    from bench.history.trends import _accuracy_point, accuracy_points

    rng = np.random.default_rng(1)
    entries = [
        {seed: float(v) for seed, v in enumerate(rng.uniform(40, 95, size=n))}
        for n in [*range(0, 12), 17, 40, *rng.integers(2, 9, size=200)]
    ]
    entries.append({0: 80.0, 1: math.nan, 2: 81.0})
    together = accuracy_points(entries)
    alone = [_accuracy_point(e) for e in entries]
    assert [p is None for p in together] == [p is None for p in alone]
    for a, b in zip(together, alone, strict=True):
        if a is not None:  # bit for bit, NaN where one is NaN
            assert a.seeds is b.seeds and a.n == b.n
            for x, y in ((a.value, b.value), (a.half, b.half), (a.noise, b.noise)):
                assert x == y or (math.isnan(x) and math.isnan(y))
