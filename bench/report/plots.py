"""Report figures. Each ``plot_*`` function writes one PNG to ``path`` and returns ``path``, or
returns ``None`` (writing nothing) when there is no data for it.

Figures are built on ``matplotlib.figure.Figure`` with the Agg canvas, never through
``pyplot``: they are not registered in pyplot's global figure list, so nothing stays open after
saving and many reports in one process do not leak memory. Importing this module does not
change the user's matplotlib backend.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bench.report.frame import CLASSICAL, metric_col, timing_col
from bench.report.stats import mean_ci
from bench.report.tables import exact_only
from bench.results.record import Record

__all__ = [
    "best_confusion_records",
    "plot_accuracy_vs_qubits",
    "plot_circuit_time_vs_qubits",
    "plot_confusion_matrices",
    "plot_gate_trajectories",
]

ACC = metric_col("test_accuracy")
FORWARD = timing_col("circuit_forward_per_batch_s")
_LINESTYLES = ("-", "--", ":", "-.")
_DPI = 110


def new_figure(n_rows: int, n_cols: int, panel_w: float, panel_h: float) -> tuple[Figure, np.ndarray]:
    fig = Figure(figsize=(panel_w * n_cols, panel_h * n_rows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    return fig, axes


def save_figure(fig: Figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=_DPI, format="png")
    fig.clear()
    return path


def _head_order(heads: Iterable[str]) -> list[str]:
    return sorted(set(heads), key=lambda h: (h != CLASSICAL, h))


def _color_map(keys: Iterable) -> dict:
    palette = [f"C{i}" for i in range(10)]
    return {k: palette[i % len(palette)] for i, k in enumerate(keys)}


def _line_with_band(ax, g: pd.DataFrame, value_col: str, **style) -> None:
    xs, means, lows, highs = [], [], [], []
    for q, gq in g.groupby("n_qubits"):
        m, hw = mean_ci(gq[value_col])
        xs.append(int(q))
        means.append(m)
        lows.append(m - hw)
        highs.append(m + hw)
    ax.plot(xs, means, marker="o", **style)
    if any(not math.isnan(v) for v in lows):
        ax.fill_between(xs, lows, highs, alpha=0.18, color=style.get("color"), linewidth=0)


def plot_accuracy_vs_qubits(frame: pd.DataFrame, path: Path) -> Path | None:
    """Test accuracy vs qubits: one panel per dataset × evaluation backend, one line per
    head × layers (mean over seeds, 95 % Student-t band), classical head as a dashed black
    reference in every panel. ``None`` without ok records that have a test accuracy."""
    ok = exact_only(frame[(frame["status"] == "ok") & frame[ACC].notna()])
    if ok.empty:
        return None
    datasets = sorted(ok["dataset"].unique())
    quantum = ok[ok["head"] != CLASSICAL]
    backends = sorted(quantum["backend"].dropna().unique()) or [None]
    combos = sorted(
        {(h, int(n)) for h, n in zip(quantum["head"], quantum["n_layers"].fillna(0), strict=True)}
    )
    colors = _color_map(combos)
    fig, axes = new_figure(len(datasets), len(backends), 4.8, 3.6)
    for i, ds in enumerate(datasets):
        for j, be in enumerate(backends):
            ax = axes[i, j]
            ref = ok[(ok["dataset"] == ds) & (ok["head"] == CLASSICAL)]
            if not ref.empty:
                _line_with_band(ax, ref, ACC, color="black", linestyle="--", label="classical")
            panel = quantum[(quantum["dataset"] == ds) & (quantum["backend"] == be)]
            for (head, layers), g in panel.groupby(["head", panel["n_layers"].fillna(0)]):
                _line_with_band(
                    ax, g, ACC, color=colors[(head, int(layers))], label=f"{head}, L={int(layers)}"
                )
            ax.set_title(f"{ds} · {be or 'classical only'}", fontsize=10)
            ax.set_xlabel("qubits")
            ax.set_ylabel("test accuracy")
            ax.set_ylim(-0.02, 1.02)  # accuracy is a fraction: a wide CI band must not rescale the axis
            ax.set_xticks(sorted(ok.loc[ok["dataset"] == ds, "n_qubits"].unique()))
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
    return save_figure(fig, path)


def plot_circuit_time_vs_qubits(frame: pd.DataFrame, path: Path) -> Path | None:
    """Median circuit forward time per batch vs qubits (log y): one line per backend × layers,
    median over heads, datasets and seeds. ``None`` without positive timings."""
    ok = frame[(frame["status"] == "ok") & (frame["head"] != CLASSICAL) & frame["backend"].notna()]
    ok = ok[ok[FORWARD] > 0]
    if ok.empty:
        return None
    backends = sorted(ok["backend"].unique())
    colors = _color_map(backends)
    layers = sorted(int(n) for n in ok["n_layers"].fillna(0).unique())
    styles = {n: _LINESTYLES[i % len(_LINESTYLES)] for i, n in enumerate(layers)}
    fig, axes = new_figure(1, 1, 6.0, 4.0)
    ax = axes[0, 0]
    for (be, n_layers), g in ok.groupby(["backend", ok["n_layers"].fillna(0)]):
        med = g.groupby("n_qubits")[FORWARD].median()
        label = f"{be}, L={int(n_layers)}"
        ax.plot(
            med.index, med.values, marker="o", color=colors[be], linestyle=styles[int(n_layers)], label=label
        )
    ax.set_yscale("log")
    ax.set_xlabel("qubits")
    ax.set_ylabel("circuit forward per batch (s)")
    ax.set_xticks(sorted(ok["n_qubits"].unique()))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    return save_figure(fig, path)


def _has_accuracy(r: Record) -> bool:
    return not math.isnan(float(r.metrics.get("test_accuracy", math.nan)))


def _cell_of(r: Record) -> tuple:
    return (r.n_qubits, -1 if r.n_layers is None else r.n_layers, r.backend or "")


def best_confusion_records(records: list[Record]) -> list[Record]:
    """For each dataset × head: the best cell (highest mean test accuracy over seeds; ties → the
    smallest qubits/layers/backend), then its best seed (highest test accuracy; ties → lowest
    seed). Only ok records with a confusion matrix and a test accuracy count. Ordered by
    dataset, then classical first and the other heads by name."""
    usable = [r for r in records if r.status == "ok" and r.confusion and _has_accuracy(r)]
    by_dataset_head: dict[tuple[str, str], dict[tuple, list[Record]]] = {}
    for r in usable:
        by_dataset_head.setdefault((r.dataset, r.head), {}).setdefault(_cell_of(r), []).append(r)
    chosen = []
    for ds, head in sorted(by_dataset_head, key=lambda k: (k[0], k[1] != CLASSICAL, k[1])):
        cells = by_dataset_head[(ds, head)]
        best_cell = max(sorted(cells), key=lambda c: np.mean([r.metrics["test_accuracy"] for r in cells[c]]))
        seeds = sorted(cells[best_cell], key=lambda r: r.seed)
        chosen.append(max(seeds, key=lambda r: r.metrics["test_accuracy"]))
    return chosen


def _draw_confusion(ax, r: Record) -> None:
    cm = np.asarray(r.confusion, dtype=float)
    k = cm.shape[0]
    names = list(r.class_names) if len(r.class_names) == k else [str(i) for i in range(k)]
    rows = cm.sum(axis=1, keepdims=True)
    frac = np.divide(cm, rows, out=np.zeros_like(cm), where=rows > 0)
    ax.imshow(frac, cmap="Blues", vmin=0.0, vmax=1.0)
    if k <= 15:
        for (i, j), v in np.ndenumerate(cm):
            ax.text(
                j,
                i,
                f"{int(v)}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if frac[i, j] > 0.6 else "black",
            )
    if k <= 30:
        ax.set_xticks(range(k), names, rotation=45, ha="right", fontsize=7)
        ax.set_yticks(range(k), names, fontsize=7)
    circuit = "no circuit" if r.backend is None else f"L={r.n_layers}, {r.backend}"
    ax.set_title(
        f"{r.head} · {r.dataset}\nq={r.n_qubits}, {circuit}, seed {r.seed}\n"
        f"test acc {r.metrics['test_accuracy']:.1%}",
        fontsize=8,
    )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")


def plot_confusion_matrices(records: list[Record], path: Path) -> Path | None:
    """Confusion-matrix heatmaps (colour = row-normalised recall, text = counts) of the records
    chosen by ``best_confusion_records``: one row of panels per dataset, one panel per head.
    ``None`` when no ok record has a confusion matrix."""
    chosen = best_confusion_records(records)
    if not chosen:
        return None
    datasets = sorted({r.dataset for r in chosen})
    n_cols = max(sum(r.dataset == ds for r in chosen) for ds in datasets)
    k = max(len(r.confusion) for r in chosen)
    side = min(max(3.4, 0.32 * k + 1.2), 12.0)
    fig, axes = new_figure(len(datasets), n_cols, side, side + 0.5)
    for i, ds in enumerate(datasets):
        row = [r for r in chosen if r.dataset == ds]
        for j in range(n_cols):
            if j < len(row):
                _draw_confusion(axes[i, j], row[j])
            else:
                axes[i, j].set_axis_off()
    return save_figure(fig, path)


def plot_gate_trajectories(records: list[Record], path: Path) -> Path | None:
    """``sigmoid(a)`` per epoch for every ok record with a gate trajectory (gated hybrids).

    One line per trained head: records that share dataset, head, qubits, layers, training
    simulator and seed (the same head evaluated on several backends) are drawn once. Colour per
    dataset × head × qubits × layers. ``None`` when no record has a trajectory."""
    seen: dict[tuple, Record] = {}
    for r in records:
        if r.status == "ok" and r.gate_trajectory:
            seen.setdefault((r.dataset, r.head, r.n_qubits, r.n_layers, r.trained_on or r.backend, r.seed), r)
    if not seen:
        return None
    configs = sorted({k[:4] for k in seen}, key=lambda c: (c[0], c[1], c[2], -1 if c[3] is None else c[3]))
    colors = _color_map(configs)
    fig, axes = new_figure(1, 1, 6.0, 4.0)
    ax = axes[0, 0]
    labelled = set()
    for key in sorted(seen, key=lambda k: (configs.index(k[:4]), str(k[4]), k[5])):
        traj = seen[key].gate_trajectory
        config = key[:4]
        label = None if config in labelled else f"{config[0]} · {config[1]}, q={config[2]}, L={config[3]}"
        labelled.add(config)
        ax.plot(range(1, len(traj) + 1), traj, color=colors[config], alpha=0.8, linewidth=1.2, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("gate sigmoid(a)")
    ax.set_ylim(bottom=0.0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, title="one line per seed", title_fontsize=7)
    return save_figure(fig, path)
