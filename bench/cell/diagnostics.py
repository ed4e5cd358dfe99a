"""Image diagnostics of a run: the arrays behind the report's misclassification grids and Grad-CAM panels.

For every image dataset of a suite (its plugin's ``modality`` is ``"image"``; audio suites get
nothing), the best classical cell and the best hybrid cell are chosen - highest mean test
accuracy over seeds, then that cell's best seed (with folds: among the cells of the lowest fold
present, so both pictures share their test images) (heads named ``hybrid-*``; if there is none,
the best other circuit head; matched controls never count) - and one
``<out_dir>/<dataset label>.npz`` is written with

* per chosen kind, the first ``N_MISCLASSIFIED`` test images it gets wrong, their labels and
  its predictions, and
* Grad-CAM heatmaps (``bench.cell.gradcam``) of every chosen model on the same ``N_GRADCAM``
  test images, misclassified ones first, each model explained for its own prediction.

The models come from the cells' checkpoints (exported from the cache when missing), the test
images from the dataset plugin, the backbone inputs from the cached features. Whatever cannot be
computed (no checkpoint, dataset gone) is written into the file as a one-line reason instead
of the arrays; computing never raises for it. The report (``bench.report.sections.images``) only reads
these files. Choosing on test accuracy flatters both alike: these are illustrations, not
estimates.

File layout (plain arrays, no pickles): ``meta`` is a JSON string ``{"dataset", "picks": {kind:
record key}, "rows": {kind: row name}, "errors": {"misclassified" | "gradcam": reason}}``; then
``misclassified_<kind>_{images,labels,predictions}``, ``gradcam_{images,labels}`` and
``gradcam_<kind>_{cams,predictions}``, for ``kind`` in ``picks``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.core.files import atomic_write
from bench.results.record import Record

N_GRADCAM = 6
"""Test images shown in a Grad-CAM figure."""
N_MISCLASSIFIED = 24
"""Misclassified test images kept per chosen cell."""


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
    """``{"classical": best, "hybrid": best}`` among ok records of one dataset (either may be absent).
    Only treatments compete: a matched control (``control`` set) is never the "best hybrid"; only
    records scored on the whole test split compete (an evaluate-only record of a noisy, shot-based
    or hardware backend is scored on a subset, so its predictions do not line up with the images)."""
    ok = [
        r
        for r in records
        if r.status == "ok"
        and not r.control
        and "evaluate_only" not in r.metrics
        and r.dataset == dataset_label
        and r.predictions
        and "test_accuracy" in r.metrics
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


class _Dataset:
    """Lazily loaded test images and backbone inputs of one dataset (and fold) of the suite."""

    def __init__(self, suite, ref, cache, fold=None):
        self.suite, self.ref, self.cache, self.fold = suite, ref.plain(), cache, fold
        self._raw = None

    def raw(self):
        if self._raw is None:
            from bench.core.registry import DATASETS
            from bench.data.folds import load_folded

            plugin = DATASETS.get(self.ref.name).from_dict(self.ref.params)
            if self.fold is None:
                self._raw = plugin.load()
            else:
                self._raw, folds = load_folded(plugin, self.fold.folding)
                self._raw.split = self.fold.split(folds)
        return self._raw

    def test_images(self) -> np.ndarray:
        raw = self.raw()
        return np.asarray(raw.x[raw.indices("test")])

    def test_inputs(self, rows: np.ndarray) -> np.ndarray:
        from bench.cell.embeddings import features_key

        folding = self.fold.folding if self.fold is not None else None
        key = features_key(self.ref, self.suite.features, self.cache, folding=folding)
        feats = self.cache.load("features", key)
        if feats is not None:
            split = feats["split"] if self.fold is None else self.fold.split(feats["folds"])
            return feats["x"][split == "test"][rows]
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
        plugin = FEATURES.get(features.name).from_dict(features.params)
        return plugin.transform(subset, plugin.fit(raw))


def _load_model(cell, cache, checkpoints_root: Path):
    from bench.cell.checkpoint import cell_checkpoint_path, ensure_checkpoint, load_checkpoint

    loaded = ensure_checkpoint(cell, cache, checkpoints_root)
    if loaded.simulator == "default.qubit":
        return loaded.model
    return load_checkpoint(cell_checkpoint_path(checkpoints_root, cell.key), "default.qubit").model


def _misclassified(data: _Dataset, picks: dict[str, Record]) -> dict[str, np.ndarray]:
    images, arrays = data.test_images(), {}
    for kind, r in picks.items():
        labels, predictions = np.asarray(r.labels), np.asarray(r.predictions)
        wrong = np.flatnonzero(labels != predictions)[:N_MISCLASSIFIED]
        arrays[f"misclassified_{kind}_images"] = images[wrong]
        arrays[f"misclassified_{kind}_labels"] = labels[wrong]
        arrays[f"misclassified_{kind}_predictions"] = predictions[wrong]
    return arrays


def _gradcam(data: _Dataset, picks: dict[str, Record], cells: dict, cache, checkpoints_root: Path) -> dict:
    import torch

    from bench.cell.gradcam import grad_cam

    labels = np.asarray(next(iter(picks.values())).labels)
    rows_idx = gradcam_indices(labels, [np.asarray(r.predictions) for r in picks.values()])
    inputs = torch.from_numpy(np.ascontiguousarray(data.test_inputs(rows_idx), dtype=np.float32))
    arrays = {"gradcam_labels": labels[rows_idx]}
    for kind, r in picks.items():
        cams, preds = grad_cam(_load_model(cells[r.key], cache, checkpoints_root), inputs)
        arrays[f"gradcam_{kind}_cams"], arrays[f"gradcam_{kind}_predictions"] = cams, preds
    arrays["gradcam_images"] = data.test_images()[rows_idx]
    return arrays


def _failure(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:200] if text else ''}"


def _attempt(compute: Callable[[], dict], errors: dict[str, str], name: str) -> dict:
    try:
        return compute()
    except Exception as exc:  # a missing picture is said in the report, never fatal
        errors[name] = _failure(exc)
        return {}


def _first_fold(records: list[Record], dataset_label: str) -> list[Record]:
    """The records of the lowest fold of a dataset (all of them without folds): the pictures of
    one figure must share their test images."""
    folds = sorted({r.fold for r in records if r.dataset == dataset_label and r.fold is not None})
    return [r for r in records if r.fold == folds[0]] if folds else records


def _dataset_diagnostics(suite, ref, records: list[Record], cells: dict, cache, checkpoints_root) -> dict:
    picks = chosen_records(_first_fold(records, ref.label), ref.label)
    errors: dict[str, str] = {}
    arrays: dict[str, np.ndarray] = {}
    if picks:
        fold = cells[next(iter(picks.values())).key].fold if next(iter(picks.values())).key in cells else None
        data = _Dataset(suite, ref, cache, fold)
        arrays |= _attempt(lambda: _misclassified(data, picks), errors, "misclassified")
        arrays |= _attempt(lambda: _gradcam(data, picks, cells, cache, checkpoints_root), errors, "gradcam")
    meta = {
        "dataset": ref.label,
        "picks": {kind: r.key for kind, r in picks.items()},
        "rows": {kind: r.head if r.head == kind else f"{kind}: {r.head}" for kind, r in picks.items()},
        "errors": errors,
    }
    return {"meta": np.array(json.dumps(meta)), **arrays}


def image_diagnostics(
    suite, records: list[Record], cache_dir: Path, checkpoints_root: Path, out_dir: Path
) -> list[Path]:
    """Write one ``out_dir/<label>.npz`` per image dataset of ``suite`` (none for audio), in the
    suite's dataset order, and return their paths. Stale files of earlier calls are replaced."""
    from bench.core.registry import DATASETS

    image_refs = [ref for ref in suite.datasets if DATASETS.get(ref.name).modality == "image"]
    if not image_refs:
        return []
    from bench.plan.grid import expand
    from bench.results.cache import Cache

    cache, cells = Cache(cache_dir), {c.key: c for c in expand(suite)}
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for ref in image_refs:
        path = out_dir / f"{ref.label}.npz"
        arrays = _dataset_diagnostics(suite, ref, records, cells, cache, checkpoints_root)
        atomic_write(path, lambda fh, arrays=arrays: np.savez_compressed(fh, **arrays))
        paths.append(path)
    return paths
