"""The Overfitting section: train / validation / test accuracy and the gaps between them, per configuration.

Rows are ``dataset × head × qubits × layers`` over the records of ``compare.reference_keys``
(each treatment through its reference backend, every control, every classical head); each
value is the mean ± 95 % Student-t half-width over seeds. ``gap_stats`` gives numbers,
``gap_table`` display strings.
"""

from __future__ import annotations

import pandas as pd

from bench.report.frame import CLASSICAL, UNIT, metric_col
from bench.report.render.fmt import MISSING, fmt_mean_ci, fmt_units
from bench.report.sections.base import Note, ReportInputs, ReportSection, Section, SectionContent, Table
from bench.stats import mean_ci

__all__ = ["GAPS_NOTE", "SECTION", "gap_stats", "gap_table"]

GAPS_NOTE = (
    "Accuracy on each split and the train − validation and train − test gaps (percentage points), mean ± "
    "95 % CI over seeds. Model selection uses validation only, so a validation accuracy well above test "
    "accuracy means selection noise, a large train − test gap means overfitting."
)

_SERIES = {
    "train": metric_col("train_accuracy"),
    "val": metric_col("val_accuracy"),
    "test": metric_col("test_accuracy"),
}
_KEYS = ["dataset", "head", "n_qubits", "n_layers"]


def gap_stats(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns: dataset, head, n_qubits, n_layers, n_seeds (units), n_folds (0 without folds), then
    ``<name>_mean`` / ``<name>_hw``
    for train, val, test, train_val_gap, train_test_gap."""
    ok = frame[(frame["status"] == "ok") & frame[_SERIES["test"]].notna()]
    values = {name: ok[col] for name, col in _SERIES.items()}
    values["train_val_gap"] = ok[_SERIES["train"]] - ok[_SERIES["val"]]
    values["train_test_gap"] = ok[_SERIES["train"]] - ok[_SERIES["test"]]
    rows = []
    for key, g in ok.groupby(_KEYS, dropna=False, sort=False):
        row = dict(zip(_KEYS, key, strict=True))
        row["n_seeds"] = int(g[UNIT].nunique())
        row["n_folds"] = int(g["fold"].nunique())
        for name, series in values.items():
            row[f"{name}_mean"], row[f"{name}_hw"] = mean_ci(series.loc[g.index])
        rows.append(row)
    rows.sort(
        key=lambda r: (
            r["dataset"],
            r["n_qubits"],
            r["head"] != CLASSICAL,
            r["head"],
            -1 if pd.isna(r["n_layers"]) else int(r["n_layers"]),
        )
    )
    columns = [*_KEYS, "n_seeds", "n_folds", *(f"{n}_{s}" for n in values for s in ("mean", "hw"))]
    return pd.DataFrame(rows, columns=columns)


def gap_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Display version of ``gap_stats``."""
    stats = gap_stats(frame)
    labels = {
        "train": "train %",
        "val": "val %",
        "test": "test %",
        "train_val_gap": "train − val (pp)",
        "train_test_gap": "train − test (pp)",
    }
    rows = []
    for _, r in stats.iterrows():
        layers = MISSING if pd.isna(r["n_layers"]) else str(int(r["n_layers"]))
        row = {
            "dataset": r["dataset"],
            "head": r["head"],
            "qubits": str(r["n_qubits"]),
            "layers": layers,
            "seeds": fmt_units(r["n_seeds"], r["n_folds"]),
        }
        for name, label in labels.items():
            row[label] = fmt_mean_ci(r[f"{name}_mean"], r[f"{name}_hw"], r["n_seeds"], signed="gap" in name)
        rows.append(row)
    return pd.DataFrame(rows, columns=["dataset", "head", "qubits", "layers", "seeds", *labels.values()])


def build(inputs: ReportInputs) -> SectionContent:
    blocks = [
        Note(GAPS_NOTE),
        Table(gap_table(inputs.reference), "No data: no ok records with a test accuracy."),
    ]
    return SectionContent([ReportSection("Overfitting: train / validation / test", blocks)])


SECTION = Section("gaps", build)
