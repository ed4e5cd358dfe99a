"""Display tables of the ablation: the conclusion in words and the Verdict (top of the report), and
all comparisons.

All take the numeric frame of ``bench.report.compare.comparisons`` and return frames of strings
for ``bench.report.render.markup``. Empty input gives an empty table with the same columns.
"""

from __future__ import annotations

import math

import pandas as pd

from bench.controls.base import control_label
from bench.report.compare import best_configurations
from bench.report.render.fmt import MISSING, fmt_mean_ci, fmt_points
from bench.report.sections.conclusion import conclusion

__all__ = [
    "COMPARISONS_NOTE",
    "CONCLUSION_NOTE",
    "VERDICT_NOTE",
    "comparisons_table",
    "conclusion_table",
    "fmt_p",
    "fmt_probability",
    "verdict_table",
]

VERDICT_NOTE = (
    "Per dataset, the quantum/hybrid configuration with the best mean *validation* accuracy among those "
    "with controls (the test split plays no part in choosing it), against each of its matched controls, "
    "trained with the same data, seeds, budget and selection rule. Δ is treatment − control test "
    "accuracy in percentage points, paired by unit (a seed, or a fold × seed pair), with the 95 % "
    "Student-t interval over the unit deltas; p is the paired t-test over units, Holm-corrected across "
    "every comparison in this report (docs/statistics.md; its false-positive rate and coverage are "
    "measured by `python -m bench stats-check`). “better” / “worse”: Holm-corrected p < 0.05. With fewer "
    "than 5 units no verdict is given (“too few”), with the units a 2 pp effect would need at the "
    "observed spread. Every “no significant difference” states the smallest |Δ| the study could have "
    "detected with 80 % power (at α = 0.05 before the Holm correction). P(better): the probability "
    "that the treatment's mean accuracy is higher, given the unit deltas. Cost ratios are the treatment's "
    "mean training and test-inference time over those of its classical control (the parameter-matched "
    "MLP, else the classical head on the same input); timings are from the machine and load of the run "
    "that trained each head."
)

COMPARISONS_NOTE = (
    "Every quantum/hybrid configuration against every control it has (same rules as the Verdict; the Holm "
    "correction runs over all rows of this table)."
)

CONCLUSION_NOTE = (
    "One sentence per dataset, from the Verdict's comparisons by the rules in docs/statistics.md: a claim "
    "that the quantum part helps needs the treatment to beat both the parameter-matched MLP and its own "
    "circuit without entangling gates; a gain over a weaker control is attributed to the first "
    "capacity-matched control that matches it."
)

_VERDICT_COLUMNS = [
    "dataset",
    "configuration (best on val)",
    "test acc %",
    "control",
    "control test acc %",
    "Δ acc (pp) [95 % CI]",
    "p (t over units, Holm)",
    "verdict",
    "P(better)",
    "trainable params (treatment / control)",
    "train time × classical",
    "inference time × classical",
    "paired units",
]
_COMPARISON_COLUMNS = [
    "dataset",
    "head",
    "qubits",
    "layers",
    "control",
    "paired units",
    "treatment acc %",
    "control acc %",
    "Δ acc (pp) [95 % CI]",
    "p (t over units)",
    "p (Holm)",
    "verdict",
    "P(better)",
    "params (treatment / control)",
]


def fmt_p(p: float) -> str:
    """``0.0342`` → ``0.034``; below 0.001 → ``<0.001``; NaN → ``—``."""
    if p is None or math.isnan(p):
        return MISSING
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def fmt_probability(p: float) -> str:
    """``0.973`` → ``0.97``; NaN → ``—``."""
    if p is None or math.isnan(p):
        return MISSING
    return f"{p:.2f}"


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
    label = control_label(kind)
    return f"{kind} ({label})" if label != kind else kind


def _best_rows(comps: pd.DataFrame, records):
    """``(best configuration row, its comparison rows)`` per dataset, best chosen on validation."""
    best = best_configurations(records, comps)
    for _, b in best.iterrows():
        mine = comps[
            (comps["dataset"] == b["dataset"])
            & (comps["head"] == b["head"])
            & (comps["n_qubits"] == b["n_qubits"])
            & (comps["n_layers"] == b["n_layers"])
        ]
        yield b, mine


def conclusion_table(comps: pd.DataFrame, records) -> pd.DataFrame:
    """One row per dataset: its conclusion in words (``bench.report.sections.conclusion``)."""
    rows = [
        {
            "dataset": b["dataset"],
            "conclusion": conclusion(_fmt_config(b["head"], b["n_qubits"], b["n_layers"]), mine),
        }
        for b, mine in _best_rows(comps, records)
    ]
    return pd.DataFrame(rows, columns=["dataset", "conclusion"])


def verdict_table(comps: pd.DataFrame, records) -> pd.DataFrame:
    """One row per control of each dataset's best configuration with controls (chosen on validation)."""
    rows = []
    for b, mine in _best_rows(comps, records):
        for _, r in mine.iterrows():
            rows.append(
                {
                    "dataset": b["dataset"],
                    "configuration (best on val)": _fmt_config(b["head"], b["n_qubits"], b["n_layers"]),
                    "test acc %": fmt_mean_ci(b["test_mean"], b["test_hw"], b["n_seeds"]),
                    "control": _control_text(r["control"]),
                    "control test acc %": fmt_mean_ci(r["control_acc"], r["control_hw"], r["n_pairs"]),
                    "Δ acc (pp) [95 % CI]": _fmt_delta(r),
                    "p (t over units, Holm)": fmt_p(r["p_holm"]),
                    "verdict": r["verdict_text"],
                    "P(better)": fmt_probability(r["p_better"]),
                    "trainable params (treatment / control)": _fmt_params(r),
                    "train time × classical": _fmt_ratio(r["train_time_ratio"]),
                    "inference time × classical": _fmt_ratio(r["inference_time_ratio"]),
                    "paired units": str(r["n_pairs"]),
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
                "paired units": str(r["n_pairs"]),
                "treatment acc %": fmt_mean_ci(r["treatment_acc"], r["treatment_hw"], r["n_pairs"]),
                "control acc %": fmt_mean_ci(r["control_acc"], r["control_hw"], r["n_pairs"]),
                "Δ acc (pp) [95 % CI]": _fmt_delta(r),
                "p (t over units)": fmt_p(r["p_value"]),
                "p (Holm)": fmt_p(r["p_holm"]),
                "verdict": r["verdict_text"],
                "P(better)": fmt_probability(r["p_better"]),
                "params (treatment / control)": _fmt_params(r),
            }
        )
    return pd.DataFrame(rows, columns=_COMPARISON_COLUMNS)
