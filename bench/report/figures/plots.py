"""Report figures. Each ``plot_*`` function writes one PNG (and its SVG twin, see
``bench.report.figures.style.save_figure``) to ``path`` and returns ``path``, or returns ``None`` (writing
nothing) when there is no data for it.

Figures are built on ``matplotlib.figure.Figure`` with the Agg canvas, never through ``pyplot``:
nothing stays open after saving and many reports in one process do not leak memory. Importing
this module does not change the user's matplotlib backend. Colours come from one
``bench.report.figures.style.Palette`` per report (a head has the same colour in every figure); panels
hold at most ``MAX_SERIES`` series and wrap at ``MAX_COLS`` per row; legends sit outside the data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from bench.report.figures.style import Palette, dodge, legend_outside, new_figure, save_figure
from bench.report.frame import CLASSICAL, exact_only, metric_col, timing_col
from bench.report.render.fmt import fmt_unit
from bench.results.record import Record
from bench.stats import mean_ci

__all__ = [
    "MAX_COLS",
    "MAX_SERIES",
    "accuracy_panels",
    "confusion_subset",
    "new_figure",
    "plot_accuracy_vs_qubits",
    "plot_circuit_time_vs_qubits",
    "plot_confusion_matrices",
    "plot_gate_trajectories",
    "save_figure",
]

ACC = metric_col("test_accuracy")
FORWARD = timing_col("circuit_forward_per_batch_s")
MAX_SERIES = 8
MAX_COLS = 4
_LINESTYLES = ("-", "--", ":", "-.")
_BACKEND_GREYS = ("#111111", "#7a7a7a", "#444444", "#a8a8a8")
_BACKEND_MARKERS = ("o", "s", "^", "D", "v", "P")


def grid_shape(n_panels: int, max_cols: int = MAX_COLS) -> tuple[int, int]:
    """``(rows, cols)`` for ``n_panels`` panels, at most ``max_cols`` per row."""
    n_cols = max(1, min(max_cols, n_panels))
    return math.ceil(max(n_panels, 1) / n_cols), n_cols


def hide_unused(axes: np.ndarray, n_used: int) -> None:
    for ax in axes.flat[n_used:]:
        ax.set_axis_off()


def _head_order(heads: Iterable[str]) -> list[str]:
    return sorted(set(heads), key=lambda h: (h != CLASSICAL, h))


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def mean_ci_points(g: pd.DataFrame, x_col: str, value_col: str) -> tuple[list, list, list]:
    """Per x value: ``(xs, means, half-widths)`` (half-width NaN with one seed)."""
    xs, means, hws = [], [], []
    for x, gx in g.groupby(x_col):
        m, hw = mean_ci(gx[value_col])
        xs.append(float(x))
        means.append(m)
        hws.append(hw)
    return xs, means, hws


def errorbar_series(ax, xs, means, hws, offset: float = 0.0, **style) -> None:
    """A line with markers and 95 % error bars (none where the half-width is NaN)."""
    xs = [x + offset for x in xs]
    yerr = [0.0 if math.isnan(h) else h for h in hws]
    ax.errorbar(xs, means, yerr=yerr, capsize=3, elinewidth=1.1, markersize=5, linewidth=1.5, **style)


def _min_gap(values: Iterable[float]) -> float:
    v = sorted(set(values))
    return min(np.diff(v)) if len(v) > 1 else 1.0


def accuracy_panels(ok: pd.DataFrame) -> list[tuple[str, int | None, list[str]]]:
    """``(dataset, layer count or None, heads)`` per panel of ``plot_accuracy_vs_qubits``: one per
    dataset × layer count, its circuit heads split into chunks of ``MAX_SERIES - 1`` (the classical
    head is drawn in every panel besides)."""
    quantum = ok[ok["head"] != CLASSICAL]
    panels = []
    for ds in sorted(ok["dataset"].unique()):
        mine = quantum[quantum["dataset"] == ds]
        layers = sorted(int(n) for n in mine["n_layers"].dropna().unique()) or [None]
        for n_layers in layers:
            at = mine if n_layers is None else mine[mine["n_layers"] == n_layers]
            for heads in _chunks(_head_order(at["head"]), MAX_SERIES - 1):
                panels.append((ds, n_layers, heads))
    return panels


def plot_accuracy_vs_qubits(frame: pd.DataFrame, path: Path, palette: Palette | None = None) -> Path | None:
    """Test accuracy vs qubits, one panel per dataset × layer count (at most ``MAX_SERIES`` heads per
    panel: more heads are split across panels), one series per head in its colour (classical dotted,
    in every panel), mean over seeds with 95 % Student-t error bars, dodged. ``frame`` should hold one
    exact backend per configuration (the report passes its reference records), and controls are left
    out (they have their own figures). ``None`` without ok records that have a test accuracy."""
    ok = exact_only(frame[(frame["status"] == "ok") & frame[ACC].notna()])
    ok = ok[ok["control"].isna()]
    if ok.empty:
        return None
    palette = palette or Palette.for_heads(ok["head"])
    quantum = ok[ok["head"] != CLASSICAL]
    panels = accuracy_panels(ok)
    n_rows, n_cols = grid_shape(len(panels))
    fig, axes = new_figure(n_rows, n_cols, 3.9, 3.2, extra_w=1.9, sharey=True)
    for ax, (ds, n_layers, heads) in zip(axes.flat, panels, strict=False):
        ref = ok[(ok["dataset"] == ds) & (ok["head"] == CLASSICAL)]
        series = [(CLASSICAL, ref)] if not ref.empty else []
        at = quantum[quantum["dataset"] == ds]
        at = at if n_layers is None else at[at["n_layers"] == n_layers]
        series += [(h, at[at["head"] == h]) for h in heads]
        qubits = sorted(ok.loc[ok["dataset"] == ds, "n_qubits"].unique())
        offsets = dodge(len(series), _min_gap(qubits), width=0.2)
        for (head, g), off in zip(series, offsets, strict=True):
            errorbar_series(
                ax, *mean_ci_points(g, "n_qubits", ACC), offset=off, label=head, **palette.style(head)
            )
        ax.set_title(f"{ds} · {'no circuit' if n_layers is None else f'{n_layers} layer(s)'}", fontsize=9.5)
        ax.set_xlabel("qubits")
        ax.set_xticks(qubits)
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("test accuracy")
    hide_unused(axes, len(panels))
    _shared_legend(fig, axes, len(panels), title="head")
    return save_figure(fig, path)


def _shared_legend(fig, axes: np.ndarray, n_used: int, title: str | None = None) -> None:
    """One legend for all panels (union of their labels, first style wins), right of the first row."""
    handles: dict[str, object] = {}
    for ax in axes.flat[:n_used]:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, h)
    legend_outside(axes[0, -1], list(handles.values()), list(handles), title=title)


def plot_circuit_time_vs_qubits(frame: pd.DataFrame, path: Path) -> Path | None:
    """Median circuit forward time per batch vs qubits (log y): one line per backend × layers,
    median over heads, datasets and seeds; a grey shade and marker per backend (backends are not
    heads, so no head colour is reused), line style per layer count.
    ``None`` without positive timings."""
    ok = frame[(frame["status"] == "ok") & (frame["head"] != CLASSICAL) & frame["backend"].notna()]
    ok = ok[ok[FORWARD] > 0]
    if ok.empty:
        return None
    backends = sorted(ok["backend"].unique())
    # backends are not heads: shades of grey and a marker each, so no head colour is reused
    colors = {be: _BACKEND_GREYS[i % len(_BACKEND_GREYS)] for i, be in enumerate(backends)}
    markers = {be: _BACKEND_MARKERS[i % len(_BACKEND_MARKERS)] for i, be in enumerate(backends)}
    layers = sorted(int(n) for n in ok["n_layers"].fillna(0).unique())
    styles = {n: _LINESTYLES[i % len(_LINESTYLES)] for i, n in enumerate(layers)}
    fig, axes = new_figure(1, 1, 5.4, 3.6, extra_w=2.2)
    ax = axes[0, 0]
    for (be, n_layers), g in ok.groupby(["backend", ok["n_layers"].fillna(0)]):
        med = g.groupby("n_qubits")[FORWARD].median()
        label = f"{be}, {int(n_layers)} layer(s)"
        ax.plot(
            med.index,
            med.values,
            marker=markers[be],
            color=colors[be],
            linestyle=styles[int(n_layers)],
            label=label,
        )
    ax.set_yscale("log")
    ax.set_xlabel("qubits")
    ax.set_ylabel("circuit forward per batch (s)")
    ax.set_xticks(sorted(ok["n_qubits"].unique()))
    ax.grid(alpha=0.3, which="both")
    legend_outside(ax, title="backend, layers")
    return save_figure(fig, path)


def _has_accuracy(r: Record) -> bool:
    return not math.isnan(float(r.metrics.get("test_accuracy", math.nan)))


def confusion_subset(
    records: list[Record], picks: list[tuple[str, str, dict]]
) -> list[tuple[str, list[Record]]]:
    """The records behind each confusion-matrix panel: for every ``(dataset, role, match)`` in
    ``picks`` (``match``: record fields that must equal, e.g. ``{"head": "quantum", "n_qubits": 8,
    "n_layers": 2, "backend": "default.qubit"}``), the ok records with a confusion matrix that match,
    one per seed (lowest key). Picks without records are dropped. Pooling every seed (rather than
    showing the best one) keeps the test split out of the choice."""
    usable = [r for r in records if r.status == "ok" and r.confusion and _has_accuracy(r)]
    out = []
    for dataset, role, match in picks:
        mine = [
            r for r in usable if r.dataset == dataset and all(getattr(r, k) == v for k, v in match.items())
        ]
        by_seed: dict[int, Record] = {}
        for r in sorted(mine, key=lambda r: r.key):
            by_seed.setdefault(r.unit, r)
        if by_seed:
            out.append((role, [by_seed[s] for s in sorted(by_seed)]))
    return out


def _draw_confusion(ax, role: str, records: list[Record]) -> None:
    first = records[0]
    cm = np.sum([np.asarray(r.confusion, dtype=float) for r in records], axis=0)
    k = cm.shape[0]
    names = list(first.class_names) if len(first.class_names) == k else [str(i) for i in range(k)]
    rows = cm.sum(axis=1, keepdims=True)
    frac = np.divide(cm, rows, out=np.zeros_like(cm), where=rows > 0)
    ax.imshow(frac, cmap="Blues", vmin=0.0, vmax=1.0)
    if k <= 15:
        size = 7 if k <= 10 else 5.5
        for (i, j), v in np.ndenumerate(cm):
            color = "white" if frac[i, j] > 0.6 else "black"
            text = ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=size, color=color)
            text.set_in_layout(False)  # inside the axes: the layout need not measure 100s of numbers
    if k <= 30:
        ax.set_xticks(range(k), names, rotation=45, ha="right", fontsize=7)
        ax.set_yticks(range(k), names, fontsize=7)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    acc = np.mean([r.metrics["test_accuracy"] for r in records])
    circuit = "no circuit" if first.n_layers is None else f"{first.n_qubits} q · {first.n_layers} L"
    ax.set_title(
        f"{role}\n{first.head} · {first.dataset} · {circuit}\n"
        f"{len(records)} seed(s) pooled · test acc {acc:.1%}",
        fontsize=8,
    )
    ax.set_xlabel("predicted", fontsize=8)
    ax.set_ylabel("true", fontsize=8)


def plot_confusion_matrices(panels: list[tuple[str, list[Record]]], path: Path) -> Path | None:
    """Confusion-matrix heatmaps, one panel per ``(role, records)`` of ``confusion_subset`` (colour:
    row-normalised recall; numbers: counts summed over the seeds). Each dataset starts a new row of
    at most ``MAX_COLS`` panels; each panel has a readable size for its class count. ``None``
    without panels."""
    if not panels:
        return None
    by_dataset: dict[str, list] = {}
    for role, recs in panels:
        by_dataset.setdefault(recs[0].dataset, []).append((role, recs))
    n_cols = min(MAX_COLS, max(len(v) for v in by_dataset.values()))
    rows = [chunk for v in by_dataset.values() for chunk in _chunks(v, n_cols)]
    k = max(len(recs[0].confusion) for _, recs in panels)
    side = min(max(3.2, 0.3 * k + 1.4), 6.0)
    fig, axes = new_figure(len(rows), n_cols, side, side + 0.6)
    for i, row in enumerate(rows):
        for j in range(n_cols):
            if j < len(row):
                _draw_confusion(axes[i, j], *row[j])
            else:
                axes[i, j].set_axis_off()
    return save_figure(fig, path)


def plot_gate_trajectories(records: list[Record], path: Path, palette: Palette | None = None) -> Path | None:
    """``sigmoid(a)`` per epoch for every ok record with a gate trajectory (gated hybrids): one
    panel per dataset × qubits × layers (at most ``MAX_COLS`` per row), one line per trained head and
    seed in the head's colour (seeds told apart by line style); controls are left out. Records that
    share dataset, head, qubits, layers, training simulator and seed (the same head evaluated on
    several backends) are drawn once. ``None`` when no record has a trajectory."""
    seen: dict[tuple, Record] = {}
    for r in records:
        if r.status == "ok" and r.gate_trajectory and not r.control:
            seen.setdefault((r.dataset, r.head, r.n_qubits, r.n_layers, r.trained_on or r.backend, r.unit), r)
    if not seen:
        return None
    palette = palette or Palette.for_heads(k[1] for k in seen)
    configs = sorted({(k[0], k[2], -1 if k[3] is None else k[3]) for k in seen})
    n_rows, n_cols = grid_shape(len(configs))
    fig, axes = new_figure(n_rows, n_cols, 3.4, 2.7, extra_w=1.9, sharey=True)
    seeds = sorted({k[5] for k in seen})
    for ax, (ds, q, n_layers) in zip(axes.flat, configs, strict=False):
        for key in sorted(k for k in seen if (k[0], k[2], -1 if k[3] is None else k[3]) == (ds, q, n_layers)):
            traj = seen[key].gate_trajectory
            style = _LINESTYLES[seeds.index(key[5]) % len(_LINESTYLES)]
            ax.plot(
                range(1, len(traj) + 1),
                traj,
                color=palette.color(key[1]),
                linestyle=style,
                linewidth=1.4,
                label=f"{key[1]}, {fmt_unit(key[5])}",
            )
        ax.set_title(f"{ds} · {q} qubits · {n_layers} layer(s)", fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylim(bottom=0.0)
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("gate sigmoid(a)")
    hide_unused(axes, len(configs))
    _shared_legend(fig, axes, len(configs), title="head, seed")
    return save_figure(fig, path)
