"""Audio loaders on fixture layouts: decoding, official protocols, options, unreadable files."""

from __future__ import annotations

import shutil
from collections import Counter

import numpy as np
import pytest
import soundfile as sf

from bench.data.audio_io import UnreadableAudio, fit_length, read_clip
from bench.data.crema_d import parse_name
from bench.data.gtzan import GENRES, GTZAN
from bench.data.splits import DatasetError
from bench.data.urbansound8k import UrbanSound8K
from tests.data.dataset_layouts import (
    FOLDER_CLASSES,
    assert_labels_match_files,
    audio_folder,
    crema_d,
    gtzan,
    item_signatures,
    load_dataset,
    tone_hz,
    urbansound8k,
    write_corrupt,
    write_tone,
)

# ---------------------------------------------------------------- decoding


def test_fit_length_crops_and_pads():
    x = np.arange(10, dtype=np.float32)
    assert fit_length(x, 4, "start").tolist() == [0, 1, 2, 3]
    assert fit_length(x, 4, "center").tolist() == [3, 4, 5, 6]
    assert fit_length(x[:2], 5, "start").tolist() == [0, 1, 0, 0, 0]
    assert fit_length(x[:2], 5, "center").tolist() == [0, 0, 1, 0, 0]


def _dominant_hz(clip: np.ndarray, sample_rate: int) -> float:
    return float(np.abs(np.fft.rfft(clip)).argmax() * sample_rate / len(clip))


def test_stereo_is_mixed_to_mono_and_resampled(tmp_path):
    t = np.arange(4410) / 44100
    left, right = np.sin(2 * np.pi * 500 * t), np.zeros_like(t)
    sf.write(str(tmp_path / "s.wav"), np.stack([left, right], axis=1).astype(np.float32), 44100)
    clip = read_clip(tmp_path / "s.wav", 8000, 800, "start")
    assert clip.shape == (800,) and clip.dtype == np.float32
    assert _dominant_hz(clip, 8000) == pytest.approx(500, abs=10)
    assert np.abs(clip[100:700]).max() == pytest.approx(0.5, abs=0.02)  # mean of a full and a silent channel


def test_crop_reads_the_chosen_part_of_a_long_file(tmp_path):
    t = np.arange(8000) / 8000
    first, second = np.sin(2 * np.pi * 300 * t), np.sin(2 * np.pi * 900 * t)
    whole = np.concatenate([first, first, second, second]).astype(np.float32)
    sf.write(str(tmp_path / "long.wav"), whole, 8000)
    start = read_clip(tmp_path / "long.wav", 8000, 4000, "start")
    center = read_clip(tmp_path / "long.wav", 8000, 4000, "center")
    assert _dominant_hz(start, 8000) == pytest.approx(300, abs=5)
    expected = whole[14000:18000]  # the middle 4000 of 32000
    np.testing.assert_allclose(center, expected, atol=1e-4)  # 16-bit PCM quantisation


def test_short_clips_are_zero_padded(tmp_path):
    write_tone(tmp_path / "short.wav", 440.0, seconds=0.05)
    clip = read_clip(tmp_path / "short.wav", 8000, 800, "start")
    assert np.abs(clip[:400]).max() > 0.4 and not clip[400:].any()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (write_corrupt, "Format not recognised"),
        (lambda p: sf.write(str(p), np.zeros((0, 1), np.float32), 8000), "no audio frames"),
        (
            lambda p: sf.write(str(p), np.full((80, 1), np.nan, np.float32), 8000, subtype="FLOAT"),
            "non-finite",
        ),
        (lambda p: None, "file not found"),
    ],
)
def test_unreadable_files_raise_with_the_reason(tmp_path, make, reason):
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(UnreadableAudio, match=reason):
        read_clip(path, 8000, 800, "start")


# ---------------------------------------------------------------- UrbanSound8K


def _fold_of(item_id: str) -> int:
    return int(item_id.split("/")[1].removeprefix("fold"))


def test_urbansound8k_default_protocol_is_folds_1_to_8_9_10(layout):
    data = load_dataset("urbansound8k", layout("urbansound8k").root, classes=None)
    assert data.class_names == UrbanSound8K.Params.known_classes
    folds = {
        s: {_fold_of(i) for i, sp in zip(data.item_ids, data.split, strict=True) if sp == s}
        for s in ("train", "val", "test")
    }
    assert folds == {"train": set(range(1, 9)), "val": {9}, "test": {10}}
    assert len(data.x) == 100 and data.skipped == ()


def test_urbansound8k_cross_validation_uses_every_fold_once_as_test(layout):
    root = layout("urbansound8k").root
    tested = Counter()
    for k in range(1, 11):
        data = load_dataset("urbansound8k", root, test_fold=k)
        split_of = dict(zip(data.item_ids, data.split, strict=True))
        assert {_fold_of(i) for i, s in split_of.items() if s == "test"} == {k}
        assert {_fold_of(i) for i, s in split_of.items() if s == "val"} == {(k - 2) % 10 + 1}
        tested.update(i for i, s in split_of.items() if s == "test")
    assert len(tested) == 30 and set(tested.values()) == {1}
    data = load_dataset("urbansound8k", root, test_fold=3, val_fold=7)
    assert {_fold_of(i) for i, s in zip(data.item_ids, data.split, strict=True) if s == "val"} == {7}


@pytest.mark.parametrize(
    "bad",
    [
        {"test_fold": 11},
        {"val_fold": 0},
        {"test_fold": 4, "val_fold": 4},
        {"classes": ["dog_bark", "dogbark"]},
        {"classes": ["siren", "siren"]},
        {"max_per_class": 2},
    ],
)
def test_urbansound8k_rejects_bad_options(bad):
    with pytest.raises(ValueError):
        UrbanSound8K.Params(**bad)


def test_urbansound8k_subset_and_cap(layout):
    root = layout("urbansound8k").root
    data = load_dataset("urbansound8k", root, classes=["siren", "dog_bark"], max_per_class=5)
    assert data.class_names == ("siren", "dog_bark")
    assert np.bincount(data.labels).tolist() == [5, 5]
    for c in range(2):  # 8 train, 1 val, 1 test per class -> capped to 3 + 1 + 1
        in_class = data.split[data.labels == c]
        assert [int((in_class == s).sum()) for s in ("train", "val", "test")] == [3, 1, 1]
    assert_labels_match_files(data, layout("urbansound8k"))
    other_seed = load_dataset("urbansound8k", root, classes=["siren", "dog_bark"], max_per_class=5, seed=1)
    assert other_seed.item_ids != data.item_ids


def test_corrupt_and_missing_files_are_reported_by_name_not_replaced(tmp_path):
    lay = urbansound8k(tmp_path / "us8k")
    write_corrupt(lay.root / "audio" / "fold3" / "1003-3-0-0.wav")
    (lay.root / "audio" / "fold4" / "1008-4-0-0.wav").unlink()
    data = load_dataset("urbansound8k", lay.root, classes=["dog_bark", "siren"])
    assert len(data.x) == 18
    assert len(data.skipped) == 2
    assert data.skipped[0].startswith("audio/fold3/1003-3-0-0.wav: ")
    assert "Format not recognised" in data.skipped[0]
    assert data.skipped[1] == "audio/fold4/1008-4-0-0.wav: file not found"
    assert "audio/fold3/1003-3-0-0.wav" not in data.item_ids
    assert_labels_match_files(data, lay)  # no silent clip took the corrupt one's place


def test_every_file_unreadable_is_an_error(tmp_path):
    lay = urbansound8k(tmp_path / "us8k")
    for f in (lay.root / "audio").rglob("*.wav"):
        write_corrupt(f)
    with pytest.raises(DatasetError, match=r"^urbansound8k: none of the 30 selected items could be read"):
        load_dataset("urbansound8k", lay.root)


def test_metadata_rows_that_disagree_with_the_official_classes_are_reported(tmp_path):
    lay = urbansound8k(tmp_path / "us8k")
    csv = lay.root / "metadata" / "UrbanSound8K.csv"
    csv.write_text(csv.read_text().replace(",3,dog_bark\n", ",3,dog\n", 1))
    data = load_dataset("urbansound8k", lay.root)
    assert len(data.skipped) == 1 and "class 'dog'" in data.skipped[0]
    assert data.skipped[0].startswith("metadata/UrbanSound8K.csv:5 (1003-1-0-0.wav)")


def test_missing_metadata_column_names_the_file(tmp_path):
    lay = urbansound8k(tmp_path / "us8k")
    csv = lay.root / "metadata" / "UrbanSound8K.csv"
    csv.write_text(csv.read_text().replace("classID", "class_id", 1))
    with pytest.raises(DatasetError, match=r"UrbanSound8K\.csv: missing column\(s\) classID"):
        load_dataset("urbansound8k", lay.root)


# ---------------------------------------------------------------- ESC-50


def test_esc50_folds_classes_and_esc10(layout):
    root = layout("esc50").root
    data = load_dataset("esc50", root)
    assert data.class_names == ("dog", "rooster", "pig", "cow")
    fold_of = {i: int(i.split("/")[1].split("-")[0]) for i in data.item_ids}
    for split, folds in (("train", {1, 2, 3}), ("val", {4}), ("test", {5})):
        assert {fold_of[i] for i, s in zip(data.item_ids, data.split, strict=True) if s == split} == folds
    cv = load_dataset("esc50", root, test_fold=1)
    assert {fold_of[i] for i, s in zip(cv.item_ids, cv.split, strict=True) if s == "val"} == {5}
    esc10 = load_dataset("esc50", root, esc10=True)
    assert esc10.class_names == ("dog", "cow") and len(esc10.x) == 20
    assert_labels_match_files(esc10, layout("esc50"))
    with pytest.raises(ValueError, match="from 1 to 5"):
        load_dataset("esc50", root, test_fold=6)


# ---------------------------------------------------------------- GTZAN


def test_gtzan_all_genres_or_a_binary_subset(layout):
    root = layout("gtzan").root
    every = load_dataset("gtzan", root, classes=None)
    assert every.class_names == GENRES and np.bincount(every.labels).tolist() == [4] * 10
    binary = load_dataset("gtzan", root, classes=["metal", "classical"])
    assert binary.class_names == ("metal", "classical")
    assert {i.split("/")[1] for i in binary.item_ids} == {"metal", "classical"}
    assert_labels_match_files(binary, layout("gtzan"))
    # a genre's split does not change when other genres are added or removed
    split_in = lambda d: {i: s for i, s in zip(d.item_ids, d.split, strict=True) if "/metal/" in i}  # noqa: E731
    assert split_in(binary) == split_in(every)


def test_gtzan_cap_keeps_every_split(layout):
    data = load_dataset("gtzan", layout("gtzan").root, classes=None, max_per_class=3)
    assert np.bincount(data.labels).tolist() == [3] * 10
    for c in range(10):
        assert sorted(data.split[data.labels == c]) == ["test", "train", "val"]


def test_gtzan_reports_the_famous_unreadable_file(tmp_path):
    lay = gtzan(tmp_path / "gtzan", per_genre=4)
    write_corrupt(lay.root / "genres_original" / "jazz" / "jazz.00054.wav")
    data = load_dataset("gtzan", lay.root, classes=["jazz", "rock"])
    assert [s.split(":")[0] for s in data.skipped] == ["genres_original/jazz/jazz.00054.wav"]
    assert np.bincount(data.labels).tolist() == [4, 4]


def test_gtzan_original_tarball_layout(tmp_path):
    for g, genre in enumerate(("blues", "rock")):
        for i in range(3):
            write_tone(tmp_path / "genres" / genre / f"{genre}.{i:05d}.au", tone_hz(g), 22050, format="AU")
    data = load_dataset("gtzan", tmp_path, classes=["blues", "rock"], folder="genres")
    assert len(data.x) == 6 and data.skipped == ()
    missing = GTZAN.from_dict({"root": str(tmp_path), "classes": ["blues", "jazz"], "folder": "genres"})
    assert "genres/jazz not found" in missing.unavailable()


# ---------------------------------------------------------------- CREMA-D


def test_crema_d_names_are_parsed():
    assert parse_name("1001_DFA_ANG_XX.wav") == ("1001", "ANG")
    assert parse_name("1091_WSI_SAD_LO.wav") == ("1091", "SAD")
    for bad in ("1001_DFA_XXX_XX.wav", "notes.wav", "abc_DFA_ANG_XX.wav"):
        assert parse_name(bad) is None


def test_crema_d_splits_are_speaker_disjoint(layout):
    data = load_dataset("crema-d", layout("crema-d").root, classes=None)
    assert data.class_names == ("anger", "disgust", "fear", "happy", "neutral", "sad")
    speakers = {
        s: {i.split("/")[1].split("_")[0] for i, sp in zip(data.item_ids, data.split, strict=True) if sp == s}
        for s in ("train", "val", "test")
    }
    assert speakers["train"] and speakers["val"] and speakers["test"]
    assert not (
        speakers["train"] & speakers["val"]
        or speakers["train"] & speakers["test"]
        or speakers["val"] & speakers["test"]
    )
    assert len(data.skipped) == 1
    assert data.skipped[0].startswith("AudioWAV/notes_from_the_session.wav: name is")
    other = load_dataset("crema-d", layout("crema-d").root, classes=None, seed=4)
    assert not np.array_equal(other.split, data.split)


def test_crema_d_every_split_keeps_its_speakers_after_a_cap(tmp_path):
    lay = crema_d(tmp_path / "crema")
    data = load_dataset("crema-d", lay.root, classes=["anger", "sad"], max_per_class=4)
    assert np.bincount(data.labels).tolist() == [4, 4]
    assert_labels_match_files(data, lay)


# ---------------------------------------------------------------- audio folders


def test_audio_folder_reads_every_format_and_ignores_underscore_folders(layout):
    lay = layout("audio-folder")
    data = load_dataset("audio-folder", lay.root)
    assert data.class_names == FOLDER_CLASSES
    assert {i.rsplit(".", 1)[1] for i in data.item_ids} == {"wav", "flac", "ogg", "mp3"}
    assert not any(i.startswith("_background_noise_") for i in data.item_ids)
    assert data.skipped == ()
    assert_labels_match_files(data, lay)


def test_audio_folder_uses_speech_commands_lists_when_present(tmp_path):
    lay = audio_folder(tmp_path / "sc", per_class=6)
    (lay.root / "validation_list.txt").write_text("bird/clip00.wav\nno_bird/clip01.flac\nyes/clip02.ogg\n")
    (lay.root / "testing_list.txt").write_text("bird/clip03.mp3\nno_bird/clip04.wav\nyes/clip05.flac\n")
    data = load_dataset("audio-folder", lay.root)
    split_of = dict(zip(data.item_ids, data.split, strict=True))
    assert sorted(i for i, s in split_of.items() if s == "val") == [
        "bird/clip00.wav",
        "no_bird/clip01.flac",
        "yes/clip02.ogg",
    ]
    assert sorted(i for i, s in split_of.items() if s == "test") == [
        "bird/clip03.mp3",
        "no_bird/clip04.wav",
        "yes/clip05.flac",
    ]
    drawn = load_dataset("audio-folder", lay.root, official_lists=False)
    assert not np.array_equal(drawn.split, data.split)


def test_audio_folder_unknown_class_lists_the_folders(layout):
    with pytest.raises(DatasetError, match=r"classes: unknown class 'brid'; did you mean 'bird'\?"):
        load_dataset("audio-folder", layout("audio-folder").root, classes=["brid", "yes"])


def test_audio_folder_with_no_audio_is_an_error(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "readme.txt").write_text("nothing")
    with pytest.raises(DatasetError, match="no audio files found under"):
        load_dataset("audio-folder", tmp_path)


def test_signatures_detect_a_mislabelled_item(layout):
    """The label check used above can fail: swap two items' labels and it does."""
    lay = layout("audio-folder")
    data = load_dataset("audio-folder", lay.root)
    data.labels[[0, -1]] = data.labels[[-1, 0]]
    with pytest.raises(AssertionError):
        assert_labels_match_files(data, lay)
    assert item_signatures(data).shape == (len(data.x),)


def test_private_fixture_copies_leave_the_shared_one_alone(layout, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(layout("gtzan").root, copy)
    write_corrupt(copy / "genres_original" / "rock" / "rock.00000.wav")
    assert load_dataset("gtzan", layout("gtzan").root, classes=["rock", "pop"]).skipped == ()
