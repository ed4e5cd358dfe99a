"""The Plots section: accuracy vs qubits, the best configuration against its controls across qubits and
layers, circuit time vs qubits, confusion matrices and gate trajectories.

A figure without data, or with a single value on its x axis, is left out, heading and all; with none
left the section is. ``confusion_picks`` chooses the confusion-matrix subset: per dataset the
classical baseline, the best treatment (on validation) and its best control (on validation), never
by test accuracy.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from bench.controls.base import control_rank
from bench.report.figures import plots
from bench.report.figures.ablation import plot_controls_vs
from bench.report.frame import CLASSICAL
from bench.report.sections.base import Heading, ReportInputs, ReportSection, Section, SectionContent
from bench.results.record import Record

__all__ = ["SECTION", "confusion_picks"]


def _mean_val(records: list[Record]) -> float:
    values = [float(r.metrics.get("val_accuracy", math.nan)) for r in records]
    values = [v for v in values if not math.isnan(v)]
    return float(np.mean(values)) if values else -math.inf


def _best_control(records: list[Record], b: pd.Series) -> str | None:
    """The control kind of ``b``'s configuration with the highest mean validation accuracy
    (ties: ``bench.core.registry.CONTROLS`` order)."""
    kinds: dict[str, list[Record]] = {}
    for r in records:
        if (
            r.status == "ok"
            and r.control
            and r.treatment == b["head"]
            and r.dataset == b["dataset"]
            and r.n_qubits == b["n_qubits"]
            and r.n_layers == b["n_layers"]
        ):
            kinds.setdefault(r.control, []).append(r)
    ranked = sorted(kinds, key=lambda k: (-_mean_val(kinds[k]), control_rank(k), k))
    return ranked[0] if ranked else None


def _best_classical_qubits(records: list[Record], dataset: str) -> int | None:
    by_q: dict[int, list[Record]] = {}
    for r in records:
        if r.status == "ok" and r.head == CLASSICAL and r.control is None and r.dataset == dataset:
            by_q.setdefault(r.n_qubits, []).append(r)
    return max(sorted(by_q), key=lambda q: _mean_val(by_q[q])) if by_q else None


def confusion_picks(records: list[Record], best: pd.DataFrame) -> list[tuple[str, str, dict]]:
    """``(dataset, role, match)`` for ``plots.confusion_subset``: per dataset of ``best``
    (``compare.best_configurations``) the classical head on the same input, the best configuration
    and its best control; datasets without a treatment get their classical head at its best
    qubit count on validation."""
    picks = []
    datasets = sorted({r.dataset for r in records if r.status == "ok"})
    for ds in datasets:
        mine = best[best["dataset"] == ds] if not best.empty else best
        if mine.empty:
            q = _best_classical_qubits(records, ds)
            if q is not None:
                picks.append((ds, "classical baseline", {"head": CLASSICAL, "n_qubits": q, "control": None}))
            continue
        b = mine.iloc[0]
        q, n_layers = int(b["n_qubits"]), int(b["n_layers"])
        picks.append(
            (ds, "classical baseline (same input)", {"head": CLASSICAL, "n_qubits": q, "control": None})
        )
        treatment = {
            "head": b["head"],
            "n_qubits": q,
            "n_layers": n_layers,
            "backend": b["backend"],
            "control": None,
        }
        picks.append((ds, "best configuration (validation)", treatment))
        kind = _best_control(records, b)
        if kind is not None:
            match = {"control": kind, "treatment": b["head"], "n_qubits": q, "n_layers": n_layers}
            picks.append((ds, f"its best control (validation): {kind}", match))
    return picks


FIGURES = {
    "accuracy_vs_qubits": (
        "Accuracy vs qubits",
        "Test accuracy vs qubits",
        "One panel per dataset × layer count, one series per head in its colour (classical dotted, in every "
        "panel); mean over seeds with 95 % Student-t error bars, dodged sideways so they stay apart. Exact "
        "backends give the same predictions, so each configuration is drawn once (its reference backend).",
    ),
    "controls_vs_qubits": (
        "Accuracy vs qubits: best configuration and its controls",
        "Test accuracy vs qubits: best configuration and its controls",
        "Per dataset, the best configuration on validation (solid, its head's colour) and its matched "
        "controls (dashed, same colour, marker per control kind) across qubit counts at the best layer "
        "count; classical head dotted. Mean over seeds, 95 % Student-t error bars.",
    ),
    "controls_vs_layers": (
        "Accuracy vs layers: best configuration and its controls",
        "Test accuracy vs layers: best configuration and its controls",
        "Per dataset, the best configuration on validation (solid) and its matched controls (dashed, same "
        "colour) across layer counts at the best qubit count; classical head (no layers) as a dotted band. "
        "Mean over seeds, 95 % Student-t error bars.",
    ),
    "circuit_time_vs_qubits": (
        "Circuit time vs qubits",
        "Circuit forward time per batch vs qubits",
        "Median circuit forward time per batch (log scale); a grey shade and marker per backend (no head "
        "colour is reused), line style per layer count.",
    ),
    "confusion_matrices": (
        "Confusion matrices",
        "Confusion matrices: classical baseline, best configuration and its best control",
        "Per dataset: the classical head on the same input, the best configuration on validation and its "
        "control with the best validation accuracy. Counts are summed over seeds; colour is row-normalised "
        "recall. Nothing here is chosen on the test split.",
    ),
    "gate_trajectories": (
        "Gate trajectories",
        "Gate sigmoid(a) per epoch",
        "sigmoid(a) per epoch for gated hybrids: one panel per dataset × qubits × layers, one line per "
        "trained head and seed (line style per seed), in the head's colour.",
    ),
}
"""Figure name (file stem under ``figures/``) → (heading, alt text, caption), in the section's order."""


def build(inputs: ReportInputs) -> SectionContent:
    records, reference, best, palette = inputs.records, inputs.reference, inputs.best, inputs.palette
    panels = plots.confusion_subset(records, confusion_picks(records, best))
    frame = inputs.frame
    makers = {  # name -> (maker, the x axis that must take two values or None)
        "accuracy_vs_qubits": (
            lambda p: plots.plot_accuracy_vs_qubits(reference, p, palette),
            (reference, "n_qubits"),
        ),
        "controls_vs_qubits": (
            lambda p: plot_controls_vs(reference, best, "n_qubits", p, palette),
            (reference, "n_qubits"),
        ),
        "controls_vs_layers": (
            lambda p: plot_controls_vs(reference, best, "n_layers", p, palette),
            (reference, "n_layers"),
        ),
        "circuit_time_vs_qubits": (
            lambda p: plots.plot_circuit_time_vs_qubits(frame, p),
            (frame, "n_qubits"),
        ),
        "confusion_matrices": (lambda p: plots.plot_confusion_matrices(panels, p), None),
        "gate_trajectories": (lambda p: plots.plot_gate_trajectories(records, p, palette), None),
    }
    blocks = []
    for name, (heading, alt, caption) in FIGURES.items():
        figure = inputs.figure(name, makers[name][0], alt, caption, makers[name][1])
        blocks += [Heading(heading), figure] if figure.path else []
    return SectionContent([ReportSection("Plots", blocks)] if blocks else [])


SECTION = Section("plots", build)
