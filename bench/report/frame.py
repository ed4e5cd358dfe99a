"""Flatten records into one pandas DataFrame: the single tabular view the report builds on.

Contract of ``records_frame``:
- one row per record, in input order (index ``0..n-1``);
- columns ``key, status, dataset, head, n_qubits, n_layers, backend, seed, trained_on, protocol, error,
  n_params_classical, n_params_quantum, circuit_executions, n_classes, control, treatment``
  (``control``/``treatment``: a matched control's kind and its treatment's head label, else None);
- one ``metrics.<name>`` float column per metric and one ``timings.<name>`` float column per
  timing: always the documented ones (``METRIC_KEYS``, ``bench.results.record.TIMING_KEYS``), plus any
  other key a record carries; missing values are NaN;
- ``n_layers`` is a nullable integer (``<NA>`` for heads without a circuit); ``backend`` and
  ``trained_on`` are ``None`` there.
An empty list gives an empty frame with the same columns.
"""

from __future__ import annotations

import pandas as pd

from bench.results.record import TIMING_KEYS, Record

__all__ = ["AXES", "CELL_AXES", "CLASSICAL", "METRIC_KEYS", "metric_col", "records_frame", "timing_col"]

AXES = ("dataset", "head", "n_qubits", "n_layers", "backend", "seed")
"""The axes of a cell, as columns."""

CELL_AXES = AXES[:-1]
"""A cell's axes without the seed: rows sharing these are repeats over seeds."""

CLASSICAL = "classical"
"""Name of the control head (no circuit)."""

METRIC_KEYS = (
    "test_accuracy",
    "test_macro_f1",
    "test_cross_entropy",
    "train_accuracy",
    "val_accuracy",
    "overfit_gap",
    "best_epoch",
    "epochs_run",
    "agreement_max_abs_diff",
)
"""Metrics documented on ``Record.metrics``; always present as columns."""

_BASE_COLUMNS = (
    "key",
    "status",
    *AXES,
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
        r.seed,
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
