"""Image loaders on fixture layouts: torchvision sets, ImageFolder, digits; protocols and errors."""

from __future__ import annotations

import string

import numpy as np
import pytest

from bench.data.local import DatasetUnavailable
from bench.data.splits import DatasetError
from bench.data.torchvision_sets import MNIST
from tests.data.dataset_layouts import (
    _pickle,
    assert_labels_match_files,
    cifar10,
    emnist_letters,
    image_folder,
    load_dataset,
    mnist_like,
    write_corrupt,
)


def test_official_test_set_is_the_test_split_and_val_comes_from_train(layout):
    data = load_dataset("mnist", layout("mnist").root, val_fraction=0.5)
    assert data.class_names == tuple(string.digits) and data.x.shape[1:] == (1, 28, 28)
    official = np.array([i.split("/")[0] for i in data.item_ids])
    np.testing.assert_array_equal(data.split == "test", official == "test")
    assert (official == "test").sum() == 20
    for c in range(10):  # 6 official training images per class: 3 train, 3 val
        assert sorted(data.split[(data.labels == c) & (official == "train")]) == ["train"] * 3 + ["val"] * 3


def test_class_subset_given_as_numbers(layout):
    data = load_dataset("mnist", layout("mnist").root, classes=[3, 8])
    assert data.class_names == ("3", "8")
    assert_labels_match_files(data, layout("mnist"))
    with pytest.raises(ValueError, match="unknown class '10'"):
        MNIST.Params(classes=[3, 10])


def test_cap_applies_per_class_and_split(layout):
    data = load_dataset("fashion-mnist", layout("fashion-mnist").root, max_per_class=4)
    assert np.bincount(data.labels).tolist() == [4] * 10
    assert data.class_names[0] == "T-shirt/top"


def test_emnist_letters_are_relabelled_and_upright(layout):
    data = load_dataset("emnist-letters", layout("emnist-letters").root)
    assert data.class_names == tuple(string.ascii_lowercase)
    assert data.labels.min() == 0 and data.labels.max() == 25
    top, bottom = data.x[:, 0, :14].mean(axis=(1, 2)), data.x[:, 0, 14:].mean(axis=(1, 2))
    assert (top > 0).all() and (bottom == 0).all()  # the fixture lights the top half of the upright letter


def test_cifar_checksums_are_verified_by_default(layout):
    expected = r"cifar10: .*/cifar-10-batches-py/data_batch_1 fails its official MD5 check"
    with pytest.raises(DatasetError, match=expected):
        load_dataset("cifar10", layout("cifar10").root, verify_checksums=True)


def test_cifar_images_are_rgb_channels_first(tmp_path):
    lay = cifar10(tmp_path)
    rows = np.zeros((10, 3072), dtype=np.uint8)
    rows[:, :1024], rows[:, 1024:2048] = 200, 100  # red plane, green plane, blue plane = 0
    _pickle(lay.root / "cifar-10-batches-py" / "data_batch_3", {"labels": list(range(10)), "data": rows})
    data = load_dataset("cifar10", lay.root, val_fraction=0.2)
    batch3 = [k for k, i in enumerate(data.item_ids) if 20 <= int(i.split("/")[1]) < 30]
    np.testing.assert_allclose(data.x[batch3].mean(axis=(2, 3)), [[200 / 255, 100 / 255, 0]] * 10, atol=1e-6)


def test_corrupt_cifar_batch_is_an_error_naming_the_folder(tmp_path):
    lay = cifar10(tmp_path)
    write_corrupt(lay.root / "cifar-10-batches-py" / "data_batch_2")
    with pytest.raises(DatasetError, match=r"cifar10: cannot read cifar-10-batches-py/data_batch_1.* under "):
        load_dataset("cifar10", lay.root)


def test_truncated_idx_file_is_an_error_naming_the_files(tmp_path):
    lay = mnist_like("KMNIST", ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"))(tmp_path)
    images = lay.root / "KMNIST" / "raw" / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:1000])
    with pytest.raises(DatasetError, match=r"kmnist: cannot read KMNIST/raw/train-images-idx3-ubyte"):
        load_dataset("kmnist", lay.root)


def test_emnist_missing_file_is_named(tmp_path):
    lay = emnist_letters(tmp_path)
    (lay.root / "EMNIST" / "raw" / "emnist-letters-test-labels-idx1-ubyte").unlink()
    with pytest.raises(DatasetUnavailable, match="emnist-letters-test-labels-idx1-ubyte not found"):
        load_dataset("emnist-letters", lay.root)


def test_image_folder_resizes_converts_and_reports_corrupt_files(tmp_path):
    lay = image_folder(tmp_path / "animals", per_class=6)
    write_corrupt(lay.root / "dog" / "img03.png")
    (lay.root / "dog" / "notes.txt").write_text("not an image, not an image extension: ignored")
    data = load_dataset("image-folder", lay.root, image_size=10, mode="L")
    assert data.x.shape == (17, 1, 10, 10) and data.class_names == ("cat", "dog", "fox")
    assert [s.split(":")[0] for s in data.skipped] == ["dog/img03.png"]
    assert "dog/img03.png" not in data.item_ids
    assert_labels_match_files(data, lay)
    rgb = load_dataset("image-folder", lay.root, classes=["fox", "cat"])
    assert rgb.x.shape[1:] == (3, 8, 8) and rgb.class_names == ("fox", "cat") and rgb.skipped == ()


def test_image_folder_all_unreadable_is_an_error(tmp_path):
    lay = image_folder(tmp_path / "bad", per_class=3)
    for f in lay.root.rglob("*.png"):
        write_corrupt(f)
    with pytest.raises(DatasetError, match="none of the 9 selected items could be read"):
        load_dataset("image-folder", lay.root)


def test_digits_is_the_whole_bundled_set_by_default():
    data = load_dataset("digits", classes=None, max_per_class=None)
    assert data.x.shape == (1797, 1, 8, 8) and data.class_names == tuple(string.digits)
    assert data.x.min() == 0 and data.x.max() == 1
    for c in range(10):
        n = int((data.labels == c).sum())
        counts = [int((data.split[data.labels == c] == s).sum()) for s in ("train", "val", "test")]
        assert counts[1] == round(0.15 * n) and counts[2] == round(0.15 * n)
    binary = load_dataset("digits", classes=[3, 8], max_per_class=None)
    assert binary.class_names == ("3", "8") and len(binary.x) == int(np.isin(data.labels, [3, 8]).sum())
