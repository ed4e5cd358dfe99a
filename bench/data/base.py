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
    """

    x: np.ndarray
    labels: np.ndarray
    split: np.ndarray
    class_names: tuple[str, ...]
    modality: Literal["audio", "image"]
    sample_rate: int = 0
    item_ids: tuple[str, ...] = ()
    skipped: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def indices(self, split: Split) -> np.ndarray:
        """Row indices of one split, in order."""
        return np.flatnonzero(self.split == split)


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
    * ``estimated_bytes()`` - memory the decoded examples take, when the params decide it (a
      generated dataset); ``None`` when unknown. A run and ``plan`` refuse a dataset larger than
      the machine's memory (``bench.run.preflight``).
    """

    modality: ClassVar[str] = "audio"

    def load(self) -> RawData:
        """Return the whole dataset, with splits assigned. Deterministic given ``params``."""
        raise NotImplementedError

    def estimated_bytes(self) -> int | None:
        """Bytes of ``load()``'s examples, estimated from the params; ``None`` when unknown."""
        return None

    def fingerprint(self) -> str:
        """Changes when the data on disk changes; ``""`` when the data depends on ``params`` only."""
        return ""
