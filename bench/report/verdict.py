"""Display tables of the ablation: the Verdict (top of the report) and all comparisons.

Both take the numeric frame of ``bench.report.compare.comparisons`` and return frames of strings
for ``bench.report.markup``. Empty input gives an empty table with the same columns.
"""

from __future__ import annotations

import math

import pandas as pd

from bench.report.compare import best_configurations
from bench.report.fmt import MISSING, fmt_mean_ci, fmt_points

__all__ = ["COMPARISONS_NOTE", "VERDICT_NOTE", "comparisons_table", "fmt_p", "verdict_table"]

VERDICT_NOTE = (
    "Per dataset, the quantum/hybrid configuration with the best mean *validation* accuracy among those "
    "with controls (the test split plays no part in choosing it), against each of its matched controls, "
    "trained with the same data, seeds, budget and selection rule. Δ is treatment − control test "
    "accuracy in percentage points, paired by seed, with a 95 % paired-bootstrap interval over seeds "
    "(small-sample expanded; with n seed pairs no such interval can cover more than 1 − 2^(1−n): 75 % "
    "for 3 seeds, 94 % for 5, so use at least 5); p is McNemar's test on the pooled test predictions, "
    "Holm-corrected across every comparison in this report. A verdict other than “no significant "
    "difference” needs both p < 0.05 and an interval that excludes 0. Cost ratios are the treatment's "
    "mean training and test-inference time over those of its classical control (the parameter-matched "
    "MLP, else the classical head on the same input); timings are from the machine and load of the run "
    "that trained each head."
)

COMPARISONS_NOTE = (
    "Every quantum/hybrid configuration against every control it has (same rules as the Verdict; the Holm "
    "correction runs over all rows of this table)."
)

_CONTROL_TEXT = {
    "matched-mlp": "classical MLP, matched params",
    "no-entanglement": "no entangling gates",
    "tanh-linear": "circuit → tanh(linear)",
    "beta-zero": "hybrid retrained with β = 0",
    "frozen-circuit": "random frozen circuit",
}

_VERDICT_COLUMNS = [
    "dataset",
    "configuration (best on val)",
    "test acc %",
    "control",
    "control test acc %",
    "Δ acc (pp) [95 % CI]",
    "p (McNemar, Holm)",
    "verdict",
    "trainable params (treatment / control)",
    "train time × classical",
    "inference time × classical",
    "seed pairs",
]
_COMPARISON_COLUMNS = [
    "dataset",
    "head",
    "qubits",
    "layers",
    "control",
    "seed pairs",
    "treatment acc %",
    "control acc %",
    "Δ acc (pp) [95 % CI]",
    "p (McNemar)",
    "p (Holm)",
    "verdict",
    "params (treatment / control)",
]


def fmt_p(p: float) -> str:
    """``0.0342`` → ``0.034``; below 0.001 → ``<0.001``; NaN → ``—``."""
    if p is None or math.isnan(p):
        return MISSING
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _fmt_delta(r) -> str:
    delta = fmt_points(r["delta"])
    if math.isnan(r["ci_low"]):
        return f"{delta} (no interval: 1 pair)" if r["n_pairs"] == 1 else delta
    return f"{delta} [{fmt_points(r['ci_low'])}, {fmt_points(r['ci_high'])}]"


def _fmt_ratio(x: float) -> str:
    """``3.24`` → ``3.2×``; ``1234.6`` → ``1,235×``."""
    if x is None or math.isnan(x):
        return MISSING
    return f"{x:,.0f}×" if x >= 100 else f"{x:.2g}×"


def _fmt_params(r) -> str:
    return f"{r['treatment_params']:,} / {r['control_params']:,}"


def _fmt_config(head: str, n_qubits: int, n_layers: int) -> str:
    return f"{head} · {n_qubits} qubits · {n_layers} layers"


def _control_text(kind: str) -> str:
    return f"{kind} ({_CONTROL_TEXT[kind]})" if kind in _CONTROL_TEXT else kind


def verdict_table(comps: pd.DataFrame, records) -> pd.DataFrame:
    """One row per control of each dataset's best configuration with controls (chosen on validation)."""
    best = best_configurations(records, comps)
    rows = []
    for _, b in best.iterrows():
        mine = comps[
            (comps["dataset"] == b["dataset"])
            & (comps["head"] == b["head"])
            & (comps["n_qubits"] == b["n_qubits"])
            & (comps["n_layers"] == b["n_layers"])
        ]
        for _, r in mine.iterrows():
            rows.append(
                {
                    "dataset": b["dataset"],
                    "configuration (best on val)": _fmt_config(b["head"], b["n_qubits"], b["n_layers"]),
                    "test acc %": fmt_mean_ci(b["test_mean"], b["test_hw"], b["n_seeds"]),
                    "control": _control_text(r["control"]),
                    "control test acc %": fmt_mean_ci(r["control_acc"], r["control_hw"], r["n_pairs"]),
                    "Δ acc (pp) [95 % CI]": _fmt_delta(r),
                    "p (McNemar, Holm)": fmt_p(r["p_holm"]),
                    "verdict": r["verdict"],
                    "trainable params (treatment / control)": _fmt_params(r),
                    "train time × classical": _fmt_ratio(r["train_time_ratio"]),
                    "inference time × classical": _fmt_ratio(r["inference_time_ratio"]),
                    "seed pairs": str(r["n_pairs"]),
                }
            )
    return pd.DataFrame(rows, columns=_VERDICT_COLUMNS)


def comparisons_table(comps: pd.DataFrame) -> pd.DataFrame:
    """Every comparison row, formatted."""
    rows = []
    for _, r in comps.iterrows():
        rows.append(
            {
                "dataset": r["dataset"],
                "head": r["head"],
                "qubits": str(r["n_qubits"]),
                "layers": str(r["n_layers"]),
                "control": r["control"],
                "seed pairs": str(r["n_pairs"]),
                "treatment acc %": fmt_mean_ci(r["treatment_acc"], r["treatment_hw"], r["n_pairs"]),
                "control acc %": fmt_mean_ci(r["control_acc"], r["control_hw"], r["n_pairs"]),
                "Δ acc (pp) [95 % CI]": _fmt_delta(r),
                "p (McNemar)": fmt_p(r["p_value"]),
                "p (Holm)": fmt_p(r["p_holm"]),
                "verdict": r["verdict"],
                "params (treatment / control)": _fmt_params(r),
            }
        )
    return pd.DataFrame(rows, columns=_COMPARISON_COLUMNS)
