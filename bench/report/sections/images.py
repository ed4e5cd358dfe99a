"""Image diagnostics sections of the report: misclassification grids and Grad-CAM heatmaps.

The arrays are computed after a run by ``bench.cell.diagnostics`` (which cells are shown and
why is documented there) and saved as one ``.npz`` per image dataset; this module only reads
those files and the records, and draws. Whatever could not be computed is said in the section
instead of a figure; the report itself never fails because of it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bench.report.figures.images import plot_gradcam, plot_misclassified
from bench.report.sections.base import (
    Heading,
    Note,
    ReportInputs,
    ReportSection,
    Section,
    SectionContent,
    SectionFigure,
)
from bench.results.record import Record

__all__ = ["SECTION", "image_sections"]


def _describe(kind: str, r: Record) -> str:
    circuit = "" if r.backend is None else f", L={r.n_layers}, {r.backend}"
    accuracy = r.metrics["test_accuracy"]
    return f"best {kind}: {r.key.split('#')[0]} (q={r.n_qubits}{circuit}; test acc {accuracy:.1%})"


def _figure_path(out: Path | None, figures_dir: Path) -> str | None:
    return f"{figures_dir.name}/{out.name}" if out else None


def _not_drawn(reason: str) -> str:
    return f"Not drawn: {reason}"


def _misclassified_figure(arrays, meta: dict, kind: str, r: Record, figures_dir: Path) -> SectionFigure:
    fig = SectionFigure(
        f"Misclassified test images, {kind}",
        f"Test images {_describe(kind, r)} gets wrong (true → predicted), first 24 in dataset order.",
        missing="No misclassified image.",
    )
    if "misclassified" in meta["errors"]:
        fig.missing = _not_drawn(meta["errors"]["misclassified"])
        return fig
    out = plot_misclassified(
        arrays[f"misclassified_{kind}_images"],
        arrays[f"misclassified_{kind}_labels"],
        arrays[f"misclassified_{kind}_predictions"],
        r.class_names,
        f"{meta['dataset']} · {r.head}: misclassified",
        figures_dir / f"misclassified_{meta['dataset']}_{kind}.png",
    )
    fig.path = _figure_path(out, figures_dir)
    return fig


def _gradcam_figure(arrays, meta: dict, picks: dict[str, Record], figures_dir: Path) -> SectionFigure:
    fig = SectionFigure(
        "Grad-CAM",
        "Grad-CAM heatmaps (last conv stage, target = each model's own prediction) "
        "on the same test images, misclassified ones first.",
    )
    if "gradcam" in meta["errors"]:
        fig.missing = _not_drawn(meta["errors"]["gradcam"])
        return fig
    rows = [
        (meta["rows"][kind], arrays[f"gradcam_{kind}_cams"], arrays[f"gradcam_{kind}_predictions"])
        for kind in picks
    ]
    class_names = next(iter(picks.values())).class_names
    out = plot_gradcam(
        arrays["gradcam_images"],
        arrays["gradcam_labels"],
        rows,
        class_names,
        figures_dir / f"gradcam_{meta['dataset']}.png",
    )
    fig.path = _figure_path(out, figures_dir)
    return fig


def _section(path: Path, records: dict[str, Record], figures_dir: Path) -> ReportSection:
    with np.load(path, allow_pickle=False) as arrays:
        meta = json.loads(str(arrays["meta"]))
        section = ReportSection(f"Image diagnostics: {meta['dataset']}")
        picks = {kind: records.get(key) for kind, key in meta["picks"].items()}
        if not picks or None in picks.values():
            section.blocks.append(Note("No ok record of this dataset yet."))
            return section
        note = "; ".join(_describe(k, r) for k, r in picks.items())
        section.blocks.append(
            Note(note + ". Chosen on test accuracy, so read these as illustrations, not estimates.")
        )
        figures = [
            _drawn(_misclassified_figure, arrays, meta, kind, r, figures_dir) for kind, r in picks.items()
        ]
        figures.append(_drawn(_gradcam_figure, arrays, meta, picks, figures_dir))
    for figure in figures:
        section.blocks += [Heading(figure.alt), figure]
    return section


def _drawn(draw, *args) -> SectionFigure:
    """``draw(*args)``, or a figure saying why it could not be drawn (a report never fails on a figure)."""
    try:
        return draw(*args)
    except Exception as exc:
        text = str(exc).strip()
        return SectionFigure("Figure", "", missing=_not_drawn(f"{type(exc).__name__}: {text[:200]}"))


def image_sections(records: list[Record], diagnostics: list[Path], figures_dir: Path) -> list[ReportSection]:
    """One section per diagnostics file (``bench.cell.diagnostics.image_diagnostics``, in its
    order; none for audio suites); figures go to ``figures_dir`` (paths in the sections are
    relative to its parent, the report directory)."""
    if not diagnostics:
        return []
    figures_dir.mkdir(parents=True, exist_ok=True)
    by_key = {r.key: r for r in records}
    return [_section(path, by_key, figures_dir) for path in diagnostics]


def build(inputs: ReportInputs) -> SectionContent:
    return SectionContent(image_sections(inputs.records, list(inputs.diagnostics), inputs.figures_dir))


SECTION = Section("images", build)
