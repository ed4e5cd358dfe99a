"""Verdict, comparison and gap tables, and the ablation plots, on hand-made records."""

from __future__ import annotations

import pytest

from bench.report.compare import best_configurations, comparisons
from bench.report.figures.ablation import plot_controls_vs
from bench.report.frame import records_frame
from bench.report.render.fmt import fmt_p, fmt_ratio
from bench.report.sections.comparisons import comparisons_table
from bench.report.sections.gaps import gap_stats, gap_table
from bench.report.sections.verdict import verdict_table
from tests.report.test_compare import SEEDS, _predictions, _record


def _records(val_boost_for_l1: float = 0.2) -> list:
    """Two configurations (layers 1 and 2) with a matched-mlp control each; layer 2 is better on test,
    layer 1 on validation."""
    out = []
    for n_layers, acc in ((1, 0.70), (2, 0.85)):
        for s in SEEDS:
            t = _record("quantum", s, _predictions(acc, s, 1), n_layers=n_layers)
            t.metrics["val_accuracy"] = acc + (val_boost_for_l1 if n_layers == 1 else 0.0)
            t.metrics["train_accuracy"] = 0.95
            c = _record(
                "quantum", s, _predictions(0.6, s, 2), control="matched-mlp", backend=None, n_layers=n_layers
            )
            out += [t, c]
    return out


def test_best_configuration_is_chosen_on_validation_not_test():
    best = best_configurations(_records())
    assert list(best["n_layers"]) == [1]  # higher validation accuracy, lower test accuracy
    best = best_configurations(_records(val_boost_for_l1=-0.5))
    assert list(best["n_layers"]) == [2]


def test_verdict_table_shows_the_best_configuration_against_each_control():
    records = _records()
    table = verdict_table(comparisons(records), records)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["configuration (best on val)"] == "quantum · 4 qubits · 1 layers"
    assert row["control"].startswith("matched-mlp") and row["verdict"] == "better"
    assert row["Δ acc (pp) [95 % CI]"].startswith("+10.0 [")
    assert row["trainable params (treatment / control)"] == "74 / 50"
    assert row["train time × classical"] == "10×" and row["inference time × classical"] == "5×"
    assert len(comparisons_table(comparisons(records))) == 2


def test_empty_inputs_give_empty_tables_with_columns():
    empty = comparisons([])
    assert empty.empty and "verdict" in empty
    assert verdict_table(empty, []).empty and comparisons_table(empty).empty
    assert gap_table(records_frame([])).empty


def test_gap_stats_are_means_over_seeds_per_configuration():
    stats = gap_stats(records_frame(_records()))
    row = stats[(stats["head"] == "quantum") & (stats["n_layers"] == 2)].iloc[0]
    assert row["n_seeds"] == len(SEEDS)
    assert row["test_mean"] == pytest.approx(0.85) and row["train_mean"] == pytest.approx(0.95)
    assert row["train_test_gap_mean"] == pytest.approx(0.10)
    assert row["train_val_gap_mean"] == pytest.approx(0.10)
    assert set(stats["head"]) == {"quantum", "quantum~matched-mlp"}


def test_fmt_p():
    assert fmt_p(0.0342) == "0.034" and fmt_p(1e-9) == "<0.001" and fmt_p(float("nan")) == "—"


@pytest.mark.parametrize("axis", ["n_qubits", "n_layers"])
def test_ablation_plots_write_a_png_or_nothing(tmp_path, axis):
    records = _records()
    frame = records_frame(records)
    path = plot_controls_vs(frame, best_configurations(records), axis, tmp_path / f"{axis}.png")
    assert path is not None and path.read_bytes().startswith(b"\x89PNG")
    assert plot_controls_vs(records_frame([]), best_configurations([]), axis, tmp_path / "none.png") is None
    assert not (tmp_path / "none.png").exists()


def test_best_configuration_for_the_verdict_is_among_those_with_controls():
    records = [r for r in _records(val_boost_for_l1=-0.5) if not (r.control and r.n_layers == 2)]
    comps = comparisons(records)
    assert list(best_configurations(records)["n_layers"]) == [2]  # best overall on validation
    assert list(best_configurations(records, comps)["n_layers"]) == [1]  # best with a control
    assert verdict_table(comps, records).iloc[0]["configuration (best on val)"].endswith("1 layers")


def test_cost_ratio_format():
    assert [fmt_ratio(x) for x in (3.24, 59.0, 1234.6, float("nan"))] == ["3.2×", "59×", "1,235×", "—"]
