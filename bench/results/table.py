"""Records as one pandas DataFrame for analysis and export (``bench.results(...)``, ``bench export``).

Contract of ``results_table``:
- one row per ``(run_id, record)`` pair, in the given order (index ``0..n-1``);
- leading columns ``run_id, key, status, dataset, head, qubits, layers, backend, seed``, then ``fold``
  when any record carries one, then ``test_accuracy``; ``qubits`` and ``seed`` are int64, ``layers``
  a nullable Int64 (``<NA>`` for heads without a circuit);
- every metric of ``Record.metrics`` by its own name (``test_macro_f1``, ``val_accuracy``, ...; the
  documented ones first, always present), float, NaN where a record lacks it;
- every other record field by its name (``error``, ``trained_on``, ``protocol``, ``control``,
  ``treatment``, ``n_params_classical``, ``n_params_quantum``, ``circuit_executions``,
  ``schema_version``, and the lists ``confusion``, ``class_names``, ``predictions``, ``labels``,
  ``gate_trajectory``, ``jobs`` as Python lists);
- nested dicts flattened with dots: ``spec.<...>``, ``timings.<name>``, ``provenance.<...>`` (e.g.
  ``provenance.version.torch``), ``cache_hits.<stage>``, ``backend_info.<...>``, ``selection.<...>``,
  ``compute.<...>``; a key a record lacks is missing (NaN/None) in its row.
No records give an empty frame with the leading columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from bench.results.record import METRIC_KEYS, Record

RENAMED = {"n_qubits": "qubits", "n_layers": "layers"}
"""Record fields whose column has a shorter name."""

LEADING = ("run_id", "key", "status", "dataset", "head", "qubits", "layers", "backend", "seed", "fold")
"""The first columns, in this order (``fold`` only when records carry one), then ``test_accuracy``."""


def flatten(value: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``{"prefix.a.b": v}`` for every leaf of the nested dict ``value`` (lists are leaves)."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}.{key}"
        if isinstance(item, dict) and item:
            out.update(flatten(item, name))
        else:
            out[name] = item
    return out


def record_row(run_id: str, record: Record) -> dict[str, Any]:
    """One row of the table: ``run_id`` and every field of ``record``, flattened (module docstring)."""
    raw = record.to_dict()
    metrics = raw.pop("metrics")
    row: dict[str, Any] = {"run_id": run_id}
    for key, value in raw.items():
        name = RENAMED.get(key, key)
        if isinstance(value, dict):
            row.update(flatten(value, name))
        else:
            row[name] = value
    for key, value in metrics.items():
        row[key if key not in row else f"metrics.{key}"] = value
    return row


def results_table(entries: Iterable[tuple[str, Record]]) -> pd.DataFrame:
    """The DataFrame of ``(run_id, record)`` pairs (columns: see the module docstring)."""
    rows = [record_row(run_id, record) for run_id, record in entries]
    seen = list(dict.fromkeys(name for row in rows for name in row))
    folded = any(row.get("fold") is not None for row in rows)  # ``fold`` is None without folds
    leading = [c for c in LEADING if c != "fold" or folded]
    metrics = list(METRIC_KEYS)  # always columns, in this order, after the axes
    rest = [c for c in seen if c not in leading and c not in metrics and (c != "fold" or folded)]
    frame = pd.DataFrame(rows, columns=[*leading, *metrics, *rest])
    for name in metrics:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    return frame.astype({"qubits": "int64", "seed": "int64", "layers": "Int64"})
