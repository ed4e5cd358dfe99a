"""The steps every real-data loader shares around decoding.

``select_items``: class subset (``classes``) and per-class cap (``max_per_class``) applied to
the labels and splits of everything a loader listed, so only the chosen items are decoded.
``assemble``: the decoded items become a checked ``RawData``; unreadable items are reported by
name (``RawData.skipped`` and a logged warning), never replaced.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from bench.data.base import SPLITS, RawData
from bench.data.options import SelectionParams
from bench.data.splits import DatasetError, cap_per_class, subset_classes

log = logging.getLogger("bench.data")


def select_items(
    dataset: str,
    labels: np.ndarray,
    split: np.ndarray,
    class_names: Sequence[str],
    params: SelectionParams,
    strata: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """``(indices of the chosen items, their labels, the class names)`` after ``classes`` and
    ``max_per_class``. A chosen class with no items at all raises ``DatasetError``.

    ``max_per_class`` is shared between the ``strata`` of a class (default: the splits; a fold
    suite passes the official fold numbers, so every fold keeps its share of every class)."""
    keep, new_labels, names = subset_classes(np.asarray(labels), class_names, params.classes, dataset)
    empty = [name for c, name in enumerate(names) if not (new_labels == c).any()]
    if empty:
        raise DatasetError(f"{dataset}: no items found for class(es) {', '.join(empty)}")
    strata = np.asarray(split if strata is None else strata)[keep]
    kept = cap_per_class(new_labels, strata, names, params.max_per_class, params.seed)
    return keep[kept], new_labels[kept], names


def assemble(
    dataset: str,
    x: np.ndarray,
    labels: np.ndarray,
    split: np.ndarray,
    class_names: Sequence[str],
    item_ids: Sequence[str],
    skipped: Sequence[str],
    modality: str,
    sample_rate: int = 0,
) -> RawData:
    """Checked ``RawData`` from decoded items. Raises ``DatasetError`` when nothing could be read
    or a split ends up empty."""
    if skipped:
        shown = "; ".join(skipped[:5]) + (f"; ... ({len(skipped) - 5} more)" if len(skipped) > 5 else "")
        log.warning("%s: %d item(s) could not be read and were left out: %s", dataset, len(skipped), shown)
    if len(x) == 0:
        first = f" (first: {skipped[0]})" if skipped else ""
        raise DatasetError(f"{dataset}: none of the {len(skipped)} selected items could be read{first}")
    for s in SPLITS:
        if not (split == s).any():
            raise DatasetError(
                f"{dataset}: the {s} split is empty after selection (check classes, "
                "max_per_class and the split options)"
            )
    return RawData(
        x=np.ascontiguousarray(x, dtype=np.float32),
        labels=np.asarray(labels, dtype=np.int64),
        split=np.asarray(split).astype("<U5"),
        class_names=tuple(class_names),
        modality=modality,  # type: ignore[arg-type]
        sample_rate=sample_rate,
        item_ids=tuple(item_ids),
        skipped=tuple(skipped),
    )
