"""Non-finite or absurd audio is rejected per file, with its name; a class left with no readable item
fails the cell, naming the class (it used to give an ok record scored without that class)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from bench.cli.parser import main
from bench.data.audio_io import read_clips
from bench.results.store import ResultsStore
from tests.conftest import write_suite
from tests.data.dataset_layouts import write_tone

RATE = 8000


def write_float(path: Path, samples: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), samples.astype(np.float32), RATE, subtype="FLOAT")
    return path


def test_nan_inf_and_huge_samples_are_rejected_per_file(tmp_path):
    good = tmp_path / "good.wav"
    write_tone(good, 440.0, RATE)
    bad = {}
    for name, value in (
        ("nan", np.nan),
        ("inf", np.inf),
        ("minus-inf", -np.inf),
        ("huge", 1e30),
        ("big", -2e6),
    ):
        samples = np.full(800, 0.1)
        samples[100] = value
        bad[name] = write_float(tmp_path / f"{name}.wav", samples)
    paths = [good, *bad.values()]
    x, ok, skipped = read_clips(paths, [p.name for p in paths], RATE, 800, "start")
    assert ok.tolist() == [True] + [False] * len(bad) and x.shape == (1, 800) and np.isfinite(x).all()
    assert skipped[0] == "nan.wav: non-finite samples (NaN): not audio"
    assert skipped[1].startswith("inf.wav: non-finite samples (infinite)")
    assert skipped[3] == "huge.wav: samples up to 1e+30 in absolute value (more than 1e+06): not audio"
    assert skipped[4].startswith("big.wav: samples up to 2e+06")
    write_float(tmp_path / "loud.wav", np.full(800, 0.999))  # loud but real audio is kept
    assert read_clips([tmp_path / "loud.wav"], ["loud.wav"], RATE, 800, "start")[1].tolist() == [True]


def test_a_class_with_no_readable_item_fails_the_cell_naming_it(tmp_path, capsys):
    root = tmp_path / "data"
    for i in range(6):
        write_tone(root / "alpha" / f"a{i}.wav", 300.0, RATE)
        write_tone(root / "beta" / f"b{i}.wav", 900.0, RATE)
        write_float(root / "gamma" / f"g{i}.wav", np.full(800, 1e30))  # every gamma file is garbage
    dataset = {"name": "audio-folder", "params": {"root": str(root), "sample_rate": RATE, "seconds": 0.1}}
    suite = write_suite(
        tmp_path, {"datasets": [dataset], "heads": ["classical"], "backends": ["default.qubit"]}
    )
    dirs = ["--reports-dir", str(tmp_path / "reports"), "--cache-dir", str(tmp_path / "cache"), "--no-report"]
    assert main(["run", str(suite), "--executor", "sequential", *dirs]) == 1
    [record] = ResultsStore(tmp_path / "reports" / "tiny" / "results.sqlite").get()
    assert record.status == "failed"
    assert "class 'gamma' has no readable item (6 item(s) skipped; e.g. gamma/" in record.error
    assert "samples up to 1e+30" in record.error
