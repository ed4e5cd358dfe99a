"""Image diagnostics for the report: misclassification grids and Grad-CAM heatmaps.

For every image dataset of a suite (its plugin's ``modality`` is ``"image"``; audio suites get
nothing), the best classical cell and the best hybrid cell are chosen - highest mean test
accuracy over seeds, then that cell's best seed (heads named ``hybrid-*``; if there is none,
the best other circuit head) - and the report shows

* a grid of the test images each of them misclassifies (true -> predicted), and
* Grad-CAM heatmaps (``bench.cell.gradcam``) of both on the same test images, misclassified ones
  first, each model explained for its own prediction.

The models come from the cells' checkpoints (exported from the cache when missing), the test
images from the dataset plugin, the backbone inputs from the cached features. Whatever cannot be
produced (no checkpoint, dataset gone) is said in the section instead of a figure; the report
itself never fails because of it. Choosing on test accuracy flatters both alike: these are
illustrations, not estimates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.report.sections import ReportSection, SectionFigure
from bench.results.record import Record

N_GRADCAM = 6
"""Test images shown in a Grad-CAM figure."""


def _head_name(r: Record) -> str:
    return (r.spec.get("head") or {}).get("name", r.head)


def best_record(records: list[Record]) -> Record | None:
    """Highest mean test accuracy over seeds per cell, then that cell's best seed (ties: the
    first cell by key, the lowest seed)."""
    by_cell: dict[str, list[Record]] = {}
    for r in records:
        by_cell.setdefault(r.key.split("#")[0].rsplit("/s", 1)[0], []).append(r)
    if not by_cell:
        return None
    cell = max(sorted(by_cell), key=lambda c: np.mean([r.metrics["test_accuracy"] for r in by_cell[c]]))
    return max(sorted(by_cell[cell], key=lambda r: r.seed), key=lambda r: r.metrics["test_accuracy"])


def chosen_records(records: list[Record], dataset_label: str) -> dict[str, Record]:
    """``{"classical": best, "hybrid": best}`` among ok records of one dataset (either may be absent)."""
    ok = [
        r
        for r in records
        if r.status == "ok" and r.dataset == dataset_label and r.predictions and "test_accuracy" in r.metrics
    ]
    hybrids = [r for r in ok if _head_name(r).startswith("hybrid")] or [
        r for r in ok if r.backend is not None
    ]
    picks = {
        "classical": best_record([r for r in ok if _head_name(r) == "classical"]),
        "hybrid": best_record(hybrids),
    }
    return {k: v for k, v in picks.items() if v is not None}


def gradcam_indices(labels: np.ndarray, predictions: list[np.ndarray], n: int = N_GRADCAM) -> np.ndarray:
    """Up to ``n`` test indices: those any model gets wrong first, then correct ones, in order."""
    wrong = np.zeros(len(labels), dtype=bool)
    for p in predictions:
        wrong |= np.asarray(p) != labels
    order = np.concatenate([np.flatnonzero(wrong), np.flatnonzero(~wrong)])
    return order[:n]


def _describe(kind: str, r: Record) -> str:
    circuit = "" if r.backend is None else f", L={r.n_layers}, {r.backend}"
    accuracy = r.metrics["test_accuracy"]
    return f"best {kind}: {r.key.split('#')[0]} (q={r.n_qubits}{circuit}; test acc {accuracy:.1%})"


class _Dataset:
    """Lazily loaded test images and backbone inputs of one dataset of the suite."""

    def __init__(self, suite, ref, cache):
        self.suite, self.ref, self.cache = suite, ref, cache
        self._raw = self._feats = None

    def raw(self):
        if self._raw is None:
            from bench.core.registry import DATASETS

            self._raw = DATASETS.get(self.ref.name).from_dict(self.ref.params).load()
        return self._raw

    def test_images(self) -> np.ndarray:
        raw = self.raw()
        return np.asarray(raw.x[raw.indices("test")])

    def test_inputs(self, rows: np.ndarray) -> np.ndarray:
        from bench.cell.embeddings import features_key

        feats = self.cache.load("features", features_key(self.ref, self.suite.features))
        if feats is not None:
            return feats["x"][feats["split"] == "test"][rows]
        from bench.core.registry import FEATURES
        from bench.data.base import RawData

        raw = self.raw()
        idx = raw.indices("test")[rows]
        subset = RawData(
            x=raw.x[idx],
            labels=raw.labels[idx],
            split=raw.split[idx],
            class_names=raw.class_names,
            modality=raw.modality,
            sample_rate=raw.sample_rate,
        )
        features = self.suite.features
        return FEATURES.get(features.name).from_dict(features.params).transform(subset)


def _load_model(cell, cache, checkpoints_root: Path):
    from bench.cell.checkpoint import cell_checkpoint_path, ensure_checkpoint, load_checkpoint

    loaded = ensure_checkpoint(cell, cache, checkpoints_root)
    if loaded.simulator == "default.qubit":
        return loaded.model
    return load_checkpoint(cell_checkpoint_path(checkpoints_root, cell.key), "default.qubit").model


def _gradcam_figure(
    data: _Dataset, picks: dict[str, Record], cells: dict, cache, checkpoints_root: Path, path: Path
) -> Path | None:
    import torch

    from bench.cell.gradcam import grad_cam
    from bench.report.imagefigs import plot_gradcam

    labels = np.asarray(next(iter(picks.values())).labels)
    rows_idx = gradcam_indices(labels, [np.asarray(r.predictions) for r in picks.values()])
    inputs = torch.from_numpy(np.ascontiguousarray(data.test_inputs(rows_idx), dtype=np.float32))
    rows = []
    for kind, r in picks.items():
        cams, preds = grad_cam(_load_model(cells[r.key], cache, checkpoints_root), inputs)
        rows.append((r.head if r.head == kind else f"{kind}: {r.head}", cams, preds))
    class_names = next(iter(picks.values())).class_names
    return plot_gradcam(data.test_images()[rows_idx], labels[rows_idx], rows, class_names, path)


def _failure(exc: Exception) -> str:
    text = str(exc).strip()
    return f"Not drawn: {type(exc).__name__}: {text.splitlines()[0][:200] if text else ''}"


def image_sections(
    suite, records: list[Record], cache_dir: Path, checkpoints_root: Path, figures_dir: Path
) -> list[ReportSection]:
    """One section per image dataset of ``suite`` (none for audio); figures go to ``figures_dir``
    (paths in the sections are relative to its parent, the report directory)."""
    from bench.core.registry import DATASETS

    image_refs = [ref for ref in suite.datasets if getattr(DATASETS.get(ref.name), "modality", "") == "image"]
    if not image_refs:
        return []
    from bench.plan.grid import expand
    from bench.report.imagefigs import plot_misclassified
    from bench.results.cache import Cache

    cache, cells = Cache(cache_dir), {c.key: c for c in expand(suite)}
    figures_dir.mkdir(parents=True, exist_ok=True)
    sections = []
    for ref in image_refs:
        picks = chosen_records(records, ref.label)
        section = ReportSection(f"Image diagnostics: {ref.label}")
        sections.append(section)
        if not picks:
            section.note = "No ok record of this dataset yet."
            continue
        section.note = "; ".join(_describe(k, r) for k, r in picks.items()) + (
            ". Chosen on test accuracy, so read these as illustrations, not estimates."
        )
        data = _Dataset(suite, ref, cache)
        for kind, r in picks.items():
            fig = SectionFigure(
                f"Misclassified test images, {kind}",
                f"Test images {_describe(kind, r)} gets wrong (true → predicted), first 24 in dataset order.",
                missing="No misclassified image.",
            )
            section.figures.append(fig)
            try:
                out = plot_misclassified(
                    data.test_images(),
                    r.labels,
                    r.predictions,
                    r.class_names,
                    f"{ref.label} · {r.head}: misclassified",
                    figures_dir / f"misclassified_{ref.label}_{kind}.png",
                )
                fig.path = f"{figures_dir.name}/{out.name}" if out else None
            except Exception as exc:
                fig.missing = _failure(exc)
        fig = SectionFigure(
            "Grad-CAM",
            "Grad-CAM heatmaps (last conv stage, target = each model's own prediction) "
            "on the same test images, misclassified ones first.",
        )
        section.figures.append(fig)
        try:
            out = _gradcam_figure(
                data, picks, cells, cache, checkpoints_root, figures_dir / f"gradcam_{ref.label}.png"
            )
            fig.path = f"{figures_dir.name}/{out.name}" if out else None
        except Exception as exc:
            fig.missing = _failure(exc)
    return sections
