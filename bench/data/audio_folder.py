"""``audio-folder``: any audio collection stored as one folder per class.

Layout: ``<root>/<class>/*.wav|flac|ogg|mp3`` - Speech Commands, birdsong detection sets
(e.g. ``bird/`` and ``no_bird/``) and most ad-hoc collections. Classes are the sub-folders in
sorted order; folders starting with ``_`` or ``.`` (Speech Commands' ``_background_noise_``)
are ignored. Splits: stratified per class from ``seed``; but when the root holds Speech
Commands' ``validation_list.txt`` and ``testing_list.txt`` (and ``official_lists`` is on), the
files they list are the validation and test splits and every other file trains.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import Field

from bench.data.audio_files import AudioFileDataset, AudioListing
from bench.data.audio_io import audio_files_in
from bench.data.options import AudioParams, DataParams, FractionSplitParams
from bench.data.splits import stratified_split

LISTS = {"val": "validation_list.txt", "test": "testing_list.txt"}


class AudioFolderParams(FractionSplitParams, AudioParams, DataParams):
    sample_rate: int = Field(16000, ge=1000, le=192000, description="Clips are resampled to this rate (Hz).")
    seconds: float = Field(1.0, gt=0, le=600, description="Clip length in seconds.")
    official_lists: bool = Field(
        True,
        description="When the root holds validation_list.txt and testing_list.txt (Speech Commands), use "
        "them as the validation and test splits instead of drawing splits from the seed.",
    )


def class_folders(root: Path) -> list[Path]:
    """Sub-folders that are classes: sorted, without names starting with ``_`` or ``.``."""
    return sorted(d for d in root.iterdir() if d.is_dir() and d.name[0] not in "_.")


def _read_list(path: Path) -> set[str]:
    return {line.strip() for line in path.read_text().splitlines() if line.strip()}


class AudioFolder(AudioFileDataset):
    """Audio files in one folder per class (Speech Commands-style, birdsong sets, ...)."""

    name = "audio-folder"
    Params = AudioFolderParams
    layout = "<root>/<class>/*.wav|flac|ogg|mp3 (one folder per class)"
    required = (".",)
    test_params = {"sample_rate": 8000, "seconds": 0.1}

    def listing(self, root: Path) -> AudioListing:
        p = self.params
        folders = class_folders(root)
        names = tuple(d.name for d in folders)
        paths, labels = [], []
        for label, folder in enumerate(folders):
            found = audio_files_in(folder)
            paths += found
            labels += [label] * len(found)
        y = np.array(labels, dtype=np.int64)
        if p.official_lists and all((root / name).is_file() for name in LISTS.values()):
            listed = {s: _read_list(root / name) for s, name in LISTS.items()}
            rel = [f.relative_to(root).as_posix() for f in paths]
            split = np.array(
                ["val" if r in listed["val"] else "test" if r in listed["test"] else "train" for r in rel],
                dtype="<U5",
            )
        else:
            split = stratified_split(y, names, p.val_fraction, p.test_fraction, p.seed)
        return AudioListing(paths, y, split, names)
