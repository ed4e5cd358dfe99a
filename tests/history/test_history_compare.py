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


def test_accuracy_drop_beyond_threshold_exits_3_and_names_the_configuration(two_runs, capsys):
    _plant(two_runs, _accuracy_shift({0: -0.10, 1: -0.102}))
    assert two_runs.cli("compare") == 3
    out = capsys.readouterr().out
    assert f"REGRESSION {QUANTUM}: test accuracy -10.1 pp" in out
    assert two_runs.cli("compare", "--json", "--threshold", "12") == 0  # the CI reaches above -12 pp
    doc = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert doc["regressions"] == [] and doc["exit_code"] == 0
    row = next(r for r in doc["rows"] if r["configuration"] == QUANTUM)
    assert row["delta_pp"] == pytest.approx(-10.1) and row["seeds_paired"] == 2


def test_drop_inside_seed_noise_is_not_flagged(two_runs, capsys):
    _plant(two_runs, _accuracy_shift({0: -0.06, 1: +0.04}))  # mean -1 pp, the seeds disagree
    assert two_runs.cli("compare") == 0
    assert "no significant change" in capsys.readouterr().out


def test_runtime_change_on_another_machine_is_not_comparable(two_runs, capsys):
    def slower_elsewhere(record):
        record.timings = {k: v * 3 for k, v in record.timings.items()}
        record.provenance["cpu"] = "Some Other CPU @ 5 GHz"

    _plant(two_runs, slower_elsewhere)
    assert two_runs.cli("compare") == 0
    out = capsys.readouterr().out
    assert "not comparable (different machine)" in out and "different machines" in out


def _records(seconds: list[float], cpu: str = "CPU A") -> dict[int, Record]:
    return {
        seed: Record(
            key=f"{QUANTUM}/s{seed}#abc",
            status="ok",
            dataset="urban-synth",
            head="quantum",
            n_qubits=2,
            n_layers=1,
            backend="default.qubit",
            seed=seed,
            metrics={"test_accuracy": 0.5},
            timings={"head_training_s": s, "circuit_forward_backward_per_batch_s": s / 10},
            provenance={"cpu": cpu, "cpu_count": "2", "gpu": "none"},
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
