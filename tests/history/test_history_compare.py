"""``bench compare``: a clean re-run exits 0; planted regressions exit 3 and name the configuration."""

from __future__ import annotations

import json

import pytest

from bench.history.compare import compare_configuration
from bench.results.record import Record
from tests.history.conftest import QUANTUM


def _plant(history, edit, config: str = QUANTUM) -> None:
    """Apply ``edit(record)`` to the records of ``config`` in the latest run (stored with valid checksums)."""
    store = history.store()
    run_id = store.run_list()[-1].run_id
    for record in store.get(run_id=run_id):
        if record.key.startswith(config + "/"):
            edit(record)
            store.put(record, run_id)
    store.close()


def _accuracy_shift(deltas: dict[int, float]):
    def edit(record):
        record.metrics["test_accuracy"] += deltas[record.seed]

    return edit


def test_identical_rerun_compares_clean(two_runs, capsys):
    assert two_runs.cli("compare") == 0
    out = capsys.readouterr().out
    assert "no regression flagged" in out
    assert "identical (2 seeds)" in out  # a --new-run recomputed every cell: predictions bit-identical
    runs = [r.run_id for r in two_runs.store().run_list()]
    page = two_runs.root / "reports" / "tiny" / "compare" / f"{runs[0]}..{runs[1]}" / "index.md"
    assert "No regression flagged." in page.read_text()


def test_two_seeds_are_too_few_to_flag_an_accuracy_drop(two_runs, capsys):
    _plant(two_runs, _accuracy_shift({0: -0.10, 1: -0.102}))
    assert two_runs.cli("compare", "--json") == 0  # the report's rule: no verdict below 5 seeds
    doc = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert doc["regressions"] == [] and doc["exit_code"] == 0
    row = next(r for r in doc["rows"] if r["configuration"] == QUANTUM)
    assert row["delta_pp"] == pytest.approx(-10.1) and row["seeds_paired"] == 2
    assert row["accuracy"].startswith("too few seeds to conclude (2): at least ")


def _record(seed: int, **fields) -> Record:
    """An ok record of the QUANTUM configuration for ``seed``, with ``fields`` (metrics, timings, ...)."""
    return Record(
        key=f"{QUANTUM}/s{seed}#abc",
        status="ok",
        dataset="urban-synth",
        head="quantum",
        n_qubits=2,
        n_layers=1,
        backend="default.qubit",
        seed=seed,
        **fields,
    )


def _accuracies(values: list[float]) -> dict[int, Record]:
    return {seed: _record(seed, metrics={"test_accuracy": acc}) for seed, acc in enumerate(values)}


BASE = [0.80, 0.78, 0.82, 0.79, 0.81, 0.80]


def test_accuracy_drop_significant_and_beyond_threshold_is_a_regression():
    base = _accuracies(BASE)
    drop = _accuracies([a - 0.10 + 0.002 * (i % 2) for i, a in enumerate(BASE)])
    row = compare_configuration(QUANTUM, base, drop, 1.0, 1.25)
    assert row.accuracy == "REGRESSION" and row.flags[0].startswith("test accuracy -9.9 pp (95 % CI")
    assert compare_configuration(QUANTUM, base, drop, 12.0, 1.25).flags == []  # below the threshold
    up = _accuracies([a + 0.03 + 0.002 * (i % 2) for i, a in enumerate(BASE)])
    assert compare_configuration(QUANTUM, base, up, 1.0, 1.25).accuracy == "improved"
    assert compare_configuration(QUANTUM, base, _accuracies(BASE), 1.0, 1.25).accuracy == "unchanged"


def test_drop_inside_seed_noise_is_not_flagged():
    noisy = _accuracies([a + d for a, d in zip(BASE, (-0.06, 0.04, -0.05, 0.05, -0.03, 0.01), strict=True)])
    row = compare_configuration(QUANTUM, _accuracies(BASE), noisy, 1.0, 1.25)
    assert row.flags == [] and row.accuracy.startswith("no significant change (could have detected |Δ| ≥ ")


def test_runtime_change_on_another_machine_is_not_comparable(two_runs, capsys):
    def slower_elsewhere(record):
        record.timings = {k: v * 3 for k, v in record.timings.items()}
        record.provenance["cpu"] = "Some Other CPU @ 5 GHz"

    _plant(two_runs, slower_elsewhere)
    assert two_runs.cli("compare") == 0
    out = capsys.readouterr().out
    assert "not comparable (different machine)" in out and "different machines" in out


def _records(seconds: list[float], cpu: str = "CPU A", per_call: float = 0.1, spec=None) -> dict[int, Record]:
    return {
        seed: _record(
            seed,
            metrics={"test_accuracy": 0.5},
            timings={"head_training_s": s, "circuit_forward_backward_per_batch_s": s * per_call},
            provenance={"cpu": cpu, "cpu_count": "2", "gpu": "none"},
            spec={**(spec or {}), "seed": seed},
        )
        for seed, s in enumerate(seconds)
    }


def test_runtime_is_flagged_only_beyond_the_factor_and_significant_on_one_machine():
    base = _records([1.0, 1.1, 0.9])
    row = compare_configuration(QUANTUM, base, _records([3.0, 3.2, 2.9]), 1.0, 1.25)
    assert row.runtime["head training"].endswith("SLOWER") and len(row.flags) == 2
    within_factor = compare_configuration(QUANTUM, base, _records([1.15, 1.2, 1.1]), 1.0, 1.25)
    assert within_factor.flags == []  # significant but below x1.25
    noisy = compare_configuration(QUANTUM, base, _records([3.0, 0.8, 2.9]), 1.0, 1.25)
    assert noisy.flags == []  # beyond the factor in the median, but the samples overlap
    elsewhere = compare_configuration(QUANTUM, base, _records([3.0, 3.2, 2.9], "CPU B"), 1.0, 1.25)
    assert elsewhere.flags == [] and set(elsewhere.runtime.values()) == {"not comparable (different machine)"}


def test_a_millisecond_slow_down_is_below_the_minimum_effect_and_never_flagged():
    base = _records([0.10, 0.11, 0.09], per_call=0.002)  # 0.2 ms per circuit call
    run = _records([0.70, 0.75, 0.72], per_call=0.002)  # x7, significant, but +1.2 ms per call
    row = compare_configuration(QUANTUM, base, run, 1.0, 1.25)
    assert row.flags == []
    assert "below the 5.0 ms minimum effect" in row.runtime["circuit f+b / batch"]
    assert "below the 1.0 s minimum effect" in row.runtime["head training"]


def test_each_configuration_says_what_changed_between_the_runs():
    old = {"training": {"lr": 0.05, "epochs": 20}, "head": {"name": "quantum"}}
    new = {"training": {"lr": 0.02, "epochs": 20}, "head": {"name": "quantum"}}
    base, run = _records([1.0, 1.0, 1.0], spec=old), _records([1.0, 1.0, 1.0], "CPU B", spec=new)
    for r in run.values():
        r.provenance["version.torch"] = "2.9"
    row = compare_configuration(QUANTUM, base, run, 1.0, 1.25)
    assert row.changes == [
        "training.lr: 0.05 -> 0.02",
        "torch - -> 2.9",
        "machine: CPU A / 2 cores / GPU none -> CPU B / 2 cores / GPU none",
    ]
    assert row.predictions.startswith("not checked: training.lr: 0.05 -> 0.02; torch - -> 2.9")


def test_compare_page_lists_the_changes_and_links_both_runs_reports(two_runs, capsys):
    runs = [r.run_id for r in two_runs.store().run_list()]
    for run_id in runs:  # the two runs' reports (written with --no-report here)
        (two_runs.root / "reports" / "tiny" / run_id).mkdir(exist_ok=True)
        (two_runs.root / "reports" / "tiny" / run_id / "index.md").write_text("# report\n")
    assert two_runs.cli("compare") == 0
    page = two_runs.root / "reports" / "tiny" / "compare" / f"{runs[0]}..{runs[1]}"
    md, html = (page / "index.md").read_text(), (page / "index.html").read_text()
    assert f"[baseline {runs[0]} report](../../{runs[0]}/index.md)" in md
    assert f'href="../../{runs[1]}/index.html"' in html
    assert "## What changed" in md and "Nothing: same settings" in md


def test_prediction_change_with_same_versions_is_non_determinism(two_runs, capsys):
    def flip(record):
        if record.seed == 1:
            record.predictions[0] = (record.predictions[0] + 1) % 3

    _plant(two_runs, flip)
    assert two_runs.cli("compare") == 3
    assert f"REGRESSION {QUANTUM}: non-determinism" in capsys.readouterr().out


def test_newly_failing_cell_is_a_regression_and_run_choice_is_checked(two_runs, capsys):
    def fail(record):
        record.status, record.error = "failed", "RuntimeError: planted"

    _plant(two_runs, fail, "urban-synth/classical/q2/l-/-")
    assert two_runs.cli("compare") == 3
    assert "newly failing (s0, s1): RuntimeError: planted" in capsys.readouterr().out
    assert two_runs.cli("compare", "--baseline", "nope") == 2
    assert "--baseline 'nope' is not a run of this suite" in capsys.readouterr().err
    assert two_runs.cli("compare", "--factor", "0.5") == 2


def test_a_fold_cell_key_gives_its_configuration_without_the_fold_and_its_unit():
    from bench.history.compare import configuration

    assert configuration("us8k/quantum/q8/l2/default.qubit/f3/s1#abc") == (
        "us8k/quantum/q8/l2/default.qubit",
        (3, 1),
    )
    assert configuration("us8k/quantum/q8/l2/default.qubit/s1#abc") == ("us8k/quantum/q8/l2/default.qubit", 1)
    assert configuration("us8k/classical/q8/l-/-/f10/s0#abc") == ("us8k/classical/q8/l-/-", (10, 0))
