"""Draw every figure of a run report into ``figures/`` (PNG + SVG) with one palette.

``write_figures`` returns figure name → path relative to the report directory (``None``: no data,
or a single value on a line plot's x axis, e.g. accuracy vs layers with one layer count; a stale
PNG/SVG of that name from an earlier report is removed). ``confusion_picks`` chooses the
confusion-matrix subset: per dataset the classical baseline, the best treatment (on validation)
and its best control (on validation), never by test accuracy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from bench.controls.base import control_rank
from bench.report.figures import plots
from bench.report.figures.ablation import plot_controls_vs
from bench.report.figures.headline import plot_cost_accuracy, plot_forest
from bench.report.figures.style import Palette, palette_for
from bench.report.frame import CLASSICAL
from bench.report.sections import noise
from bench.results.record import Record

__all__ = ["FIGURES_DIR", "confusion_picks", "write_figures"]

FIGURES_DIR = "figures"


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


def write_figures(
    records: list[Record],
    frame: pd.DataFrame,
    reference: pd.DataFrame,
    comps: pd.DataFrame,
    best: pd.DataFrame,
    figures_dir: Path,
    palette: Palette | None = None,
) -> dict[str, str | None]:
    """Draw every figure (see the module docstring). ``reference``: the frame of the ablation's
    reference records (one exact backend per configuration); ``comps``: ``compare.comparisons``;
    ``best``: ``compare.best_configurations``."""
    palette = palette or palette_for(records)
    panels = plots.confusion_subset(records, confusion_picks(records, best))
    makers: dict[str, Callable[[Path], Path | None]] = {
        "forest": lambda p: plot_forest(comps, p, best),
        "cost_accuracy": lambda p: plot_cost_accuracy(reference, p, palette),
        "accuracy_vs_qubits": lambda p: plots.plot_accuracy_vs_qubits(reference, p, palette),
        "controls_vs_qubits": lambda p: plot_controls_vs(reference, best, "n_qubits", p, palette),
        "controls_vs_layers": lambda p: plot_controls_vs(reference, best, "n_layers", p, palette),
        "circuit_time_vs_qubits": lambda p: plots.plot_circuit_time_vs_qubits(frame, p),
        "confusion_matrices": lambda p: plots.plot_confusion_matrices(panels, p),
        "gate_trajectories": lambda p: plots.plot_gate_trajectories(records, p, palette),
        "noise_degradation": lambda p: noise.plot_degradation(records, p, palette),
        "noise_devices": lambda p: noise.plot_devices(records, p, palette),
    }
    x_axis = {
        "accuracy_vs_qubits": (reference, "n_qubits"),
        "controls_vs_qubits": (reference, "n_qubits"),
        "controls_vs_layers": (reference, "n_layers"),
        "circuit_time_vs_qubits": (frame, "n_qubits"),
    }
    out: dict[str, str | None] = {}
    for name, make in makers.items():
        path = figures_dir / f"{name}.png"
        one_point = name in x_axis and _distinct(*x_axis[name]) < 2
        out[name] = f"{FIGURES_DIR}/{path.name}" if not one_point and make(path) is not None else None
        if out[name] is None:  # no such figure this time: remove a stale one (each is replaced atomically)
            path.unlink(missing_ok=True)
            path.with_suffix(".svg").unlink(missing_ok=True)
    return out


def _distinct(frame: pd.DataFrame, column: str) -> int:
    """How many values ``column`` takes among the frame's ok rows (a one-value x axis draws nothing)."""
    if frame.empty or column not in frame:
        return 0
    ok = frame[frame["status"] == "ok"] if "status" in frame else frame
    return int(ok[column].dropna().nunique())
