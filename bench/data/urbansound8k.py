"""``urbansound8k``: UrbanSound8K read from its official layout, with its official folds.

Layout (as distributed): ``<root>/metadata/UrbanSound8K.csv`` (columns ``slice_file_name``,
``fold``, ``classID``, ``class``) and ``<root>/audio/fold1`` ... ``fold10``. Classes are the
ten of the CSV's ``classID`` 0-9. Protocol: the official folds, never mixed (slices of one
recording share a fold); by default folds 1-8 train, 9 validates, 10 tests. For the official
10-fold cross-validation give the suite entry ``folds: all`` (``bench.data.folds``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.data.audio_files import AudioFileDataset, AudioListing, read_csv_rows
from bench.data.base import DatasetFacts
from bench.data.options import AudioParams, DataParams, FoldParams
from bench.data.splits import fold_split

CLASS_NAMES: tuple[str, ...] = (
    "air_conditioner",
    "car_horn",
    "children_playing",
    "dog_bark",
    "drilling",
    "engine_idling",
    "gun_shot",
    "jackhammer",
    "siren",
    "street_music",
)
METADATA = "metadata/UrbanSound8K.csv"


class UrbanSound8KParams(FoldParams, AudioParams, DataParams):
    known_classes = CLASS_NAMES
    n_folds = 10


class UrbanSound8K(AudioFileDataset):
    """UrbanSound8K (10 urban sound classes, 10 official folds) from a local copy."""

    name = "urbansound8k"
    # Salamon et al. 2014, UrbanSound8K: 8,732 clips <= 4 s in 10 official folds.
    facts = DatasetFacts(8732)
    Params = UrbanSound8KParams
    official_folds = UrbanSound8KParams.n_folds
    layout = "<root>/metadata/UrbanSound8K.csv and <root>/audio/fold1..fold10/*.wav"
    required = (METADATA, "audio")
    test_params = {"classes": ["dog_bark", "siren", "car_horn"], "sample_rate": 8000, "seconds": 0.1}

    def listing(self, root: Path) -> AudioListing:
        rows = read_csv_rows(root / METADATA, ("slice_file_name", "fold", "classID", "class"), self.name)
        paths, labels, folds, skipped = [], [], [], []
        for line, row in enumerate(rows, start=2):
            name = row["slice_file_name"]
            try:
                fold, class_id = int(row["fold"]), int(row["classID"])
            except ValueError:
                skipped.append(f"{METADATA}:{line} ({name}): fold/classID is not a number")
                continue
            if not 0 <= class_id < len(CLASS_NAMES) or CLASS_NAMES[class_id] != row["class"]:
                skipped.append(
                    f"{METADATA}:{line} ({name}): classID {class_id} / class '{row['class']}' "
                    "do not match the official classes"
                )
                continue
            if not 1 <= fold <= self.Params.n_folds:
                skipped.append(f"{METADATA}:{line} ({name}): fold {fold} is not 1-10")
                continue
            paths.append(root / "audio" / f"fold{fold}" / name)
            labels.append(class_id)
            folds.append(fold)
        p = self.params
        fold_of = np.array(folds, dtype=np.int64)
        split = fold_split(fold_of, p.test_fold, p.validation_fold)
        return AudioListing(paths, np.array(labels, dtype=np.int64), split, CLASS_NAMES, skipped, fold_of)
