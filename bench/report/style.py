"""One visual language for every figure of a report: a fixed colour per head, controls in their
treatment's hue, legends outside the data, figures written as PNG *and* SVG.

- ``Palette.for_heads(heads)``: the classical head is near-black; the other heads, sorted by name,
  take the colour-blind-safe Okabe–Ito colours in order (then tab20). Build it once per report from
  all records (``palette_for``) and pass it to every plot, so a head has the same colour in every
  figure of that report.
- Controls are drawn in their treatment's colour, dashed, with a marker per control kind
  (``CONTROL_MARKERS``, fixed); treatments use a filled circle; the classical head a dotted line.
- ``new_figure`` / ``save_figure``: matplotlib ``Figure`` objects on the Agg canvas (never pyplot,
  so nothing leaks); ``save_figure`` writes ``path`` (PNG, ``DPI``) and the same figure as SVG next
  to it (text kept as text, no timestamp, deterministic ids), refusing nothing but capping the
  PNG width at ``MAX_WIDTH_PX`` by lowering its resolution.
- ``legend_outside(fig_or_ax, …)``: the legend to the right of the axes (or below the figure), so
  it never covers data; ``dodge``: small x offsets so error bars of neighbouring series stay apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "CLASSICAL_COLOR",
    "CONTROL_MARKERS",
    "DPI",
    "MAX_WIDTH_PX",
    "Palette",
    "dodge",
    "legend_outside",
    "new_figure",
    "palette_for",
    "save_figure",
]

DPI = 120
MAX_WIDTH_PX = 2400
"""PNG width cap; a wider figure is saved at a lower resolution (the SVG is unaffected)."""

CLASSICAL = "classical"
CLASSICAL_COLOR = "#222222"
_OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C6D31", "#7F7F7F")
CONTROL_MARKERS = {
    "matched-mlp": "s",
    "no-entanglement": "^",
    "tanh-linear": "v",
    "beta-zero": "D",
    "frozen-circuit": "X",
}
"""Marker per control kind (any other kind: ``P``); treatments use ``o``."""
TREATMENT_MARKER = "o"
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "qhead-bench"}


@dataclass(frozen=True)
class Palette:
    """Head label → colour; unknown heads get a stable fallback colour from their name."""

    colors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_heads(cls, heads: Iterable[str]) -> Palette:
        others = sorted({h for h in heads if h and h != CLASSICAL})
        tab20 = matplotlib.colormaps["tab20"].colors
        extra = [matplotlib.colors.to_hex(c) for c in tab20[::2] + tab20[1::2]]
        pool = [*_OKABE_ITO, *(c for c in extra if c not in _OKABE_ITO)]
        colors = {CLASSICAL: CLASSICAL_COLOR}
        colors.update({h: pool[i % len(pool)] for i, h in enumerate(others)})
        return cls(colors)

    def color(self, head: str | None) -> str:
        if head in self.colors:
            return self.colors[head]
        if head is None:
            return CLASSICAL_COLOR
        return _OKABE_ITO[sum(map(ord, head)) % len(_OKABE_ITO)]

    @staticmethod
    def marker(control: str | None) -> str:
        """``o`` for a treatment (``control`` None), else the control kind's marker."""
        return TREATMENT_MARKER if not control else CONTROL_MARKERS.get(control, "P")

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
    fig.savefig(path, dpi=dpi, format="png")
    fig.set_layout_engine("none")  # the layout is done: the SVG reuses it instead of recomputing it
    with matplotlib.rc_context(_SVG_RC):
        fig.savefig(path.with_suffix(".svg"), format="svg", metadata={"Date": None})
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


def dodge(n_series: int, span: float, width: float = 0.5) -> list[float]:
    """x offsets for ``n_series`` series around 0, spread over ``width`` × ``span`` (``span``: the
    smallest gap between x values), so error bars at the same x do not overlap."""
    if n_series <= 1:
        return [0.0] * max(n_series, 0)
    step = width * span / (n_series - 1)
    return [(i - (n_series - 1) / 2) * step for i in range(n_series)]
