"""``crema-d``: CREMA-D emotional speech, with speaker-disjoint splits.

Layout: ``<root>/AudioWAV/<speaker>_<sentence>_<emotion>_<level>.wav``, e.g.
``1001_DFA_ANG_XX.wav`` (speaker 1001, emotion ANG). Classes, in this order: anger (ANG),
disgust (DIS), fear (FEA), happy (HAP), neutral (NEU), sad (SAD). Protocol: whole speakers are
drawn (from ``seed``) into train, validation and test, so no voice is heard in two splits;
``val_fraction`` / ``test_fraction`` are shares of the speakers. A file whose name does not
follow the pattern is reported in ``skipped``. Each item's speaker is its group
(``RawData.groups``), so ``cv: K`` deals whole speakers into the K folds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import Field

from bench.data.audio_files import AudioFileDataset, AudioListing
from bench.data.base import DatasetFacts
from bench.data.options import AudioParams, DataParams, FractionSplitParams
from bench.data.splits import group_split

EMOTIONS: dict[str, str] = {
    "ANG": "anger",
    "DIS": "disgust",
    "FEA": "fear",
    "HAP": "happy",
    "NEU": "neutral",
    "SAD": "sad",
}
CLASS_NAMES: tuple[str, ...] = tuple(EMOTIONS.values())
FOLDER = "AudioWAV"


class CremaDParams(FractionSplitParams, AudioParams, DataParams):
    known_classes = CLASS_NAMES

    sample_rate: int = Field(16000, ge=1000, le=192000, description="Clips are resampled to this rate (Hz).")
    seconds: float = Field(3.0, gt=0, le=600, description="Clip length in seconds (CREMA-D clips are 1-5 s).")
    val_fraction: float = Field(
        0.15, ge=0, lt=1, description="Share of the speakers drawn (from `seed`) into validation."
    )
    test_fraction: float = Field(
        0.15, gt=0, lt=1, description="Share of the speakers drawn (from `seed`) into test."
    )


def parse_name(name: str) -> tuple[str, str] | None:
    """``(speaker, emotion code)`` from ``1001_DFA_ANG_XX.wav``, or ``None`` if it does not match."""
    parts = Path(name).stem.split("_")
    if len(parts) != 4 or not parts[0].isdigit() or parts[2] not in EMOTIONS:
        return None
    return parts[0], parts[2]


class CremaD(AudioFileDataset):
    """CREMA-D (6 emotions, 91 speakers) from a local copy; speaker-disjoint splits from the seed."""

    name = "crema-d"
    # Cao et al. 2014, CREMA-D: 7,442 clips from 91 actors, 6 emotions (unequal).
    facts = DatasetFacts(7442)
    Params = CremaDParams
    layout = "<root>/AudioWAV/<speaker>_<sentence>_<emotion>_<level>.wav (e.g. 1001_DFA_ANG_XX.wav)"
    required = (FOLDER,)
    test_params = {"classes": ["anger", "happy", "sad"], "sample_rate": 8000, "seconds": 0.1}

    def listing(self, root: Path) -> AudioListing:
        p = self.params
        code_index = {code: i for i, code in enumerate(EMOTIONS)}
        paths, labels, speakers, skipped = [], [], [], []
        for f in sorted((root / FOLDER).iterdir()):
            if f.suffix.lower() != ".wav" or f.name[0] == ".":
                continue
            parsed = parse_name(f.name)
            if parsed is None:
                skipped.append(
                    f"{FOLDER}/{f.name}: name is not <speaker>_<sentence>_<emotion>_<level>.wav "
                    f"with emotion in {', '.join(EMOTIONS)}"
                )
                continue
            paths.append(f)
            speakers.append(parsed[0])
            labels.append(code_index[parsed[1]])
        groups = np.array(speakers)
        split = group_split(groups, p.val_fraction, p.test_fraction, p.seed)
        labels_of = np.array(labels, dtype=np.int64)
        return AudioListing(paths, labels_of, split, CLASS_NAMES, skipped, groups=groups)
