"""Image-report figures from plain arrays: misclassification grids and Grad-CAM panels.

Each ``plot_*`` writes one PNG and returns its path, or returns ``None`` (writing nothing) when
there is nothing to draw. Images are ``(C, H, W)`` floats in [0, 1]: one channel is drawn in
gray, three as RGB, any other count by its first three channels (RGB of an RGB + quantum-channel
input) or its first one.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from bench.report.figures.plots import new_figure, save_figure

__all__ = ["display_image", "plot_gradcam", "plot_misclassified"]


def display_image(image: np.ndarray) -> tuple[np.ndarray, str | None]:
    """``(array for imshow, cmap)`` of a ``(C, H, W)`` image."""
    image = np.clip(np.asarray(image, dtype=np.float64), 0.0, 1.0)
    if image.shape[0] >= 3:
        return image[:3].transpose(1, 2, 0), None
    return image[0], "gray"


def _show(ax, image: np.ndarray) -> None:
    pixels, cmap = display_image(image)
    ax.imshow(pixels, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


def plot_misclassified(
    images: np.ndarray,
    labels,
    predictions,
    class_names,
    title: str,
    path: Path,
    max_items: int = 24,
    n_cols: int = 8,
) -> Path | None:
    """Grid of the first ``max_items`` test images whose prediction is wrong, titled
    ``true -> predicted``. ``None`` when every prediction is right."""
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    wrong = np.flatnonzero(labels != predictions)[:max_items]
    if not len(wrong):
        return None
    n_cols = min(n_cols, len(wrong))
    n_rows = math.ceil(len(wrong) / n_cols)
    fig, axes = new_figure(n_rows, n_cols, 1.45, 1.65)
    for slot, ax in enumerate(axes.flat):
        if slot >= len(wrong):
            ax.set_axis_off()
            continue
        i = wrong[slot]
        _show(ax, images[i])
        ax.set_title(
            f"{class_names[labels[i]]}\n→ {class_names[predictions[i]]}", fontsize=7, color="firebrick"
        )
    fig.suptitle(_wrapped(title, 1.45 * n_cols, 9), fontsize=9)  # a narrow grid: the title wraps, not clips
    return save_figure(fig, path)


def _wrapped(text: str, inches: float, fontsize: float) -> str:
    """``text`` wrapped to lines that fit ``inches`` at ``fontsize`` (about 0.6 em per character)."""
    import textwrap

    width = max(8, int(inches * 72 / (0.6 * fontsize)))
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


def plot_gradcam(
    images: np.ndarray, labels, rows: list[tuple[str, np.ndarray, np.ndarray]], class_names, path: Path
) -> Path | None:
    """One column per image; first row the inputs (titled with the true class), then one row per
    ``(name, heatmaps (N, H, W), predictions (N,))`` with the heatmap over the image, titled with
    the prediction (green right, red wrong). ``None`` without images or rows."""
    if not len(images) or not rows:
        return None
    n = len(images)
    fig, axes = new_figure(1 + len(rows), n, 1.7, 1.8)
    for j in range(n):
        _show(axes[0, j], images[j])
        axes[0, j].set_title(f"true: {class_names[labels[j]]}", fontsize=7)
        for r, (name, cams, preds) in enumerate(rows, start=1):
            ax = axes[r, j]
            _show(ax, images[j])
            ax.imshow(cams[j], cmap="jet", alpha=0.45, vmin=0.0, vmax=1.0, interpolation="bilinear")
            right = preds[j] == labels[j]
            ax.set_title(
                f"pred: {class_names[preds[j]]}", fontsize=7, color="darkgreen" if right else "firebrick"
            )
            if j == 0:
                ax.set_ylabel(_wrapped(name, 1.8, 7), fontsize=7)
    axes[0, 0].set_ylabel("input", fontsize=7)
    return save_figure(fig, path)
