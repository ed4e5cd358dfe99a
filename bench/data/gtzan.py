"""``gtzan``: the GTZAN music-genre collection, all ten genres or a chosen subset.

Layout: ``<root>/genres_original/<genre>/<genre>.000NN.wav`` (the widely mirrored Kaggle copy;
``folder: genres`` reads the original Marsyas tarball's ``<root>/genres/<genre>/*.au``). GTZAN
has no official split: each genre is split into train/val/test from ``seed``. Pick a binary task
with ``classes`` (e.g. ``[classical, metal]``). The copy most people have contains one file that
cannot be decoded (``jazz.00054.wav``): it is reported in ``skipped``, not replaced.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import Field

from bench.data.audio_files import AudioFileDataset, AudioListing
from bench.data.audio_io import audio_files_in
from bench.data.base import DatasetFacts
from bench.data.options import AudioParams, DataParams, FractionSplitParams
from bench.data.splits import stratified_split

GENRES: tuple[str, ...] = (
    "blues",
    "classical",
    "country",
    "disco",
    "hiphop",
    "jazz",
    "metal",
    "pop",
    "reggae",
    "rock",
)


class GTZANParams(FractionSplitParams, AudioParams, DataParams):
    known_classes = GENRES

    seconds: float = Field(30.0, gt=0, le=600, description="Clip length in seconds (GTZAN clips are 30 s).")
    folder: str = Field(
        "genres_original",
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Sub-folder of the root holding one folder per genre ('genres' for the original "
        "tarball).",
    )


class GTZAN(AudioFileDataset):
    """GTZAN (10 music genres, 100 clips each) from a local copy; stratified splits from the seed."""

    name = "gtzan"
    # Tzanetakis & Cook 2002, GTZAN: 1,000 clips x 30 s, 10 genres x 100.
    facts = DatasetFacts(1000, per_class=100)
    Params = GTZANParams
    layout = "<root>/genres_original/<genre>/*.wav (genres: blues, classical, ..., rock)"
    test_params = {"classes": ["classical", "metal"], "sample_rate": 8000, "seconds": 0.1}

    def required_paths(self) -> tuple[str, ...]:
        genres = self.params.classes or GENRES
        return tuple(f"{self.params.folder}/{g}" for g in genres)

    def listing(self, root: Path) -> AudioListing:
        p = self.params
        paths, labels = [], []
        for label, genre in enumerate(GENRES):
            folder = root / p.folder / genre
            if not folder.is_dir():
                continue  # only the chosen genres must exist (required_paths)
            found = audio_files_in(folder)
            paths += found
            labels += [label] * len(found)
        y = np.array(labels, dtype=np.int64)
        split = stratified_split(y, GENRES, p.val_fraction, p.test_fraction, p.seed)
        return AudioListing(paths, y, split, GENRES)
