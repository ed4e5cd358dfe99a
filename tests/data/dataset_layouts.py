"""Tiny fixture copies of every real dataset layout, written into a temp dir.

Each builder writes the exact on-disk layout its loader reads (CSV metadata, fold folders,
idx files, CIFAR pickles in torchvision's format, PNGs, ...) with a handful of items, and
returns a ``Layout``: the root plus each class's *signature* - the tone frequency (Hz) of its
clips or the mean pixel value of its images - so a test can check that every decoded item
carries the label of the file it came from.
"""

from __future__ import annotations

import pickle
import string
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from PIL import Image

from bench.core.registry import DATASETS
from bench.data.base import SPLITS, BaseDataset, RawData
from bench.data.crema_d import EMOTIONS
from bench.data.gtzan import GENRES
from bench.data.torchvision_sets import FASHION_CLASSES, KMNIST_CLASSES, MNIST_FILES
from bench.data.urbansound8k import CLASS_NAMES as US8K_CLASSES

CLIP_SECONDS = 0.1


@dataclass
class Layout:
    root: Path
    signature: dict[str, float]  # class name -> tone Hz (audio) or mean pixel value in [0, 1] (images)


def tone_hz(i: int) -> float:
    """The tone of class ``i`` (distinct, below 4 kHz Nyquist at 8 kHz)."""
    return 250.0 + 125.0 * i


def write_tone(
    path: Path, hz: float, sample_rate: int = 8000, channels: int = 1, seconds: float = CLIP_SECONDS, **kwargs
) -> None:
    t = np.arange(round(seconds * sample_rate)) / sample_rate
    mono = (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.repeat(mono[:, None], channels, axis=1), sample_rate, **kwargs)


def write_corrupt(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF\x00\x00\x00\x00not really a wave file" * 3)


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(",".join(map(str, r)) for r in [header, *rows]) + "\n")


def urbansound8k(root: Path) -> Layout:
    """All ten classes in all ten folds (one clip each); odd folds stereo at 16 kHz, even mono at 8 kHz."""
    rows = []
    for fold in range(1, 11):
        for cid, name in enumerate(US8K_CLASSES):
            file = f"{1000 + cid}-{fold}-0-0.wav"
            stereo = fold % 2 == 1
            rate, channels = (16000, 2) if stereo else (8000, 1)
            write_tone(root / "audio" / f"fold{fold}" / file, tone_hz(cid), rate, channels)
            rows.append([file, 1000 + cid, 0.0, CLIP_SECONDS, 1, fold, cid, name])
    _csv(
        root / "metadata" / "UrbanSound8K.csv",
        ["slice_file_name", "fsID", "start", "end", "salience", "fold", "classID", "class"],
        rows,
    )
    return Layout(root, {n: tone_hz(i) for i, n in enumerate(US8K_CLASSES)})


ESC_CATEGORIES = ("dog", "rooster", "pig", "cow")


def esc50(root: Path) -> Layout:
    """Four categories (targets 0-3; dog and cow marked ESC-10), two clips per category and fold."""
    rows = []
    for fold in range(1, 6):
        for target, name in enumerate(ESC_CATEGORIES):
            for take in "AB":
                file = f"{fold}-{100 + target}-{take}-{target}.wav"
                write_tone(root / "audio" / file, tone_hz(target), 44100 if take == "A" else 8000)
                rows.append([file, fold, target, name, name in ("dog", "cow"), f"{100 + target}", take])
    header = ["filename", "fold", "target", "category", "esc10", "src_file", "take"]
    _csv(root / "meta" / "esc50.csv", header, rows)
    return Layout(root, {n: tone_hz(i) for i, n in enumerate(ESC_CATEGORIES)})


def gtzan(root: Path, per_genre: int = 4) -> Layout:
    """All ten genres, ``per_genre`` clips each (22.05 kHz, like the real files)."""
    for g, genre in enumerate(GENRES):
        for i in range(per_genre):
            write_tone(root / "genres_original" / genre / f"{genre}.{i:05d}.wav", tone_hz(g), 22050)
    return Layout(root, {n: tone_hz(i) for i, n in enumerate(GENRES)})


CREMA_SPEAKERS = ("1001", "1002", "1003", "1004", "1005")


def crema_d(root: Path) -> Layout:
    """Five speakers x six emotions x two sentences, 16 kHz, plus one file with a malformed name."""
    for speaker in CREMA_SPEAKERS:
        for e, code in enumerate(EMOTIONS):
            for sentence in ("DFA", "IEO"):
                write_tone(root / "AudioWAV" / f"{speaker}_{sentence}_{code}_XX.wav", tone_hz(e), 16000)
    write_tone(root / "AudioWAV" / "notes_from_the_session.wav", 1000.0)
    return Layout(root, {name: tone_hz(i) for i, name in enumerate(EMOTIONS.values())})


FOLDER_CLASSES = ("bird", "no_bird", "yes")
FOLDER_FORMATS = (
    (".wav", {}),
    (".flac", {}),
    (".ogg", {"format": "OGG", "subtype": "VORBIS"}),
    (".mp3", {"format": "MP3"}),
)


def audio_folder(root: Path, per_class: int = 8) -> Layout:
    """Three class folders with wav/flac/ogg/mp3 files, plus an ignored ``_background_noise_``."""
    for c, name in enumerate(FOLDER_CLASSES):
        for i in range(per_class):
            ext, kwargs = FOLDER_FORMATS[i % len(FOLDER_FORMATS)]
            write_tone(root / name / f"clip{i:02d}{ext}", tone_hz(c), 8000, **kwargs)
    write_tone(root / "_background_noise_" / "noise.wav", 3000.0)
    return Layout(root, {n: tone_hz(i) for i, n in enumerate(FOLDER_CLASSES)})


def pixel_value(i: int) -> int:
    """The uint8 value filling the images of class ``i`` (distinct for up to 100 classes)."""
    return 10 + 2 * i


def _idx_images(path: Path, images: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack(">IIII", 2051, *images.shape) + images.astype(np.uint8).tobytes())


def _idx_labels(path: Path, labels: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack(">II", 2049, len(labels)) + labels.astype(np.uint8).tobytes())


def _class_images(labels: np.ndarray, shape: tuple[int, ...], top_half_only: bool = False) -> np.ndarray:
    x = np.zeros((len(labels), *shape), dtype=np.uint8)
    for k, c in enumerate(labels):
        x[k, ..., : shape[-2] // 2 if top_half_only else shape[-2], :] = pixel_value(int(c))
    return x


def _mnist_files(
    root: Path,
    folder: str,
    names: list[str],
    n_classes: int,
    per_class: tuple[int, int],
    label_offset: int = 0,
    transpose: bool = False,
) -> float:
    for (images, labels), n in zip([(names[0], names[1]), (names[2], names[3])], per_class, strict=True):
        y = np.repeat(np.arange(n_classes), n)
        x = _class_images(y, (28, 28), top_half_only=transpose)
        _idx_images(root / folder / "raw" / images, x.transpose(0, 2, 1) if transpose else x)
        _idx_labels(root / folder / "raw" / labels, y + label_offset)
    return 0.5 if transpose else 1.0  # share of each image filled with the class value


def mnist_like(folder: str, class_names: tuple[str, ...]) -> Callable[[Path], Layout]:
    def build(root: Path) -> Layout:
        _mnist_files(root, folder, list(MNIST_FILES), len(class_names), (6, 2))
        return Layout(root, {n: pixel_value(i) / 255 for i, n in enumerate(class_names)})

    return build


def emnist_letters(root: Path) -> Layout:
    """Letters a-z with labels 1..26; each image's top half is lit when upright, stored transposed."""
    names = [
        f"emnist-letters-{s}-{k}-ubyte" for s in ("train", "test") for k in ("images-idx3", "labels-idx1")
    ]
    share = _mnist_files(root, "EMNIST", names, 26, (4, 1), label_offset=1, transpose=True)
    return Layout(root, {n: share * pixel_value(i) / 255 for i, n in enumerate(string.ascii_lowercase)})


def _pickle(path: Path, obj: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(obj))


def _cifar_rows(labels: np.ndarray) -> np.ndarray:
    return _class_images(labels, (3, 32, 32)).reshape(len(labels), 3072)  # row = R plane, G plane, B plane


CIFAR10_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def cifar10(root: Path) -> Layout:
    """Five training batches of one image per class each, a test batch of two per class, the meta file."""
    base = root / "cifar-10-batches-py"
    for b in range(1, 6):
        y = np.arange(10)
        _pickle(
            base / f"data_batch_{b}",
            {
                "batch_label": f"training batch {b} of 5",
                "labels": y.tolist(),
                "data": _cifar_rows(y),
                "filenames": [f"{b}_{i}.png" for i in y],
            },
        )
    y = np.repeat(np.arange(10), 2)
    _pickle(
        base / "test_batch",
        {"batch_label": "testing batch 1 of 1", "labels": y.tolist(), "data": _cifar_rows(y)},
    )
    _pickle(base / "batches.meta", {"label_names": list(CIFAR10_NAMES), "num_cases_per_batch": 10})
    return Layout(root, {n: pixel_value(i) / 255 for i, n in enumerate(CIFAR10_NAMES)})


CIFAR100_NAMES = tuple(f"fine_{i:02d}" for i in range(100))


def cifar100(root: Path) -> Layout:
    """Four training images and one test image per fine class, with coarse labels and the meta file."""
    base = root / "cifar-100-python"
    for name, per_class in (("train", 4), ("test", 1)):
        y = np.repeat(np.arange(100), per_class)
        _pickle(
            base / name,
            {"fine_labels": y.tolist(), "coarse_labels": (y // 5).tolist(), "data": _cifar_rows(y)},
        )
    _pickle(
        base / "meta",
        {"fine_label_names": list(CIFAR100_NAMES), "coarse_label_names": [f"coarse_{i}" for i in range(20)]},
    )
    return Layout(root, {n: pixel_value(i) / 255 for i, n in enumerate(CIFAR100_NAMES)})


IMAGE_CLASSES = ("cat", "dog", "fox")


def image_folder(root: Path, per_class: int = 8) -> Layout:
    """Three class folders of uniformly coloured PNG/JPEG-free images of varied sizes and modes."""
    for c, name in enumerate(IMAGE_CLASSES):
        for i in range(per_class):
            size = (10 + 3 * i, 12 + i)
            mode = ("RGB", "L", "RGBA")[i % 3]
            value = pixel_value(c * 10)
            colour = value if mode == "L" else (value, value, value) + ((255,) if mode == "RGBA" else ())
            (root / name).mkdir(parents=True, exist_ok=True)
            Image.new(mode, size, colour).save(root / name / f"img{i:02d}.png")
    return Layout(root, {n: pixel_value(c * 10) / 255 for c, n in enumerate(IMAGE_CLASSES)})


BUILDERS: dict[str, Callable[[Path], Layout]] = {
    "urbansound8k": urbansound8k,
    "esc50": esc50,
    "gtzan": gtzan,
    "crema-d": crema_d,
    "audio-folder": audio_folder,
    "mnist": mnist_like("MNIST", tuple(string.digits)),
    "fashion-mnist": mnist_like("FashionMNIST", FASHION_CLASSES),
    "kmnist": mnist_like("KMNIST", KMNIST_CLASSES),
    "emnist-letters": emnist_letters,
    "cifar10": cifar10,
    "cifar100": cifar100,
    "image-folder": image_folder,
}
"""Fixture builder per dataset that reads local files (embedded datasets need none)."""


def load_dataset(name: str, root: Path | None = None, **params) -> RawData:
    """Load registered dataset ``name`` with its test params, ``root`` and ``params`` overrides."""
    plugin = DATASETS.get(name)
    merged = {**plugin.test_params, **({"root": str(root)} if root is not None else {}), **params}
    return plugin.from_dict(merged).load()


def item_signatures(data: RawData) -> np.ndarray:
    """Per item: dominant frequency in Hz (audio) or mean pixel value (images)."""
    if data.modality == "audio":
        spectrum = np.abs(np.fft.rfft(data.x, axis=1))
        return spectrum.argmax(axis=1) * data.sample_rate / data.x.shape[1]
    return data.x.mean(axis=(1, 2, 3))


def assert_labels_match_files(data: RawData, layout: Layout) -> None:
    """Every item's content carries the signature of the class it is labelled with."""
    expected = np.array([layout.signature[data.class_names[c]] for c in data.labels])
    got = item_signatures(data)
    tol = 15.0 if data.modality == "audio" else 1.5 / 255
    bad = np.flatnonzero(np.abs(got - expected) > tol)
    assert bad.size == 0, [(data.item_ids[i], data.class_names[data.labels[i]], got[i]) for i in bad[:5]]


def assert_rawdata_contract(plugin: BaseDataset, data: RawData) -> None:
    """``data`` (loaded by ``plugin``) satisfies ``RawData``'s contract (see ``bench.data.base``)."""
    n = len(data.x)
    assert n > 0 and data.x.dtype == np.float32 and np.isfinite(data.x).all()
    assert data.modality == type(plugin).modality
    if data.modality == "audio":
        assert data.x.ndim == 2 and data.sample_rate > 0
        assert data.x.shape[1] == round(plugin.params.seconds * data.sample_rate)
    else:
        assert data.x.ndim == 4 and data.x.shape[1] in (1, 3)
        assert data.x.min() >= 0 and data.x.max() <= 1
    assert data.labels.shape == (n,) and data.labels.dtype == np.int64
    assert len(set(data.class_names)) == data.n_classes >= 2
    assert set(np.unique(data.labels)) == set(range(data.n_classes))  # every class present
    assert data.split.shape == (n,) and set(data.split) == set(SPLITS)  # every split non-empty
    assert len(data.item_ids) == n == len(set(data.item_ids))
    if getattr(plugin.params, "classes", None):
        assert list(data.class_names) == plugin.params.classes
