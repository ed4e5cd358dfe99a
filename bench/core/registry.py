"""Lazy plugin registries.

Entries are ``"module:attr"`` strings, imported on first use, so listing names or validating
a suite never imports torch, PennyLane or Qiskit. An unknown name raises ``KeyError`` whose
message lists the valid names with a "did you mean" (see ``bench.core.errors``).
"""

from __future__ import annotations

import importlib
from typing import Any

from bench.core.errors import unknown_name_message


class Registry:
    """A named set of plugins of one kind (datasets, heads, ...)."""

    def __init__(self, kind: str, entries: dict[str, str]):
        self.kind = kind
        self._entries = dict(entries)
        self._loaded: dict[str, Any] = {}

    def names(self) -> list[str]:
        """All registered names, sorted."""
        return sorted(self._entries)

    def in_order(self) -> list[str]:
        """All registered names in registration order (for kinds whose order means something)."""
        return list(self._entries)

    def module_of(self, name: str) -> str:
        """The module that holds ``name``'s plugin, without importing it."""
        self.check(name)
        return self._entries[name].split(":")[0]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def check(self, name: str) -> None:
        """Raise ``KeyError`` with the allowed names when ``name`` is not registered."""
        if name not in self._entries:
            raise KeyError(unknown_name_message(self.kind, name, self._entries))

    def get(self, name: str) -> Any:
        """Import and return the plugin registered under ``name``."""
        self.check(name)
        if name not in self._loaded:
            module, attr = self._entries[name].split(":")
            self._loaded[name] = getattr(importlib.import_module(module), attr)
        return self._loaded[name]

    def register(self, name: str, target: str) -> None:
        """Add (or replace) an entry; ``target`` is ``"module:attr"``."""
        self._entries[name] = target
        self._loaded.pop(name, None)

    def unregister(self, name: str) -> None:
        """Remove an entry (no error if absent); the inverse of ``register``."""
        self._entries.pop(name, None)
        self._loaded.pop(name, None)


DATASETS = Registry(
    "dataset",
    {
        "urban-synth": "bench.data.urban_synth:UrbanSynth",
        "urbansound8k": "bench.data.urbansound8k:UrbanSound8K",
        "esc50": "bench.data.esc50:ESC50",
        "gtzan": "bench.data.gtzan:GTZAN",
        "crema-d": "bench.data.crema_d:CremaD",
        "audio-folder": "bench.data.audio_folder:AudioFolder",
        "mnist": "bench.data.torchvision_sets:MNIST",
        "fashion-mnist": "bench.data.torchvision_sets:FashionMNIST",
        "kmnist": "bench.data.torchvision_sets:KMNIST",
        "emnist-letters": "bench.data.torchvision_sets:EMNISTLetters",
        "cifar10": "bench.data.torchvision_sets:CIFAR10",
        "cifar100": "bench.data.torchvision_sets:CIFAR100",
        "image-folder": "bench.data.image_folder:ImageFolder",
        "digits": "bench.data.digits:Digits",
    },
)

FEATURES = Registry(
    "feature",
    {
        "logmel": "bench.features.logmel:LogMel",
        "image": "bench.features.image:ImageFeature",
        "image-qchannels": "bench.features.qchannels:QuantumChannels",
    },
)

BACKBONES = Registry(
    "backbone",
    {
        "small-cnn": "bench.backbones.small_cnn:SmallAudioCNN",
        "big-audio-cnn": "bench.backbones.big_audio_cnn:BigAudioCNN",
        "qccnn": "bench.backbones.qccnn:QCCNN",
        "resnet18": "bench.backbones.resnet:ResNet18",
        "resnet34": "bench.backbones.resnet:ResNet34",
    },
)

HEADS = Registry(
    "head",
    {
        "classical": "bench.heads.classical:ClassicalHead",
        "quantum": "bench.heads.quantum:QuantumHead",
        "hybrid-fixed": "bench.heads.hybrid:HybridFixedHead",
        "hybrid-gated": "bench.heads.hybrid:HybridGatedHead",
        "matched-mlp": "bench.heads.matched:MatchedMLPHead",
    },
)

CONTROLS = Registry(
    "control kind",
    {
        "matched-mlp": "bench.controls.matched_mlp:MATCHED_MLP",
        "no-entanglement": "bench.controls.no_entanglement:NO_ENTANGLEMENT",
        "tanh-linear": "bench.controls.tanh_linear:TANH_LINEAR",
        "beta-zero": "bench.controls.beta_zero:BETA_ZERO",
        "frozen-circuit": "bench.controls.frozen_circuit:FROZEN_CIRCUIT",
    },
)
"""Matched-control kinds (``bench.controls.base.ControlKind``), in the order suites, tables and figures
use."""

SIMULATORS = Registry(
    "backend",
    {
        "default.qubit": "bench.quantum.pennylane.simulators:DEFAULT_QUBIT",
        "lightning.qubit": "bench.quantum.pennylane.simulators:LIGHTNING_QUBIT",
        "lightning.gpu": "bench.quantum.pennylane.simulators:LIGHTNING_GPU",
        "lightning.kokkos": "bench.quantum.pennylane.simulators:LIGHTNING_KOKKOS",
        "torch.statevector": "bench.quantum.torch.sim:TORCH_STATEVECTOR",
    },
)

EXECUTORS = Registry(
    "executor",
    {
        "sequential": "bench.run.executors:SequentialExecutor",
        "process": "bench.run.executors:ProcessPoolExecutor",
        "dask": "bench.run.dask_executor:DaskExecutor",
    },
)
