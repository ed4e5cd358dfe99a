"""Trends page and step detection: a planted step after a package upgrade is found and labelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.history.changepoints import change_points
from bench.history.trends import write_trends
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


def test_trends_page_marks_a_planted_step_and_labels_the_upgrade(two_runs):
    store = two_runs.store()
    last = store.run_list()[-1]
    for n in (1, 2):  # two more runs after an upgrade, with the quantum head 10 points worse
        prov = {**last.provenance, "version.pennylane": "9.9.9"}
        when = datetime.now(UTC) + timedelta(minutes=n)
        run_id = store.new_run(when, "new", prov)
        for record in store.get(run_id=last.run_id):
            if record.key.startswith(QUANTUM + "/"):
                record.metrics["test_accuracy"] -= 0.10
            record.provenance = prov
            store.put(record, run_id)
        store.finish_run(run_id, "complete", {})
    paths = write_trends(store, "tiny", two_runs.root / "reports" / "tiny" / "trends")
    md = paths["md"].read_text()
    step_rows = [line for line in md.splitlines() if line.startswith(f"| {QUANTUM} | test accuracy")]
    assert len(step_rows) == 1 and "#3 " in step_rows[0] and "(pennylane 9.9.9)" in step_rows[0]
    assert "| -10.0 pp |" in step_rows[0]
    assert "urban-synth/classical/q2/l-/- | test accuracy" not in md  # unchanged: no step
    assert (paths["md"].parent / "figures" / "accuracy.png").stat().st_size > 1000
    assert "data:image/png;base64," in paths["html"].read_text()
