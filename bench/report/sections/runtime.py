"""The Runtime section: medians per backend × qubits × layers over ok records of heads with a circuit."""

from __future__ import annotations

import math

import pandas as pd

from bench.report.frame import CLASSICAL, metric_col, timing_col
from bench.report.render.fmt import MISSING, fmt_count, fmt_seconds
from bench.report.sections.base import Note, ReportInputs, ReportSection, Section, SectionContent, Table

__all__ = ["RUNTIME_NOTE", "SECTION", "runtime_stats", "runtime_table"]

RUNTIME_NOTE = (
    "Medians over ok records of heads with a circuit (all heads, datasets and seeds of that "
    "backend × qubits × layers). Circuit times are measured on the evaluation backend; head training "
    "time ignores cells that reused a head trained elsewhere (recorded as 0). Evaluate-only backends time "
    "their evaluation (Qiskit paths: job wall time, queue included, scaled to a batch); shots executed are "
    "their evaluation shots."
)

_RUNTIME_FIELDS = {
    "forward_s": "circuit_forward_per_batch_s",
    "forward_backward_s": "circuit_forward_backward_per_batch_s",
    "latency_s": "circuit_latency_s",
    "head_training_s": "head_training_s",
    "evaluation_s": "evaluation_s",
}
_RUNTIME_STATS_COLUMNS = [
    "backend",
    "n_qubits",
    "n_layers",
    "n_records",
    *_RUNTIME_FIELDS,
    "circuits",
    "shots",
]


def runtime_stats(frame: pd.DataFrame) -> pd.DataFrame:
    """Medians per backend × qubits × layers over ok records of heads with a circuit.

    ``head_training_s`` ignores zeros (a zero means the cell reused a head trained elsewhere);
    ``circuits`` is the median of ``circuit_executions``, ``shots`` of ``metrics.shots_executed``
    (evaluation shots of shot-based backends; NaN for exact ones). Missing timings are skipped by the
    median; an all-missing group gives NaN.
    """
    ok = frame[frame["status"] == "ok"]
    ok = ok[(ok["head"] != CLASSICAL) & ok["backend"].notna()]
    rows = []
    for (backend, n_qubits, n_layers), g in ok.groupby(["backend", "n_qubits", "n_layers"], dropna=False):
        row = {
            "backend": backend,
            "n_qubits": int(n_qubits),
            "n_layers": None if pd.isna(n_layers) else n_layers,
            "n_records": len(g),
        }
        for name, key in _RUNTIME_FIELDS.items():
            values = g[timing_col(key)]
            if key == "head_training_s":
                values = values[values != 0]
            row[name] = float(values.median()) if values.notna().any() else math.nan
        row["circuits"] = float(g["circuit_executions"].median())
        shots = g[metric_col("shots_executed")] if metric_col("shots_executed") in g.columns else None
        row["shots"] = float(shots.median()) if shots is not None and shots.notna().any() else math.nan
        rows.append(row)
    rows.sort(key=lambda r: (r["backend"], r["n_qubits"], -1 if r["n_layers"] is None else r["n_layers"]))
    return pd.DataFrame(rows, columns=_RUNTIME_STATS_COLUMNS)


def runtime_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Display version of ``runtime_stats`` with human-readable durations."""
    stats = runtime_stats(frame)
    labels = {
        "forward_s": "circuit forward / batch",
        "forward_backward_s": "forward+backward / batch",
        "latency_s": "per-circuit latency",
        "head_training_s": "head training",
        "evaluation_s": "evaluation",
    }
    rows = []
    for _, r in stats.iterrows():
        row = {
            "backend": r["backend"],
            "qubits": str(r["n_qubits"]),
            "layers": MISSING if pd.isna(r["n_layers"]) else str(int(r["n_layers"])),
            "records": str(r["n_records"]),
        }
        row.update({label: fmt_seconds(r[name]) for name, label in labels.items()})
        row["circuits executed"] = fmt_count(r["circuits"])
        row["shots executed"] = fmt_count(r["shots"]) if r["shots"] else MISSING
        rows.append(row)
    columns = [
        "backend",
        "qubits",
        "layers",
        "records",
        *labels.values(),
        "circuits executed",
        "shots executed",
    ]
    return pd.DataFrame(rows, columns=columns)


def build(inputs: ReportInputs) -> SectionContent:
    table = runtime_table(inputs.frame)
    blocks = [Note(RUNTIME_NOTE), Table(table, "No data: no ok records of heads with a circuit.")]
    return SectionContent([ReportSection("Runtime", blocks)])


SECTION = Section("runtime", build)
