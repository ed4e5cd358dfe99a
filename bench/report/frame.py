"""Flatten records into one pandas DataFrame: the single tabular view the report builds on.

Contract of ``records_frame``:
- one row per record, in input order (index ``0..n-1``);
- columns ``key, status, dataset, head, n_qubits, n_layers, backend, fold, seed, unit, trained_on,
  protocol, error, n_params_classical, n_params_quantum, circuit_executions, n_classes, control,
  treatment`` (``control``/``treatment``: a matched control's kind and its treatment's head label,
  else None; ``fold``: the test fold, a nullable integer, ``<NA>`` without folds);
- ``unit`` is the statistical unit of the row (``Record.unit``): its seed, or the ``(fold, seed)``
  pair when the record has a fold. Every table, figure and verdict counts, pairs and averages
  over units, so a fold suite aggregates over folds x seeds; rows sharing ``CELL_AXES`` are
  repeats of one configuration. ``per_fold`` turns each fold into a dataset of its own for
  per-fold rows (``bench report --per-fold``);
- one ``metrics.<name>`` float column per metric and one ``timings.<name>`` float column per
  timing: always the documented ones (``METRIC_KEYS``, ``bench.results.record.TIMING_KEYS``), plus any
  other key a record carries; missing values are NaN;
- ``n_layers`` is a nullable integer (``<NA>`` for heads without a circuit); ``backend`` and
  ``trained_on`` are ``None`` there.
An empty list gives an empty frame with the same columns.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from bench.results.record import METRIC_KEYS, TIMING_KEYS, Record

__all__ = [
    "AXES",
    "CELL_AXES",
    "CLASSICAL",
    "METRIC_KEYS",
    "UNIT",
    "exact_only",
    "metric_col",
    "per_fold",
    "records_frame",
    "timing_col",
]

CELL_AXES = ("dataset", "head", "n_qubits", "n_layers", "backend")
"""A configuration's axes: rows sharing these are repeats over units (seeds, or folds x seeds)."""

AXES = (*CELL_AXES, "fold", "seed")
"""The axes of a cell, as columns."""

UNIT = "unit"
"""Column of a row's statistical unit: the seed, or ``(fold, seed)`` (``Record.unit``)."""

CLASSICAL = "classical"
"""Name of the control head (no circuit)."""


_BASE_COLUMNS = (
    "key",
    "status",
    *AXES,
    UNIT,
    "trained_on",
    "protocol",
    "error",
    "n_params_classical",
    "n_params_quantum",
    "circuit_executions",
    "n_classes",
    "control",
    "treatment",
)


def metric_col(name: str) -> str:
    """Column name of a metric, e.g. ``metrics.test_accuracy``."""
    return f"metrics.{name}"


def timing_col(name: str) -> str:
    """Column name of a timing, e.g. ``timings.evaluation_s``."""
    return f"timings.{name}"


def exact_only(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of exact backends (evaluate-only records, scored on a subset, belong to the Noise section)."""
    col = metric_col("evaluate_only")
    return frame[frame[col].isna()] if col in frame.columns else frame


def records_frame(records: list[Record]) -> pd.DataFrame:
    """One row per record; see the module docstring for the columns and dtypes."""
    metric_names = _ordered_keys(METRIC_KEYS, (r.metrics for r in records))
    timing_names = _ordered_keys(TIMING_KEYS, (r.timings for r in records))
    rows = [_row(r, metric_names, timing_names) for r in records]
    columns = [*_BASE_COLUMNS, *map(metric_col, metric_names), *map(timing_col, timing_names)]
    frame = pd.DataFrame(rows, columns=columns)
    return _set_dtypes(frame, metric_names, timing_names)


def _ordered_keys(documented: tuple[str, ...], dicts) -> list[str]:
    extra = sorted({k for d in dicts for k in d} - set(documented))
    return [*documented, *extra]


def _row(r: Record, metric_names: list[str], timing_names: list[str]) -> list:
    n_classes = len(r.class_names) or len(r.confusion) or None
    base = [
        r.key,
        r.status,
        r.dataset,
        r.head,
        r.n_qubits,
        r.n_layers,
        r.backend,
        r.fold,
        r.seed,
        r.unit,
        r.trained_on,
        r.protocol,
        r.error,
        r.n_params_classical,
        r.n_params_quantum,
        r.circuit_executions,
        n_classes,
        r.control,
        r.treatment,
    ]
    metrics = [_as_float(r.metrics.get(k)) for k in metric_names]
    timings = [_as_float(r.timings.get(k)) for k in timing_names]
    return [*base, *metrics, *timings]


def _as_float(value) -> float:
    try:
        return float(value) if value is not None else float("nan")
    except (TypeError, ValueError):
        return float("nan")


def _set_dtypes(frame: pd.DataFrame, metric_names: list[str], timing_names: list[str]) -> pd.DataFrame:
    frame = frame.astype(
        {
            "n_qubits": "int64",
            "seed": "int64",
            "fold": "Int64",
            "n_layers": "Int64",
            "n_params_classical": "int64",
            "n_params_quantum": "int64",
            "circuit_executions": "int64",
            "n_classes": "Int64",
        }
    )
    for col in (
        "key",
        "status",
        "dataset",
        "head",
        "backend",
        "trained_on",
        "protocol",
        "error",
        "control",
        "treatment",
    ):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    numeric = [metric_col(k) for k in metric_names] + [timing_col(k) for k in timing_names]
    frame[numeric] = frame[numeric].astype("float64")
    return frame


def per_fold(records: list[Record]) -> list[Record]:
    """``records`` with every record of a fold moved to a dataset of its own, labelled
    ``<dataset>-fold<k>``: tables, figures and verdicts then show one row per fold (records
    without a fold are returned as they are). The records themselves are not changed."""
    return [r if r.fold is None else replace(r, dataset=f"{r.dataset}-fold{r.fold}") for r in records]
