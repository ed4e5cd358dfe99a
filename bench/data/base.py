"""Dataset contract.

A dataset plugin returns one ``RawData``: every example already decoded to a fixed shape,
a label, and its split. Loading is deterministic given the params (synthetic data is
generated from ``params.seed``; real data keeps the official protocol's splits or uses
stratified splits drawn from ``params.seed``). Nothing is downloaded. An unreadable item is
never replaced by silence or zeros: it is left out and its name appears in ``skipped``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np

from bench.core.plugin import Plugin

Split = Literal["train", "val", "test"]
SPLITS: tuple[Split, ...] = ("train", "val", "test")


@dataclass
class RawData:
    """Decoded examples of one dataset.

    Attributes:
        x: ``(N, T)`` float32 mono waveforms at ``sample_rate`` (audio), or ``(N, C, H, W)``
            float32 images in [0, 1] (images).
        labels: ``(N,)`` int64 class indices in ``[0, len(class_names))``.
        split: ``(N,)`` array of ``"train"``, ``"val"`` or ``"test"``.
        class_names: one name per class index.
        modality: ``"audio"`` or ``"image"``.
        sample_rate: Hz, for audio; 0 for images.
        item_ids: ``(N,)`` stable names of the examples (file names, or generated ids).
        skipped: names of items that could not be read, each with its reason.
        folds: ``(N,)`` int64 official fold number (1-based) of every item, filled by
            ``BaseDataset.load_folds`` of a dataset with official folds; ``None`` otherwise.
        groups: ``(N,)`` group of every item that must stay within one fold or split (e.g.
            CREMA-D's speakers), or ``None`` when items are independent.
    """

    x: np.ndarray
    labels: np.ndarray
    split: np.ndarray
    class_names: tuple[str, ...]
    modality: Literal["audio", "image"]
    sample_rate: int = 0
    item_ids: tuple[str, ...] = ()
    skipped: tuple[str, ...] = field(default_factory=tuple)
    folds: np.ndarray | None = None
    groups: np.ndarray | None = None

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def indices(self, split: Split) -> np.ndarray:
        """Row indices of one split, in order."""
        return np.flatnonzero(self.split == split)


class UnusableData(Exception):
    """Loaded data a cell cannot be trained or scored on honestly (e.g. a class with no item)."""


def check_every_class(raw: RawData, dataset: str) -> None:
    """``UnusableData`` naming the classes left with no readable item (every file of theirs was
    skipped): accuracy over the other classes would be reported as if the class did not exist."""
    counts = np.bincount(raw.labels, minlength=raw.n_classes) if len(raw.labels) else np.zeros(raw.n_classes)
    empty = [raw.class_names[i] for i in np.flatnonzero(counts == 0)]
    if not empty:
        return
    named = ", ".join(repr(c) for c in empty)
    lost = [s for s in raw.skipped if any(c in s for c in empty)] or list(raw.skipped)
    example = f"; e.g. {lost[0]}" if lost else ""
    raise UnusableData(
        f"dataset {dataset}: class {named} has no readable item ({len(raw.skipped)} item(s) skipped{example})"
    )


@dataclass(frozen=True)
class DatasetFacts:
    """Official size facts of a dataset, known without its files (for cost estimates): items in
    the whole dataset, per class (``None`` when classes are unequal), its official training split
    (``None``: folds or a generated split decide) and image shape ``(C, H, W)``."""

    items: int
    per_class: int | None = None
    official_train: int | None = None
    image_shape: tuple[int, int, int] | None = None


class BaseDataset(Plugin):
    """A dataset plugin (the shared plugin contract is ``bench.core.plugin``).

    Required: ``name``, ``Params``, ``test_params``, ``modality`` (``"audio"`` or ``"image"``:
    which features apply) and ``load()``, which returns the whole dataset as one ``RawData``
    satisfying its attribute contract (float32 ``x`` of one fixed shape, int64 labels covering
    ``[0, n_classes)``, every split non-empty, unique ``item_ids``, ``modality`` equal to the
    class's), deterministic given ``params``; nothing is downloaded, and an unreadable item is
    left out and named in ``skipped``, never replaced by zeros.

    Optional hooks (defaults suit embedded data, which is always present):

    * ``unavailable()`` - why the data cannot be loaded here (e.g. its local root is missing),
      as one line naming the expected layout, or ``None``. Planning skips the dataset's cells
      with that reason instead of running them.
    * ``fingerprint()`` - a short string that changes when the files behind the data change
      (part of the feature cache key); ``""`` for data that is a pure function of ``params``.
    * ``official_folds`` and ``load_folds()`` - a dataset with official cross-validation folds
      (UrbanSound8K 10, ESC-50 5) sets ``official_folds`` to their number and returns from
      ``load_folds()`` the same items as ``load()`` would (before ``max_per_class``, which is then
      drawn within each class x fold) with ``RawData.folds`` filled. A suite's ``folds:`` key is
      accepted only where ``official_folds`` > 0 (``bench.data.folds``).
    * ``estimated_bytes()`` - memory the decoded examples take, when the params decide it (a
      generated dataset); ``None`` when unknown. A run and ``plan`` refuse a dataset larger than
      the machine's memory (``bench.run.preflight``).
    """

    modality: ClassVar[str] = "audio"
    official_folds: ClassVar[int] = 0
    facts: ClassVar[DatasetFacts | None] = None
    """Official size facts (cited where set), or ``None`` where the size is the user's folder."""

    def load_folds(self) -> RawData:
        """The dataset with ``RawData.folds`` set (datasets with ``official_folds`` > 0 only)."""
        raise NotImplementedError(f"{self.name} has no official folds")

    def load(self) -> RawData:
        """Return the whole dataset, with splits assigned. Deterministic given ``params``."""
        raise NotImplementedError

    def estimated_bytes(self) -> int | None:
        """Bytes of ``load()``'s examples, estimated from the params; ``None`` when unknown."""
        return None

    def fingerprint(self) -> str:
        """Changes when the data on disk changes; ``""`` when the data depends on ``params`` only."""
        return ""
