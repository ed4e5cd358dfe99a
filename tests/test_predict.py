"""``python -m bench predict`` on audio: a saved cell classifies a user's wav file."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from bench.cell.checkpoint import cell_checkpoint_path
from bench.cell.predict import read_audio
from bench.cli.parser import main
from bench.core.errors import UserError
from bench.data.urban_synth import UrbanSynth
from bench.plan.grid import expand
from bench.results.store import ResultsStore
from bench.spec.loader import load_suite
from tests.conftest import TINY, write_suite


@pytest.fixture(scope="module")
def audio_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("audio-run")
    path = write_suite(tmp, {"name": "tinyaudio", "backends": ["default.qubit"]})
    assert (
        main(
            [
                "run",
                str(path),
                "--reports-dir",
                str(tmp / "reports"),
                "--cache-dir",
                str(tmp / "cache"),
                "--no-report",
            ]
        )
        == 0
    )
    records = {r.key: r for r in ResultsStore(tmp / "reports" / "tinyaudio" / "results.sqlite").get()}
    raw = UrbanSynth.from_dict(TINY["datasets"][0]["params"]).load()
    return {"tmp": tmp, "path": path, "suite": load_suite(path), "records": records, "raw": raw}


def _predict(run, wav, cell_key: str, *extra: str) -> int:
    return main(
        [
            "predict",
            str(run["path"]),
            str(wav),
            "--cell",
            cell_key,
            "--reports-dir",
            str(run["tmp"] / "reports"),
            "--cache-dir",
            str(run["tmp"] / "cache"),
            *extra,
        ]
    )


def _top_class(out: str, class_names: list[str]) -> str:
    rows = [line.split() for line in out.splitlines() if line.split() and line.split()[0] in class_names]
    assert abs(sum(float(r[1]) for r in rows) - 1.0) < 1e-3
    return rows[0][0]


@pytest.mark.parametrize("head", ["classical", "quantum"])
def test_predict_on_a_test_clip_gives_the_records_prediction(audio_run, tmp_path, capsys, head):
    cell = next(c for c in expand(audio_run["suite"]) if c.head.name == head)
    record = audio_run["records"][cell.key]
    clips = audio_run["raw"].x[audio_run["raw"].indices("test")]
    for i in (0, len(clips) - 1):
        wav = tmp_path / f"clip{i}.wav"
        soundfile.write(wav, clips[i], audio_run["raw"].sample_rate, subtype="FLOAT")
        assert _predict(audio_run, wav, cell.key) == 0
        out = capsys.readouterr().out
        assert _top_class(out, record.class_names) == record.class_names[record.predictions[i]]


def test_stereo_resampled_long_file_is_mixed_cropped_and_resampled(audio_run, tmp_path, capsys):
    rate, n = audio_run["raw"].sample_rate, audio_run["raw"].x.shape[1]
    clip = audio_run["raw"].x[0]
    stereo = np.stack([clip, clip], axis=1)
    wav = tmp_path / "stereo.wav"
    soundfile.write(wav, np.repeat(np.concatenate([stereo, stereo]), 2, axis=0), 2 * rate, subtype="FLOAT")
    mono = read_audio(wav, rate, n)
    assert mono.shape == (n,) and mono.dtype == np.float32
    assert np.corrcoef(mono[100:-100], clip[100:-100])[0, 1] > 0.99  # same waveform after 2x -> 1x
    short = read_audio(wav, rate, 4 * n)  # longer than the file: zero-padded at the end
    assert np.all(short[2 * n + 10 :] == 0)
    cell = expand(audio_run["suite"])[0]
    assert _predict(audio_run, wav, cell.key.split("#")[0], "--top", "2") == 0
    assert len([line for line in capsys.readouterr().out.splitlines() if line.strip()]) == 3 + 1 + 2


def test_corrupt_audio_file_is_a_user_error_naming_it(tmp_path):
    bad = tmp_path / "corrupt.wav"
    bad.write_bytes(b"RIFF\x00\x00garbage")
    with pytest.raises(UserError, match=r"corrupt\.wav: cannot read audio"):
        read_audio(bad, 8000, 100)


def test_missing_checkpoint_is_exported_again_from_the_cache(audio_run, tmp_path, capsys):
    cell = next(c for c in expand(audio_run["suite"]) if c.head.name == "quantum")
    checkpoint = cell_checkpoint_path(audio_run["tmp"] / "reports" / "tinyaudio" / "checkpoints", cell.key)
    checkpoint.unlink()
    wav = tmp_path / "clip.wav"
    soundfile.write(wav, audio_run["raw"].x[0], audio_run["raw"].sample_rate, subtype="FLOAT")
    assert _predict(audio_run, wav, cell.key) == 0
    assert checkpoint.exists()
    capsys.readouterr()
    checkpoint.unlink()
    code = main(
        [
            "predict",
            str(audio_run["path"]),
            str(wav),
            "--cell",
            cell.key,
            "--reports-dir",
            str(audio_run["tmp"] / "reports"),
            "--cache-dir",
            str(tmp_path / "empty-cache"),
        ]
    )
    assert code == 2
    assert "has no checkpoint" in capsys.readouterr().err
