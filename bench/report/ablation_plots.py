"""Ablation figures: accuracy vs qubits and vs layers, treatment against its controls, CI bands.

``plot_controls_vs(frame, best, axis, path)`` draws one panel per dataset around that dataset's
best configuration (``compare.best_configurations``, chosen on validation): x is ``axis``
(``n_qubits`` or ``n_layers``), the other axis is held at the best configuration's value. Lines:
the treatment head (solid), each of its controls (dashed), and the classical head when the
suite has one (black, dotted; on the layers plot a horizontal band, as it has no layers). Each
point is the mean test accuracy over seeds with a 95 % Student-t band. ``frame`` should hold
the report's reference records only (``compare.reference_keys``), so exact backends are not
counted twice. Returns ``None`` (writing nothing) when there is nothing to draw.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from bench.report.frame import CLASSICAL, metric_col
from bench.report.plots import new_figure, save_figure
from bench.report.stats import mean_ci

__all__ = ["plot_controls_vs"]

ACC = metric_col("test_accuracy")
_LABELS = {"n_qubits": "qubits", "n_layers": "layers"}


def _band(ax, g: pd.DataFrame, x_col: str, **style) -> None:
    xs, means, lows, highs = [], [], [], []
    for x, gx in g.groupby(x_col):
        m, hw = mean_ci(gx[ACC])
        xs.append(int(x))
        means.append(m)
        lows.append(m - hw)
        highs.append(m + hw)
    ax.plot(xs, means, marker="o", **style)
    if any(not math.isnan(v) for v in lows):
        ax.fill_between(xs, lows, highs, alpha=0.15, color=style.get("color"), linewidth=0)


def _flat_band(ax, g: pd.DataFrame, xs: list[int], **style) -> None:
    m, hw = mean_ci(g[ACC])
    ax.plot(xs, [m] * len(xs), **style)
    if not math.isnan(hw):
        ax.fill_between(
            xs, [m - hw] * len(xs), [m + hw] * len(xs), alpha=0.1, color=style.get("color"), linewidth=0
        )


def plot_controls_vs(frame: pd.DataFrame, best: pd.DataFrame, axis: str, path: Path) -> Path | None:
    """See the module docstring. ``axis`` is ``"n_qubits"`` or ``"n_layers"``."""
    if axis not in _LABELS:
        raise ValueError(f"axis must be n_qubits or n_layers, got {axis!r}")
    other = "n_layers" if axis == "n_qubits" else "n_qubits"
    ok = frame[(frame["status"] == "ok") & frame[ACC].notna()]
    if ok.empty or best.empty:
        return None
    fig, axes = new_figure(len(best), 1, 6.4, 3.8)
    for i, (_, b) in enumerate(best.iterrows()):
        ax = axes[i, 0]
        mine = ok[(ok["dataset"] == b["dataset"]) & (ok[other] == b[other])]
        treatment = mine[(mine["head"] == b["head"]) & mine["control"].isna()]
        _band(ax, treatment, axis, color="C0", label=f"{b['head']} (treatment)")
        controls = mine[mine["treatment"] == b["head"]]
        for j, (kind, g) in enumerate(sorted(controls.groupby("control"), key=lambda kv: kv[0])):
            _band(ax, g, axis, color=f"C{j + 1}", linestyle="--", label=f"control: {kind}")
        xs = sorted(int(x) for x in pd.concat([treatment[axis], controls[axis]]).unique())
        classical = ok[(ok["dataset"] == b["dataset"]) & (ok["head"] == CLASSICAL) & ok["control"].isna()]
        if axis == "n_qubits" and not classical.empty:
            _band(
                ax,
                classical[classical["n_qubits"].isin(xs)],
                axis,
                color="black",
                linestyle=":",
                label="classical head",
            )
        elif axis == "n_layers" and xs:
            same_q = classical[classical["n_qubits"] == b["n_qubits"]]
            if not same_q.empty:
                _flat_band(ax, same_q, xs, color="black", linestyle=":", label="classical head")
        held = f"{_LABELS[other]} = {int(b[other])}"
        ax.set_title(f"{b['dataset']} · {b['head']} and its controls ({held})", fontsize=10)
        ax.set_xlabel(_LABELS[axis])
        ax.set_ylabel("test accuracy")
        if xs:
            ax.set_xticks(xs)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return save_figure(fig, path)
