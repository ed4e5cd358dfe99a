"""Ablation figures: accuracy vs qubits and vs layers, treatment against its controls, CI bands.

``plot_controls_vs(frame, best, axis, path)`` draws one panel per dataset around that dataset's
best configuration (``compare.best_configurations``, chosen on validation): x is ``axis``
(``n_qubits`` or ``n_layers``), the other axis is held at the best configuration's value. Lines:
the treatment head (solid, in its colour), each of its controls (dashed, same hue, a marker per
control kind), and the classical head when the suite has one (near-black, dotted; on the layers
plot a horizontal band, as it has no layers). Each point is the mean test accuracy over seeds with
95 % Student-t error bars, dodged so neighbouring series stay apart; the legend is outside the
data. ``frame`` should hold the report's reference records only (``compare.reference_keys``), so
exact backends are not counted twice. Returns ``None`` (writing nothing) when there is nothing to draw.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from bench.controls.base import control_rank
from bench.report.figures.plots import errorbar_series, grid_shape, hide_unused, mean_ci_points
from bench.report.figures.style import (
    Palette,
    dodge,
    legend_outside,
    new_figure,
    save_figure,
)
from bench.report.frame import CLASSICAL, metric_col
from bench.stats import mean_ci

__all__ = ["plot_controls_vs"]

ACC = metric_col("test_accuracy")
_LABELS = {"n_qubits": "qubits", "n_layers": "layers"}


def _flat_band(ax, g: pd.DataFrame, xs: list[float], **style) -> None:
    m, hw = mean_ci(g[ACC])
    lo, hi = min(xs) - 0.3, max(xs) + 0.3
    ax.plot([lo, hi], [m, m], color=style["color"], linestyle=style["linestyle"], label=style.get("label"))
    if not math.isnan(hw):
        ax.fill_between([lo, hi], [m - hw] * 2, [m + hw] * 2, alpha=0.10, color=style["color"], linewidth=0)


def _panel(ax, ok: pd.DataFrame, b: pd.Series, axis: str, other: str, palette: Palette) -> None:
    mine = ok[(ok["dataset"] == b["dataset"]) & (ok[other] == b[other])]
    treatment = mine[(mine["head"] == b["head"]) & mine["control"].isna()]
    controls = mine[mine["treatment"] == b["head"]]
    series = [(f"{b['head']} (treatment)", treatment, palette.style(b["head"]))]
    for kind, g in sorted(controls.groupby("control"), key=lambda kv: (control_rank(kv[0]), kv[0])):
        series.append((f"control: {kind}", g, palette.style(g["head"].iloc[0], kind, b["head"])))
    xs = sorted(float(x) for x in pd.concat([treatment[axis], controls[axis]]).unique())
    classical = ok[(ok["dataset"] == b["dataset"]) & (ok["head"] == CLASSICAL) & ok["control"].isna()]
    if axis == "n_qubits" and not classical.empty:
        series.append(("classical head", classical[classical["n_qubits"].isin(xs)], palette.style(CLASSICAL)))
    gap = min((y - x for x, y in zip(xs, xs[1:], strict=False)), default=1.0)
    for (label, g, style), off in zip(series, dodge(len(series), gap, width=0.25), strict=True):
        if not g.empty:
            errorbar_series(ax, *mean_ci_points(g, axis, ACC), offset=off, label=label, **style)
    if axis == "n_layers" and xs:
        same_q = classical[classical["n_qubits"] == b["n_qubits"]]
        if not same_q.empty:
            _flat_band(ax, same_q, xs, label="classical head (no layers)", **palette.style(CLASSICAL))
    held = f"{_LABELS[other]} = {int(b[other])}"
    ax.set_title(f"{b['dataset']} · {b['head']} and its controls ({held})", fontsize=9.5)
    ax.set_xlabel(_LABELS[axis])
    ax.set_ylabel("test accuracy")
    if xs:
        ax.set_xticks(xs, [str(int(x)) for x in xs])
    ax.grid(alpha=0.3)
    legend_outside(ax)


def plot_controls_vs(
    frame: pd.DataFrame, best: pd.DataFrame, axis: str, path: Path, palette: Palette | None = None
) -> Path | None:
    """See the module docstring. ``axis`` is ``"n_qubits"`` or ``"n_layers"``."""
    if axis not in _LABELS:
        raise ValueError(f"axis must be n_qubits or n_layers, got {axis!r}")
    other = "n_layers" if axis == "n_qubits" else "n_qubits"
    ok = frame[(frame["status"] == "ok") & frame[ACC].notna()]
    if ok.empty or best.empty:
        return None
    palette = palette or Palette.for_heads(ok["head"])
    n_rows, n_cols = grid_shape(len(best), max_cols=2)
    fig, axes = new_figure(n_rows, n_cols, 6.6, 3.4)
    for ax, (_, b) in zip(axes.flat, best.iterrows(), strict=False):
        _panel(ax, ok, b, axis, other, palette)
    hide_unused(axes, len(best))
    return save_figure(fig, path)
