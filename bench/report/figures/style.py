"""One visual language for every figure of a report: a fixed colour per head, controls in their
treatment's hue, legends outside the data, figures written as PNG *and* SVG.

- ``Palette.for_heads(heads)``: the classical head is near-black; every registered head has a fixed
  colour-blind-safe Okabe–Ito colour (``head_colors``, by the order of the registry's names),
  whatever else a report holds, so a head has one colour in every report and page; any other label
  (grid variants, custom labels) takes a colour from the remaining pool chosen by a stable hash of
  its label (the next free one on a clash within the report). Build it once per report from all
  records (``palette_for``) and pass it to every plot.
- Controls are drawn in their treatment's colour, dashed, with a marker per control kind
  (the kind's own ``marker``, ``bench.controls``); treatments use a filled circle; the classical
  head a dotted line.
- ``new_figure`` / ``save_figure``: matplotlib ``Figure`` objects on the Agg canvas (never pyplot,
  so nothing leaks); ``save_figure`` writes ``path`` (PNG, ``DPI``) and the same figure as SVG next
  to it (text kept as text, no timestamp, deterministic ids), refusing nothing but capping the
  PNG width at ``MAX_WIDTH_PX`` by lowering its resolution.
- ``legend_outside(fig_or_ax, …)``: the legend to the right of the axes (or below the figure), so
  it never covers data; ``place_labels``: point labels placed where they overlap neither each other,
  the markers and error bars, nor the axes' edge (greedy over candidate positions around each point);
  ``dodge``: small x offsets so error bars of neighbouring series stay apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bench.controls.base import control_marker
from bench.core.files import atomic_write

__all__ = [
    "CLASSICAL_COLOR",
    "DPI",
    "MAX_WIDTH_PX",
    "Palette",
    "dodge",
    "legend_outside",
    "new_figure",
    "palette_for",
    "place_labels",
    "save_figure",
]

DPI = 120
MAX_WIDTH_PX = 2400
"""PNG width cap; a wider figure is saved at a lower resolution (the SVG is unaffected)."""

CLASSICAL = "classical"
CLASSICAL_COLOR = "#222222"
_OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C6D31", "#7F7F7F")
TREATMENT_MARKER = "o"
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "qhead-bench"}


@dataclass(frozen=True)
class Palette:
    """Head label → colour; unknown heads get a stable fallback colour from their name."""

    colors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_heads(cls, heads: Iterable[str]) -> Palette:
        labels = {h for h in heads if h and h != CLASSICAL}
        fixed = head_colors()
        colors = {CLASSICAL: CLASSICAL_COLOR, **{h: fixed[h] for h in labels if h in fixed}}
        pool = _free_pool()
        for label in sorted(labels - set(fixed)):
            start = _stable_index(label, len(pool))
            taken = set(colors.values())
            free = [pool[(start + i) % len(pool)] for i in range(len(pool))]
            colors[label] = next((c for c in free if c not in taken), free[0])
        return cls(colors)

    def color(self, head: str | None) -> str:
        if head in self.colors:
            return self.colors[head]
        if head is None:
            return CLASSICAL_COLOR
        fixed = head_colors()
        if head in fixed:
            return fixed[head]
        pool = _free_pool()
        return pool[_stable_index(head, len(pool))]

    @staticmethod
    def marker(control: str | None) -> str:
        """``o`` for a treatment (``control`` None), else the control kind's marker."""
        return TREATMENT_MARKER if not control else control_marker(control)

    def style(self, head: str, control: str | None = None, treatment: str | None = None) -> dict:
        """Line style of a series: a control is dashed in its ``treatment``'s colour with its kind's
        marker, hollow; the classical head dotted; any other head solid with a filled circle."""
        if control:
            color = self.color(treatment or head)
            return {
                "color": color,
                "linestyle": "--",
                "marker": self.marker(control),
                "markerfacecolor": "white",
            }
        if head == CLASSICAL:
            return {"color": CLASSICAL_COLOR, "linestyle": ":", "marker": "s"}
        return {"color": self.color(head), "linestyle": "-", "marker": TREATMENT_MARKER}


def head_colors() -> dict[str, str]:
    """Fixed colours of the registered heads, in the order of their names (hybrid-fixed blue,
    hybrid-gated vermillion, matched-mlp green, quantum purple): the same in every report."""
    from bench.core.registry import HEADS

    names = [n for n in HEADS.names() if n != CLASSICAL]
    return {name: _OKABE_ITO[i % len(_OKABE_ITO)] for i, name in enumerate(names)}


def _free_pool() -> list[str]:
    """Colours for labels without a fixed one: the rest of Okabe–Ito, then tab20."""
    tab20 = matplotlib.colormaps["tab20"].colors
    extra = [matplotlib.colors.to_hex(c) for c in tab20[::2] + tab20[1::2]]
    fixed = set(head_colors().values())
    return [c for c in dict.fromkeys([*_OKABE_ITO, *extra]) if c not in fixed]


def _stable_index(label: str, n: int) -> int:
    """The same index for the same label in every process (not Python's salted ``hash``)."""
    import zlib

    return zlib.crc32(label.encode()) % n


def palette_for(records) -> Palette:
    """The report's palette: every head label that appears as a head or as a control's treatment."""
    heads = set()
    for r in records:
        heads.add(r.treatment if getattr(r, "control", None) and r.treatment else r.head)
    return Palette.for_heads(heads)


def new_figure(
    n_rows: int, n_cols: int, panel_w: float, panel_h: float, extra_w: float = 0.0, **subplot_kw
) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure of ``n_rows × n_cols`` panels (``squeeze=False`` axes array);
    ``extra_w`` inches are added for a legend outside the panels."""
    fig = Figure(figsize=(panel_w * n_cols + extra_w, panel_h * n_rows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(n_rows, n_cols, squeeze=False, **subplot_kw)
    return fig, axes


def save_figure(fig: Figure, path: Path) -> Path:
    """Write ``path`` (PNG) and ``path.with_suffix('.svg')``; returns ``path``. The PNG is at most
    ``MAX_WIDTH_PX`` wide. The figure is cleared afterwards."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    width_in = fig.get_size_inches()[0]
    dpi = min(DPI, MAX_WIDTH_PX / width_in) if width_in > 0 else DPI
    atomic_write(path, lambda fh: fig.savefig(fh, dpi=dpi, format="png"))
    fig.set_layout_engine("none")  # the layout is done: the SVG reuses it instead of recomputing it
    with matplotlib.rc_context(_SVG_RC):
        svg = {"format": "svg", "metadata": {"Date": None}}
        atomic_write(path.with_suffix(".svg"), lambda fh: fig.savefig(fh, **svg))
    fig.clear()
    return path


def legend_outside(target, handles=None, labels=None, title: str | None = None, below: bool = False):
    """A legend outside the data: right of the axes (``target`` an Axes), or, for a Figure or with
    ``below``, centred under the panels. ``None`` when there is nothing to label."""
    if handles is None:
        handles, labels = target.get_legend_handles_labels()
    if not handles:
        return None
    kw = {"fontsize": 7.5, "title": title, "title_fontsize": 7.5, "frameon": False}
    if isinstance(target, Figure):
        ncol = min(len(handles), 4)
        return target.legend(handles, labels, loc="outside lower center", ncol=ncol, **kw)
    if below:
        return target.legend(
            handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=min(len(handles), 3), **kw
        )
    return target.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, **kw)


_LABEL_SPOTS = [
    (dx * k, dy * k, ha, va)
    for k in (1, 2, 3)
    for dx, dy, ha, va in (
        (5, 4, "left", "bottom"),
        (5, -4, "left", "top"),
        (-5, 4, "right", "bottom"),
        (-5, -4, "right", "top"),
        (0, 8, "center", "bottom"),
        (0, -8, "center", "top"),
        (8, 0, "left", "center"),
        (-8, 0, "right", "center"),
    )
]
"""Candidate label offsets (points) around a point, nearest first."""


def place_labels(ax, points, texts, obstacles=(), bars=(), fontsize: float = 6.5, color: str = "#333333"):
    """Label ``points`` (data ``(x, y)``) with ``texts`` where no label overlaps another label, a
    marker (``obstacles``, data ``(x, y)``; the labelled points are obstacles too), an error bar
    (``bars``: data ``(x, y_low, y_high)``) or the axes' edge: for each point the first free spot
    of ``_LABEL_SPOTS``, else the spot with the least overlap. Labels are left out of the layout."""
    fig = ax.figure
    fig.canvas.draw()  # the layout is final, so display coordinates are too
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72.0
    frame = ax.get_window_extent(renderer)
    boxes = [_box_around(ax.transData.transform(p), 4.5 * px) for p in [*points, *obstacles]]
    for x, low, high in bars:
        (x0, y0), (_, y1) = ax.transData.transform([(x, low), (x, high)])
        boxes.append(matplotlib.transforms.Bbox([[x0 - px, min(y0, y1)], [x0 + px, max(y0, y1)]]))
    placed: list = []
    for point, text in zip(points, texts, strict=True):
        best, best_cost = None, None
        for dx, dy, ha, va in _LABEL_SPOTS:
            ann = ax.annotate(
                text,
                point,
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=fontsize,
                color=color,
                ha=ha,
                va=va,
                annotation_clip=False,
            )
            extent = ann.get_window_extent(renderer)
            cost = _overlap(extent, [*boxes, *placed]) + _outside(extent, frame)
            if best_cost is None or cost < best_cost:
                if best is not None:
                    best.remove()
                best, best_cost = ann, cost
            else:
                ann.remove()
            if cost == 0:
                break
        best.set_in_layout(False)
        placed.append(best.get_window_extent(renderer))
    return placed


def _box_around(center, half: float):
    x, y = center
    return matplotlib.transforms.Bbox([[x - half, y - half], [x + half, y + half]])


def _overlap(box, others) -> float:
    total = 0.0
    for other in others:
        w = min(box.x1, other.x1) - max(box.x0, other.x0)
        h = min(box.y1, other.y1) - max(box.y0, other.y0)
        if w > 0 and h > 0:
            total += w * h
    return total


def _outside(box, frame) -> float:
    """Area of ``box`` outside ``frame`` (times 10: a clipped label is worse than a touching one)."""
    inside = _overlap(box, [frame])
    return 10.0 * (box.width * box.height - inside)


def dodge(n_series: int, span: float, width: float = 0.5) -> list[float]:
    """x offsets for ``n_series`` series around 0, spread over ``width`` × ``span`` (``span``: the
    smallest gap between x values), so error bars at the same x do not overlap."""
    if n_series <= 1:
        return [0.0] * max(n_series, 0)
    step = width * span / (n_series - 1)
    return [(i - (n_series - 1) / 2) * step for i in range(n_series)]
