"""Base of the audio loaders: list the files of a layout, select, decode, assemble.

A subclass only implements ``listing(root)``: every candidate file with its class and split
(the dataset's protocol). ``load`` then applies ``classes`` and ``max_per_class``, decodes just
the chosen files (``bench.data.audio_io``) and returns ``RawData`` whose ``item_ids`` are the
files' paths relative to the root. Items that cannot be labelled while listing (a malformed file
name, say) are reported in ``skipped`` together with the files that cannot be decoded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from bench.data.audio_io import read_clips
from bench.data.base import RawData
from bench.data.local import LocalDataset
from bench.data.selection import assemble, select_items
from bench.data.splits import DatasetError


@dataclass
class AudioListing:
    """Candidate files of a dataset, before selection and decoding."""

    paths: list[Path]
    labels: np.ndarray  # class index per path, into class_names
    split: np.ndarray  # "train" / "val" / "test" per path
    class_names: tuple[str, ...]
    skipped: list[str] = field(default_factory=list)  # "<relative name>: <reason>"
    folds: np.ndarray | None = None  # official fold number per path (datasets with official folds)
    groups: np.ndarray | None = None  # group per path that must stay within one split (e.g. speaker)


class AudioFileDataset(LocalDataset):
    """An audio dataset read from files under a local root (see the module docstring)."""

    modality: ClassVar[str] = "audio"

    def listing(self, root: Path) -> AudioListing:
        raise NotImplementedError

    def load(self) -> RawData:
        return self._load(by_fold=False)

    def load_folds(self) -> RawData:
        """``load()`` with ``RawData.folds`` set; ``max_per_class`` is drawn within each class x fold."""
        if not self.official_folds:
            return super().load_folds()
        return self._load(by_fold=True)

    def _load(self, by_fold: bool) -> RawData:
        root = self.require_root()
        found = self.listing(root)
        if not found.paths:
            raise DatasetError(
                f"{self.name}: no audio files found under {root}; expected layout: {self.layout}"
            )
        p = self.params
        strata = found.folds.astype(str) if by_fold and found.folds is not None else found.split
        idx, labels, names = select_items(self.name, found.labels, found.split, found.class_names, p, strata)
        ids = [found.paths[i].relative_to(root).as_posix() for i in idx]
        x, ok, unreadable = read_clips(
            [found.paths[i] for i in idx], ids, p.sample_rate, round(p.seconds * p.sample_rate), p.crop
        )
        kept_ids = [i for i, good in zip(ids, ok, strict=True) if good]
        raw = assemble(
            self.name,
            x,
            labels[ok],
            found.split[idx][ok],
            names,
            kept_ids,
            [*found.skipped, *unreadable],
            "audio",
            p.sample_rate,
        )
        raw.folds = found.folds[idx][ok] if by_fold and found.folds is not None else None
        raw.groups = found.groups[idx][ok] if found.groups is not None else None
        return raw


def read_csv_rows(path: Path, columns: tuple[str, ...], dataset: str) -> list[dict[str, str]]:
    """Rows of a metadata CSV; ``DatasetError`` naming the file when a needed column is missing."""
    import csv

    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise DatasetError(
                f"{dataset}: {path}: missing column(s) {', '.join(missing)} "
                f"(found: {', '.join(reader.fieldnames or [])})"
            )
        return list(reader)
