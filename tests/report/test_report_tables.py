"""Tables: Δ pairing by seed, runtime medians, failures, markdown rendering."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from bench.report.frame import METRIC_KEYS, metric_col, records_frame, timing_col
from bench.report.render.markup import html_table, markdown_table
from bench.report.sections.accuracy import DELTA_VERDICT, accuracy_stats, accuracy_table
from bench.report.sections.failures import failures_table
from bench.report.sections.runtime import runtime_stats, runtime_table
from bench.results.record import TIMING_KEYS

T_975_DF2 = 4.302652729911275


def _row(stats: pd.DataFrame, **axes) -> pd.Series:
    mask = pd.Series(True, index=stats.index)
    for k, v in axes.items():
        mask &= stats[k].isna() if v is None else stats[k] == v
    assert mask.sum() == 1, f"expected one row for {axes}, got {mask.sum()}"
    return stats[mask].iloc[0]


@pytest.fixture()
def hand_made(record_factory):
    """Classical q=4 at seeds 0,1,2; quantum q=4 at seeds 2,0,1,3 (shuffled, seed 3 unpaired)."""
    mk = record_factory
    return [
        mk("quantum", 4, 2, 1, "default.qubit", accuracy=0.80),
        mk("classical", 4, 1, accuracy=0.60),
        mk("quantum", 4, 0, 1, "default.qubit", accuracy=0.55),
        mk("classical", 8, 0, accuracy=0.95),  # other input width: never a control for q=4
        mk("quantum", 4, 1, 1, "default.qubit", accuracy=35 / 60),
        mk("classical", 4, 0, accuracy=0.50),
        mk("classical", 4, 3, status="failed", error="boom"),  # failed: not a control
        mk("quantum", 4, 3, 1, "default.qubit", accuracy=0.90),
        mk("classical", 4, 2, accuracy=0.70),
    ]


def test_delta_is_paired_by_seed(hand_made):
    stats = accuracy_stats(records_frame(hand_made))
    q = _row(stats, head="quantum", n_qubits=4)
    deltas = [0.55 - 0.50, 35 / 60 - 0.60, 0.80 - 0.70]  # seeds 0, 1, 2; seed 3 has no ok control
    sd = pd.Series(deltas).std(ddof=1)
    assert q["n_seeds"] == 4 and q["delta_n"] == 3
    assert q["delta_mean"] == pytest.approx(sum(deltas) / 3, abs=1e-9)
    assert q["delta_hw"] == pytest.approx(T_975_DF2 * sd / math.sqrt(3), abs=1e-9)
    c = _row(stats, head="classical", n_qubits=4)
    assert c["n_seeds"] == 3 and math.isnan(c["delta_mean"]) and c["delta_n"] == 0


def test_delta_display_and_verdict(hand_made, record_factory):
    table = accuracy_table(records_frame(hand_made))
    q = table[table["head"] == "quantum"].iloc[0]
    assert q["Δ acc vs classical (pp)"].startswith("+4.4 ± ") and "(3 pairs)" in q["Δ acc vs classical (pp)"]
    assert q[DELTA_VERDICT] == "too few (3 < 5 seeds)"
    classical = table[table["head"] == "classical"]
    assert set(classical["Δ acc vs classical (pp)"]) == {"—"}
    mk = record_factory
    base = (0.5, 0.6, 0.7, 0.55, 0.65)
    clear = [mk("classical", 4, s, accuracy=a) for s, a in enumerate(base)]
    clear += [
        mk("hybrid-fixed", 4, s, 1, "default.qubit", accuracy=a + 0.1 + 0.01 * s) for s, a in enumerate(base)
    ]
    clear += [
        mk("quantum", 4, s, 1, "default.qubit", accuracy=a + 0.02 * (-1) ** s) for s, a in enumerate(base)
    ]
    t = accuracy_table(records_frame(clear))
    assert t.loc[t["head"] == "hybrid-fixed", DELTA_VERDICT].item() == "better"
    assert t.loc[t["head"] == "quantum", DELTA_VERDICT].item().startswith("no difference (MDE ")


def test_single_seed_shows_n1_without_ci(record_factory):
    recs = [
        record_factory("classical", 4, 0, accuracy=0.5),
        record_factory("quantum", 4, 0, 1, "default.qubit"),
    ]
    t = accuracy_table(records_frame(recs))
    assert t.loc[t["head"] == "classical", "test acc %"].item() == "50.0 (n=1)"
    assert t.loc[t["head"] == "quantum", DELTA_VERDICT].item() == "too few (1 < 5 seeds)"


def test_accuracy_table_on_synthetic(synthetic_records):
    stats = accuracy_stats(records_frame(synthetic_records))
    # 2 classical cells + 3 heads × 2 qubits × 2 layers; the two exact backends agree: one row each
    assert len(stats) == 2 + 12
    assert stats.loc[stats["head"] != "classical", "backend"].eq("default.qubit = lightning.qubit").all()
    assert (stats["n_seeds"] == 3).all()
    assert stats.loc[stats["head"] != "classical", "trained_on"].eq("default.qubit").all()
    assert stats.loc[stats["head"] != "classical", "delta_n"].eq(3).all()
    assert stats.iloc[0]["head"] == "classical"


def test_exact_backends_that_differ_keep_their_rows(record_factory):
    def cell(backend, seed, accuracy, agreement=0.0):
        r = record_factory("quantum", 4, seed, 1, backend, accuracy=accuracy)
        r.metrics["agreement_max_abs_diff"] = agreement
        return r

    recs = [cell("default.qubit", s, 0.6) for s in (0, 1)]
    recs += [cell("lightning.qubit", 0, 0.6), cell("lightning.qubit", 1, 0.7)]  # seed 1 differs
    recs += [cell("other.qubit", s, 0.6, agreement=float("nan")) for s in (0, 1)]  # never checked
    recs += [cell("agreeing.qubit", s, 0.6) for s in (0, 1)]
    backends = list(accuracy_stats(records_frame(recs))["backend"])
    assert backends == ["agreeing.qubit = default.qubit", "lightning.qubit", "other.qubit"]


def test_frame_columns(synthetic_records):
    frame = records_frame(synthetic_records)
    assert len(frame) == len(synthetic_records)
    for k in METRIC_KEYS:
        assert metric_col(k) in frame
    for k in TIMING_KEYS:
        assert timing_col(k) in frame
    assert str(frame["n_layers"].dtype) == "Int64"
    empty = records_frame([])
    assert empty.empty and list(empty.columns) == list(frame.columns)


def test_runtime_stats(synthetic_records):
    stats = runtime_stats(records_frame(synthetic_records))
    assert len(stats) == 2 * 2 * 2  # backend × qubits × layers
    row = _row(stats, backend="lightning.qubit", n_qubits=8, n_layers=2)
    assert row["n_records"] == 9
    assert row["forward_s"] == pytest.approx(1e-4 * 256 * 2 * 0.4)
    assert math.isnan(row["head_training_s"])  # only zeros: heads were trained on default.qubit
    table = runtime_table(records_frame(synthetic_records))
    assert (
        "ms" in table["circuit forward / batch"].iloc[0] or "µs" in table["circuit forward / batch"].iloc[0]
    )


def test_failures_table(synthetic_records):
    t = failures_table(records_frame(synthetic_records))
    assert list(t["status"]) == ["failed", "skipped"]
    assert "\n" not in t["error"].iloc[0]
    long = failures_table(records_frame(synthetic_records), max_error_len=10)
    assert all(len(e) <= 10 for e in long["error"])


def _cells(line: str) -> int:
    return len(re.split(r"(?<!\\)\|", line.strip())) - 2


def test_markdown_table_escapes_and_keeps_columns():
    df = pd.DataFrame({"a": ["x|y", "multi\nline"], "b": ["1.5", "-2"]})
    md = markdown_table(df)
    lines = md.splitlines()
    assert len(lines) == 4
    assert {_cells(line) for line in lines} == {2}
    assert lines[1] == "|:---|---:|"
    assert "x\\|y" in md and "multi line" in md
    assert "<td>x|y</td>" in html_table(df).replace('<td class="num">', "<td>")
    assert "&lt;b&gt;" in html_table(pd.DataFrame({"a": ["<b>"]}))


def test_number_formatting():
    from bench.report.render.fmt import fmt_count, fmt_duration, fmt_mean_ci, fmt_seconds

    assert fmt_seconds(0.0123) == "12.3 ms"
    assert fmt_seconds(5e-6) == "5.00 µs"
    assert fmt_seconds(42.0) == "42.0 s"
    assert fmt_seconds(300.0) == "5.0 min"
    assert fmt_seconds(float("nan")) == "—"
    assert fmt_duration(3725) == "1 h 2 min 5 s"
    assert fmt_count(12345.0) == "12,345"
    assert fmt_mean_ci(0.744, 0.012, 3) == "74.4 ± 1.2"
    assert fmt_mean_ci(0.012, float("nan"), 1, signed=True) == "+1.2 (n=1)"
