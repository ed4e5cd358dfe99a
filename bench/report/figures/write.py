"""Draw one figure of a report into ``figures/`` (PNG + SVG), or remove its stale files.

``draw_figure`` is the one writer every section's figures go through (``ReportInputs.figure``):
it returns the path relative to the report directory, or ``None`` when there is nothing to draw
(the maker returned ``None``, or the figure's x axis holds a single value, e.g. accuracy vs layers
with one layer count); then a PNG/SVG of that name left by an earlier report is removed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

__all__ = ["FIGURES_DIR", "draw_figure"]

FIGURES_DIR = "figures"


def draw_figure(
    figures_dir: Path,
    name: str,
    make: Callable[[Path], Path | None],
    x_axis: tuple[pd.DataFrame, str] | None = None,
) -> str | None:
    """``make(figures_dir / f"{name}.png")`` (which saves PNG + SVG, ``bench.report.figures.style``)
    unless ``x_axis`` (frame, column) takes fewer than two values among its ok rows; returns
    ``"figures/<name>.png"`` or ``None`` (stale files of that name removed; each is replaced atomically)."""
    path = figures_dir / f"{name}.png"
    one_point = x_axis is not None and _distinct(*x_axis) < 2
    if not one_point and make(path) is not None:
        return f"{FIGURES_DIR}/{path.name}"
    path.unlink(missing_ok=True)
    path.with_suffix(".svg").unlink(missing_ok=True)
    return None


def _distinct(frame: pd.DataFrame, column: str) -> int:
    """How many values ``column`` takes among the frame's ok rows (a one-value x axis draws nothing)."""
    if frame.empty or column not in frame:
        return 0
    ok = frame[frame["status"] == "ok"] if "status" in frame else frame
    return int(ok[column].dropna().nunique())
