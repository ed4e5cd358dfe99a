"""``esc50``: ESC-50 read from its official layout, with its five official folds.

Layout (the GitHub repository karolpiczak/ESC-50): ``<root>/meta/esc50.csv`` (columns
``filename``, ``fold``, ``target``, ``category``, ``esc10``) and ``<root>/audio/*.wav``.
Classes are the CSV's categories in ``target`` order (50, or the 10 of ESC-10 with
``esc10: true``). Protocol: by default folds 1-3 train, 4 validates, 5 tests; for the official
5-fold cross-validation give the suite entry ``folds: all`` (``bench.data.folds``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import Field

from bench.data.audio_files import AudioFileDataset, AudioListing, read_csv_rows
from bench.data.base import DatasetFacts
from bench.data.options import AudioParams, DataParams, FoldParams
from bench.data.splits import DatasetError, fold_split

METADATA = "meta/esc50.csv"


class ESC50Params(FoldParams, AudioParams, DataParams):
    n_folds = 5

    seconds: float = Field(5.0, gt=0, le=600, description="Clip length in seconds (ESC-50 clips are 5 s).")
    test_fold: int = Field(
        5,
        ge=1,
        description="Official fold used as the test split (cross-validation: `folds: all` on the "
        "suite entry).",
    )
    esc10: bool = Field(False, description="Use only the ESC-10 subset (the rows marked esc10 in the CSV).")


class ESC50(AudioFileDataset):
    """ESC-50 (50 environmental sound classes, 5 official folds) from a local copy."""

    name = "esc50"
    # Piczak 2015, ESC-50: 2,000 clips x 5 s, 50 classes x 40, 5 official folds.
    facts = DatasetFacts(2000, per_class=40)
    Params = ESC50Params
    official_folds = ESC50Params.n_folds
    layout = "<root>/meta/esc50.csv and <root>/audio/*.wav"
    required = (METADATA, "audio")
    test_params = {"sample_rate": 8000, "seconds": 0.1}

    def listing(self, root: Path) -> AudioListing:
        p = self.params
        rows = read_csv_rows(root / METADATA, ("filename", "fold", "target", "category", "esc10"), self.name)
        entries, skipped, category_of = [], [], {}
        for line, row in enumerate(rows, start=2):
            if p.esc10 and row["esc10"].strip().lower() != "true":
                continue
            try:
                fold, target = int(row["fold"]), int(row["target"])
            except ValueError:
                skipped.append(f"{METADATA}:{line} ({row['filename']}): fold/target is not a number")
                continue
            if not 1 <= fold <= p.n_folds:
                skipped.append(f"{METADATA}:{line} ({row['filename']}): fold {fold} is not 1-{p.n_folds}")
                continue
            if category_of.setdefault(target, row["category"]) != row["category"]:
                raise DatasetError(
                    f"{self.name}: {root / METADATA}:{line}: target {target} is both "
                    f"'{category_of[target]}' and '{row['category']}'"
                )
            entries.append((root / "audio" / row["filename"], target, fold))
        targets = sorted(category_of)
        label_of = {t: i for i, t in enumerate(targets)}
        folds = np.array([fold for _, _, fold in entries], dtype=np.int64)
        return AudioListing(
            [path for path, _, _ in entries],
            np.array([label_of[t] for _, t, _ in entries], dtype=np.int64),
            fold_split(folds, p.test_fold, p.validation_fold),
            tuple(category_of[t] for t in targets),
            skipped,
            folds,
        )
