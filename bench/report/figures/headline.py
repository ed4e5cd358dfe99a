"""The two pictures of the answer: a forest plot of every treatment-vs-control comparison, and test
accuracy against cost with its Pareto front.

``plot_forest(comps, path, best)``: one row per (configuration, control) of
``compare.comparisons``, grouped by dataset under a bold header; x is Δ test accuracy (treatment −
control, percentage points) with its 95 % t interval over paired units, a zero line, the verdict by
colour *and* marker (``VERDICT_STYLE``: better ▲ green, worse ▼ red, no significant difference ○
grey, too few units ◇ light grey, so it survives greyscale printing), and Δ [CI] with the
Holm-adjusted p printed on the right.
The configurations in ``best`` (the Verdict's, chosen on validation) are starred. Height grows
with the rows (readable from 1 to ~60 rows).

``plot_cost_accuracy(frame, path, palette)``: per dataset two panels, mean test accuracy (95 %
Student-t error bars over seeds) against mean head-training time and against trainable parameters
(both log x); one point per configuration (dataset × head × qubits × layers, controls included),
filled in the head's colour for treatments and the classical head, hollow with the control kind's
marker in the treatment's colour for controls. The grey step line is the Pareto front (no other
point is both cheaper and more accurate); its points are labelled. ``frame`` should hold the
report's reference records (one exact backend per configuration).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from bench.controls.base import control_rank
from bench.report.figures.style import Palette, legend_outside, new_figure, place_labels, save_figure
from bench.report.frame import CLASSICAL, UNIT, exact_only, metric_col, timing_col
from bench.stats import mean_ci

__all__ = ["VERDICT_STYLE", "cost_points", "pareto_front", "plot_cost_accuracy", "plot_forest"]

ACC = metric_col("test_accuracy")
TRAIN_S = timing_col("head_training_s")

VERDICT_STYLE = {
    "better": {"color": "#1a7f37", "marker": "^", "filled": True},
    "worse": {"color": "#c62828", "marker": "v", "filled": True},
    "no significant difference": {"color": "#5f6368", "marker": "o", "filled": False},
    "too few units": {"color": "#9aa0a6", "marker": "D", "filled": False},
}
_ROW_IN = 0.25
_CONFIG = ["dataset", "head", "n_qubits", "n_layers"]


def _pp(x: float) -> str:
    return f"{x * 100:+.1f}".replace("-", "−")


def _right_text(r) -> str:
    ci = "(1 pair, no CI)" if math.isnan(r.ci_low) else f"[{_pp(r.ci_low)}, {_pp(r.ci_high)}]"
    p = "p —" if math.isnan(r.p_holm) else ("p<0.001" if r.p_holm < 0.001 else f"p={r.p_holm:.3f}")
    return f"{_pp(r.delta)} {ci}  {p}"


def _forest_rows(comps: pd.DataFrame, best: set[tuple]) -> list[tuple[str, object | None, bool]]:
    """``(label, comparison row or None for a dataset header, starred)`` from top to bottom."""
    rows: list[tuple[str, object | None, bool]] = []
    for ds, g in comps.groupby("dataset", sort=True):
        rows.append((str(ds), None, False))
        for r in g.itertuples(index=False):
            star = (r.dataset, r.head, r.n_qubits, r.n_layers) in best
            label = f"{'★ ' if star else ''}{r.head} · {r.n_qubits} q · {r.n_layers} L  vs  {r.control}"
            rows.append((label, r, star))
    return rows


def plot_forest(comps: pd.DataFrame, path: Path, best: pd.DataFrame | None = None) -> Path | None:
    """See the module docstring. ``None`` when there are no comparisons."""
    if comps is None or comps.empty:
        return None
    starred = set()
    if best is not None and not best.empty:
        starred = {tuple(x) for x in best[_CONFIG].itertuples(index=False, name=None)}
    rows = _forest_rows(comps, starred)
    n = len(rows)
    fig, axes = new_figure(1, 1, 9.6, _ROW_IN * n + 1.5)
    ax = axes[0, 0]
    ys = np.arange(n)[::-1].astype(float)
    _shade_configurations(ax, ys, rows)
    _draw_intervals(ax, ys, rows)
    _label_rows(ax, ys, rows)
    _forest_legend(fig, any(star for _, _, star in rows))
    return save_figure(fig, path)


def _shade_configurations(ax, ys: np.ndarray, rows: list) -> None:
    """Alternate a grey band behind the rows of every other configuration."""
    config_of = [(r.dataset, r.head, r.n_qubits, r.n_layers) if r is not None else None for _, r, _ in rows]
    shade, previous = False, None
    for y, config in zip(ys, config_of, strict=True):
        if config is not None and config != previous:
            shade = not shade
        if config is not None and shade:
            ax.axhspan(y - 0.5, y + 0.5, color="#f1f3f4", zorder=0, linewidth=0)
        previous = config


def _draw_intervals(ax, ys: np.ndarray, rows: list) -> None:
    """Each comparison's Δ and its CI, styled by verdict, and the zero line."""
    by_verdict: dict[str, list[tuple[float, object]]] = {}
    for y, (_, r, _) in zip(ys, rows, strict=True):
        if r is not None:
            by_verdict.setdefault(r.verdict, []).append((y, r))
    for verdict, items in by_verdict.items():
        st = VERDICT_STYLE.get(verdict, VERDICT_STYLE["no significant difference"])
        with_ci = [(y, r) for y, r in items if not math.isnan(r.ci_low)]
        if with_ci:
            ax.hlines(
                [y for y, _ in with_ci],
                [r.ci_low * 100 for _, r in with_ci],
                [r.ci_high * 100 for _, r in with_ci],
                color=st["color"],
                linewidth=1.8,
                zorder=2,
            )
        face = st["color"] if st["filled"] else "white"
        ax.plot(
            [r.delta * 100 for _, r in items],
            [y for y, _ in items],
            marker=st["marker"],
            markersize=7,
            color=st["color"],
            markerfacecolor=face,
            markeredgewidth=1.4,
            linestyle="none",
            zorder=3,
        )
    ax.axvline(0.0, color="black", linewidth=1.0, zorder=1)


def _label_rows(ax, ys: np.ndarray, rows: list) -> None:
    """Row labels on the left (dataset headers and starred rows bold), figures on the right, x label."""
    ax.set_yticks(ys, [label for label, _, _ in rows], fontsize=8)
    for tick, (_, r, star) in zip(ax.get_yticklabels(), rows, strict=True):
        if r is None:
            tick.set_fontweight("bold")
            tick.set_fontsize(9)
        elif star:
            tick.set_fontweight("bold")
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.tick_params(axis="y", length=0)
    right = ax.secondary_yaxis("right")
    right.set_yticks(ys, ["" if r is None else _right_text(r) for _, r, _ in rows], fontsize=7.5)
    right.tick_params(length=0)
    ax.set_xlabel(
        "Δ test accuracy, treatment − control (percentage points), 95 % t interval over units", fontsize=8.5
    )
    ax.grid(axis="x", alpha=0.3)


def _forest_legend(fig, starred: bool) -> None:
    """One legend entry per verdict (and the star, when a row has one), below the plot."""
    handles = [
        Line2D(
            [],
            [],
            color=st["color"],
            marker=st["marker"],
            linestyle="-",
            markerfacecolor=st["color"] if st["filled"] else "white",
            label=name,
        )
        for name, st in VERDICT_STYLE.items()
    ]
    labels = [h.get_label() for h in handles]
    if starred:
        handles.append(Line2D([], [], linestyle="none", marker="$★$", color="black"))
        labels.append("best configuration on validation (the Verdict table)")
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncol=2,
        fontsize=7.5,
        frameon=False,
        title="verdict (paired t over units, Holm-corrected p < 0.05; no verdict below 5 units)",
        title_fontsize=7.5,
    )


def cost_points(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per configuration (dataset, head label, qubits, layers; controls included) of the
    ok exact-backend records in ``frame``: ``head``, ``control``, ``treatment``, ``n_seeds``,
    ``acc_mean``, ``acc_hw``, ``train_s`` (mean head-training time over records that trained,
    NaN if none) and ``params`` (median trainable parameters)."""
    ok = exact_only(frame[(frame["status"] == "ok") & frame[ACC].notna()])
    rows = []
    keys = ["dataset", "head", "n_qubits", ok["n_layers"].fillna(-1)]
    for (ds, head, q, n_layers), g in ok.groupby(keys, sort=True):
        m, hw = mean_ci(g[ACC])
        train = g[TRAIN_S][g[TRAIN_S] > 0]
        rows.append(
            {
                "dataset": ds,
                "head": head,
                "n_qubits": int(q),
                "n_layers": None if n_layers < 0 else int(n_layers),
                "control": g["control"].iloc[0],
                "treatment": g["treatment"].iloc[0],
                "n_seeds": int(g[UNIT].nunique()),
                "acc_mean": m,
                "acc_hw": hw,
                "train_s": float(train.mean()) if len(train) else math.nan,
                "params": float(np.median(g["n_params_classical"] + g["n_params_quantum"])),
            }
        )
    return pd.DataFrame(rows)


def pareto_front(cost: np.ndarray, acc: np.ndarray) -> list[int]:
    """Indices of the points no other point beats on both axes (lower cost *and* higher
    accuracy, one of them strictly), ordered by cost. NaN points never belong."""
    idx = [i for i in np.argsort(cost, kind="stable") if not (math.isnan(cost[i]) or math.isnan(acc[i]))]
    front, best = [], -math.inf
    for i in idx:
        same_cost_better = any(cost[j] == cost[i] and acc[j] > acc[i] for j in idx)
        if acc[i] > best and not same_cost_better:
            front.append(int(i))
            best = acc[i]
    return front


def _short(p) -> str:
    layers = "" if p["n_layers"] is None or pd.isna(p["n_layers"]) else f" {int(p['n_layers'])}L"
    return f"{p['head']} {p['n_qubits']}q{layers}"


def _cost_panel(ax, pts: pd.DataFrame, x_col: str, palette: Palette) -> dict | None:
    """Draw one panel; returns the ``place_labels`` arguments of its Pareto labels (placed once the
    whole figure is laid out), or ``None``."""
    pts = pts[pts[x_col].notna() & (pts[x_col] > 0)]
    if pts.empty:
        return None
    is_control = pts["control"].map(lambda c: isinstance(c, str))
    colors = [
        palette.color(t if c else h)
        for t, h, c in zip(pts["treatment"], pts["head"], is_control, strict=True)
    ]
    markers = [
        "s" if h == CLASSICAL else palette.marker(k if c else None)
        for h, k, c in zip(pts["head"], pts["control"], is_control, strict=True)
    ]
    x, y = pts[x_col].to_numpy(float), pts["acc_mean"].to_numpy(float)
    yerr = np.nan_to_num(pts["acc_hw"].to_numpy(float))
    ax.vlines(x, y - yerr, y + yerr, colors=colors, linewidth=1.1, zorder=2)
    for (color, marker, hollow), idx in _groups(colors, markers, is_control.tolist()).items():
        face = "white" if hollow else color
        ax.plot(
            x[idx],
            y[idx],
            linestyle="none",
            marker=marker,
            markersize=6.5,
            color=color,
            markerfacecolor=face,
            markeredgewidth=1.3,
            zorder=3,
        )
    front = pareto_front(x, y)
    if front:
        ax.step(x[front], y[front], where="post", color="#777777", linewidth=1.1, linestyle="-", zorder=1)
        ax.plot(
            x[front],
            y[front],
            linestyle="none",
            marker="o",
            markersize=12,
            markerfacecolor="none",
            markeredgecolor="#777777",
            markeredgewidth=1.0,
            zorder=1,
        )
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(_plain))
    ax.xaxis.set_minor_formatter(
        FuncFormatter(lambda v, _: _plain(v) if _few_decades(ax) and _leading(v) in (2, 5) else "")
    )
    ax.grid(alpha=0.3, which="major")
    return {
        "ax": ax,
        "points": [(x[i], y[i]) for i in front],
        "texts": [_short(pts.iloc[i]) for i in front],
        "obstacles": list(zip(x, y, strict=True)),
        "bars": list(zip(x, y - yerr, y + yerr, strict=True)),
    }


def _plain(v: float, _pos=None) -> str:
    return f"{v:,.0f}" if v >= 1 else f"{v:g}"


def _leading(v: float) -> int:
    return round(v / 10 ** math.floor(math.log10(v))) if v > 0 else 0


def _few_decades(ax) -> bool:
    low, high = ax.get_xlim()
    return low > 0 and high / low < 20


def _groups(*columns: list) -> dict[tuple, list[int]]:
    """Indices of equal tuples across ``columns`` (one draw call per style instead of per point)."""
    out: dict[tuple, list[int]] = {}
    for i, key in enumerate(zip(*columns, strict=True)):
        out.setdefault(key, []).append(i)
    return out


def _cost_legend(ax, pts: pd.DataFrame, palette: Palette) -> None:
    heads = sorted(
        {p["treatment"] if isinstance(p["control"], str) else p["head"] for _, p in pts.iterrows()},
        key=lambda h: (h != CLASSICAL, h),
    )
    handles = [
        Line2D(
            [], [], color=palette.color(h), marker="s" if h == CLASSICAL else "o", linestyle="none", label=h
        )
        for h in heads
    ]
    kinds = sorted(
        {p["control"] for _, p in pts.iterrows() if isinstance(p["control"], str)},
        key=control_rank,
    )
    handles += [
        Line2D(
            [],
            [],
            color="#555555",
            marker=palette.marker(k),
            markerfacecolor="white",
            linestyle="none",
            label=f"control: {k}",
        )
        for k in kinds
    ]
    handles.append(
        Line2D(
            [],
            [],
            color="#777777",
            marker="o",
            markerfacecolor="none",
            markersize=9,
            label="Pareto front (ringed, labelled)",
        )
    )
    legend_outside(ax, handles, [h.get_label() for h in handles], title="colour: head; hollow: control")


def plot_cost_accuracy(frame: pd.DataFrame, path: Path, palette: Palette | None = None) -> Path | None:
    """See the module docstring. ``None`` without ok records with a test accuracy."""
    pts = cost_points(frame)
    if pts.empty:
        return None
    palette = palette or Palette.for_heads(pts["head"])
    datasets = sorted(pts["dataset"].unique())
    fig, axes = new_figure(len(datasets), 2, 4.3, 3.4, extra_w=2.4, sharey="row")
    labels = []
    for i, ds in enumerate(datasets):
        mine = pts[pts["dataset"] == ds]
        labels += [_cost_panel(axes[i, 0], mine, "train_s", palette)]
        labels += [_cost_panel(axes[i, 1], mine, "params", palette)]
        axes[i, 0].set_xlabel("head training time, mean over seeds (s, log)", fontsize=8.5)
        axes[i, 1].set_xlabel("trainable parameters (log)", fontsize=8.5)
        axes[i, 0].set_ylabel(f"{ds}\ntest accuracy")
    _cost_legend(axes[0, 1], pts, palette)
    for job in labels:
        if job is not None and job["points"]:
            place_labels(**job)
    return save_figure(fig, path)
