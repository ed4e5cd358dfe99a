"""Image datasets read with torchvision's dataset classes (``download=False``, never a download).

MNIST, Fashion-MNIST, KMNIST, EMNIST (``letters`` split), CIFAR-10 and CIFAR-100, each from the
folder torchvision itself would use as ``root``: ``<root>/MNIST/raw/...``,
``<root>/cifar-10-batches-py/...`` and so on (see each class's ``layout``; MNIST-style ``raw``
files must be the uncompressed idx files). Protocol: the official training set gives train and
validation (``val_fraction`` of each class, drawn from ``seed``), the official test set is the
test split. Images become float32 ``(N, C, H, W)`` in [0, 1].

EMNIST letters: labels 1..26 become 0..25 (classes ``a``..``z``), and the images, stored
transposed in the EMNIST files, are turned upright. CIFAR files are checked against their
official MD5 sums (torchvision's check) unless ``verify_checksums`` is off; a failing file is
named in the error.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from bench.data.base import DatasetFacts, RawData
from bench.data.local import LocalDataset
from bench.data.options import DataParams, HoldoutParams
from bench.data.selection import assemble, select_items
from bench.data.splits import DatasetError, holdout_split

MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


class TorchvisionParams(HoldoutParams, DataParams):
    pass


class TorchvisionDataset(LocalDataset):
    """Base: one torchvision dataset class, opened twice (official train and test sets)."""

    modality: ClassVar[str] = "image"
    Params = TorchvisionParams
    tv_class: ClassVar[str] = ""
    tv_kwargs: ClassVar[dict[str, Any]] = {}
    label_offset: ClassVar[int] = 0
    class_names: ClassVar[tuple[str, ...]] = ()  # () -> the torchvision dataset's own ``classes``
    test_params = {"val_fraction": 0.25}

    def torchvision_class(self) -> type:
        import torchvision.datasets

        return getattr(torchvision.datasets, self.tv_class)

    def images(self, data: Any) -> np.ndarray:
        """The dataset's ``data`` as uint8 ``(N, C, H, W)``."""
        arr = data.numpy() if hasattr(data, "numpy") else np.asarray(data)
        return arr[:, None] if arr.ndim == 3 else arr.transpose(0, 3, 1, 2)

    def _open(self, root: Path, train: bool) -> Any:
        try:
            return self.torchvision_class()(str(root), train=train, download=False, **self.tv_kwargs)
        except Exception as exc:
            files = ", ".join(self.required_paths())
            raise DatasetError(
                f"{self.name}: cannot read {files} under {root}: "
                f"{type(exc).__name__}: {' '.join(str(exc).split())}"
            ) from None

    def load(self) -> RawData:
        p, root = self.params, self.require_root()
        train, test = self._open(root, True), self._open(root, False)
        images = [self.images(d.data) for d in (train, test)]
        targets = np.concatenate([np.asarray(d.targets, dtype=np.int64) for d in (train, test)])
        targets -= self.label_offset
        official = np.repeat(np.array(["train", "test"]), [len(images[0]), len(images[1])])
        names = self.class_names or tuple(train.classes)
        if targets.min(initial=0) < 0 or targets.max(initial=0) >= len(names):
            raise DatasetError(f"{self.name}: labels outside 0..{len(names) - 1} under {root}")
        split = holdout_split(targets, official, names, p.val_fraction, p.seed)
        idx, labels, names = select_items(self.name, targets, split, names, p)
        n_train = len(images[0])  # idx is sorted: official train items first
        x = np.concatenate([images[0][idx[idx < n_train]], images[1][idx[idx >= n_train] - n_train]])
        ids = [f"train/{i:05d}" if i < n_train else f"test/{i - n_train:05d}" for i in idx]
        return assemble(self.name, x.astype(np.float32) / 255.0, labels, split[idx], names, ids, [], "image")


def _mnist_like(folder: str) -> tuple[str, ...]:
    return tuple(f"{folder}/raw/{f}" for f in MNIST_FILES)


class MNIST(TorchvisionDataset):
    """MNIST handwritten digits (classes '0'..'9') via torchvision, from a local copy."""

    name = "mnist"
    # LeCun et al., MNIST: 60,000 train + 10,000 test, 28x28 grayscale.
    facts = DatasetFacts(70000, official_train=60000, image_shape=(1, 28, 28))
    tv_class = "MNIST"
    class_names = tuple(string.digits)
    layout = "<root>/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte (uncompressed)"
    required = _mnist_like("MNIST")

    class Params(TorchvisionParams):
        known_classes = tuple(string.digits)


FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


class FashionMNIST(TorchvisionDataset):
    """Fashion-MNIST (10 clothing classes) via torchvision, from a local copy."""

    name = "fashion-mnist"
    # Xiao et al. 2017, Fashion-MNIST: same layout as MNIST.
    facts = DatasetFacts(70000, official_train=60000, image_shape=(1, 28, 28))
    tv_class = "FashionMNIST"
    class_names = FASHION_CLASSES
    layout = "<root>/FashionMNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte (uncompressed)"
    required = _mnist_like("FashionMNIST")

    class Params(TorchvisionParams):
        known_classes = FASHION_CLASSES


KMNIST_CLASSES = ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo")


class KMNIST(TorchvisionDataset):
    """Kuzushiji-MNIST (10 hiragana classes) via torchvision, from a local copy."""

    name = "kmnist"
    # Clanuwat et al. 2018, KMNIST: same layout as MNIST.
    facts = DatasetFacts(70000, official_train=60000, image_shape=(1, 28, 28))
    tv_class = "KMNIST"
    class_names = KMNIST_CLASSES
    layout = "<root>/KMNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte (uncompressed)"
    required = _mnist_like("KMNIST")

    class Params(TorchvisionParams):
        known_classes = KMNIST_CLASSES


class EMNISTLetters(TorchvisionDataset):
    """EMNIST letters (26 classes 'a'..'z', upright) via torchvision, from a local copy."""

    name = "emnist-letters"
    # Cohen et al. 2017, EMNIST letters: 124,800 train + 20,800 test, 28x28.
    facts = DatasetFacts(145600, official_train=124800, image_shape=(1, 28, 28))
    tv_class = "EMNIST"
    tv_kwargs = {"split": "letters"}
    label_offset = 1
    class_names = tuple(string.ascii_lowercase)
    layout = "<root>/EMNIST/raw/emnist-letters-{train,test}-{images-idx3,labels-idx1}-ubyte (uncompressed)"
    required = tuple(
        f"EMNIST/raw/emnist-letters-{s}-{k}-ubyte"
        for s in ("train", "test")
        for k in ("images-idx3", "labels-idx1")
    )

    class Params(TorchvisionParams):
        known_classes = tuple(string.ascii_lowercase)

    def images(self, data: Any) -> np.ndarray:
        return super().images(data).transpose(0, 1, 3, 2)  # EMNIST stores images transposed


class CifarParams(TorchvisionParams):
    verify_checksums: bool = Field(
        True,
        description="Check every batch file against its official MD5 sum before reading (torchvision's "
        "integrity check); turn off only for a copy you made yourself.",
    )


class _Cifar(TorchvisionDataset):
    Params = CifarParams
    test_params = {"val_fraction": 0.25, "verify_checksums": False}

    def torchvision_class(self) -> type:
        cls = super().torchvision_class()
        if self.params.verify_checksums:
            return cls
        return type(
            f"Unverified{cls.__name__}",
            (cls,),
            {  # same reader, existence checks only
                "train_list": [[f, None] for f, _ in cls.train_list],
                "test_list": [[f, None] for f, _ in cls.test_list],
                "meta": {**cls.meta, "md5": None},
            },
        )

    def load(self) -> RawData:
        if self.params.verify_checksums:
            self._verify(self.require_root())
        return super().load()

    def _verify(self, root: Path) -> None:
        from torchvision.datasets.utils import check_integrity

        cls = super().torchvision_class()
        for name, md5 in [*cls.train_list, *cls.test_list, (cls.meta["filename"], cls.meta["md5"])]:
            path = root / cls.base_folder / name
            if not check_integrity(str(path), md5):
                raise DatasetError(
                    f"{self.name}: {path} fails its official MD5 check (corrupt or not the "
                    "official file; verify_checksums: false reads it anyway)"
                )


CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


class CIFAR10(_Cifar):
    """CIFAR-10 (10 classes, 32x32 RGB) via torchvision, from a local copy."""

    name = "cifar10"
    tv_class = "CIFAR10"
    layout = "<root>/cifar-10-batches-py/{data_batch_1..5,test_batch,batches.meta} (the python version)"
    required = tuple(
        f"cifar-10-batches-py/{f}"
        for f in (*(f"data_batch_{i}" for i in range(1, 6)), "test_batch", "batches.meta")
    )

    class Params(CifarParams):
        known_classes = CIFAR10_CLASSES


class CIFAR100(_Cifar):
    """CIFAR-100 (100 fine classes, 32x32 RGB) via torchvision, from a local copy."""

    name = "cifar100"
    # Krizhevsky 2009, CIFAR-100: 50,000 train + 10,000 test, 32x32 RGB.
    facts = DatasetFacts(60000, official_train=50000, image_shape=(3, 32, 32))
    tv_class = "CIFAR100"
    layout = "<root>/cifar-100-python/{train,test,meta} (the python version)"
    required = ("cifar-100-python/train", "cifar-100-python/test", "cifar-100-python/meta")
