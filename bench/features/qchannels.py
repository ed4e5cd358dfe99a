"""``image-qchannels``: images plus quantum feature-map channels (the CIFAR-100 source's 5-channel input).

Per image: the grayscale image (mean over channels, clipped to [0, 1]) is average-pooled to a
``grid x grid`` map; the map's ``grid**2`` values, row-major, are cut into windows of ``qubits``
values, and each window ``v`` is encoded as angles ``x = pi * v`` into a ZZ-feature-map-style
circuit repeated ``reps`` times - a Hadamard and ``RZ(2 x_i)`` on every wire, then
``IsingZZ(2 (pi - x_a)(pi - x_b))`` on every edge ``(a, b)`` of the entangler - followed by a
Hadamard on every wire and ``<Z_i>`` read out on each. The entangler's edges are

* ``ring``: ``(i, i + 1 mod n)`` - nearest neighbours in a closed chain;
* ``star``: ``(0, i)`` - wire 0 coupled to every other wire.

Each entangler yields one ``grid x grid`` descriptor map with values in [-1, 1], upsampled to
the image's size and appended as an extra channel after the ``base`` feature's channels: RGB
plus ``[ring, star]`` gives the source's 5 channels. The circuits are fixed (no trainable or
random parameters), so the map is a pure function of the image.

Batched, never per image: all windows of all images go through one broadcast QNode call on
``default.qubit`` per entangler and chunk of ``CHUNK`` windows. Caching comes from the features
stage (``bench.cell.embeddings``): the result is computed once per dataset x feature spec.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from bench.core.plugin import Params
from bench.data.base import RawData
from bench.features.base import BaseFeature

Entangler = Literal["ring", "star"]


def entangler_edges(kind: Entangler, n: int) -> list[tuple[int, int]]:
    """The coupled wire pairs of ``kind`` on ``n`` wires (no duplicates, no self-loops)."""
    if kind == "star":
        return [(0, i) for i in range(1, n)]
    if n <= 2:
        return [(0, 1)] if n == 2 else []
    return [(i, (i + 1) % n) for i in range(n)]


def descriptor_circuit(x, edges: list[tuple[int, int]], n: int, reps: int) -> list:
    """The feature-map circuit on angles ``x`` (``(n,)`` or broadcast ``(B, n)``); ``<Z_i>`` per wire."""
    import pennylane as qml

    for _ in range(reps):
        for i in range(n):
            qml.Hadamard(i)
            qml.RZ(2.0 * x[..., i], wires=i)
        for a, b in edges:
            qml.IsingZZ(2.0 * (math.pi - x[..., a]) * (math.pi - x[..., b]), wires=[a, b])
    for i in range(n):
        qml.Hadamard(i)
    return [qml.expval(qml.PauliZ(i)) for i in range(n)]


class QChannelParams(Params):
    base: dict[str, Any] | None = Field(
        None,
        description="Feature applied to the image first, as {name, params} (e.g. {name: image}); its output "
        "keeps its channels and sets the size the descriptor maps are upsampled to. None: the raw pixels.",
    )
    grid: int = Field(
        4, ge=1, le=16, description="Side of the grid the grayscale image is average-pooled to."
    )
    qubits: int = Field(
        4,
        ge=1,
        le=12,
        description="Qubits per circuit: the grid**2 values are cut into windows of this size.",
    )
    entanglers: list[Entangler] = Field(
        ["ring", "star"],
        min_length=1,
        description="Entangling patterns; one extra channel each, in this order.",
    )
    reps: int = Field(2, ge=1, le=8, description="Repetitions of the encoding + entangling block.")
    upsample: Literal["nearest", "bilinear"] = Field(
        "nearest", description="How a grid x grid descriptor map is resized to the image's height and width."
    )

    _base = field_validator("base")(classmethod(lambda cls, v: None if v is None else _resolve_base(v)))

    @model_validator(mode="after")
    def _check(self) -> QChannelParams:
        if (self.grid * self.grid) % self.qubits:
            raise ValueError(f"grid**2 ({self.grid**2}) must be a multiple of qubits ({self.qubits})")
        return self


def _resolve_base(base: dict[str, Any]) -> dict[str, Any]:
    from bench.core.registry import FEATURES

    unknown = set(base) - {"name", "params"}
    if "name" not in base or unknown:
        raise ValueError(f"base must be {{name, params}} (got keys {sorted(base)})")
    if base["name"] == QuantumChannels.name:
        raise ValueError(f"base cannot be {QuantumChannels.name} itself")
    try:
        plugin = FEATURES.get(base["name"])
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None
    params = plugin.Params(**(base.get("params") or {}))
    return {"name": base["name"], "params": params.model_dump(mode="json")}


class QuantumChannels(BaseFeature):
    """Images plus quantum feature-map channels (ring- and star-entangled circuits on a downsampled image)."""

    name = "image-qchannels"
    modality = "image"
    Params = QChannelParams
    test_params = {"grid": 2, "qubits": 2}

    CHUNK: ClassVar[int] = 4096
    """Windows per broadcast circuit call (bounds memory)."""

    def __init__(self, params: QChannelParams | None = None):
        super().__init__(params)
        self.circuit_calls = 0

    def downsampled(self, images: np.ndarray) -> np.ndarray:
        """``(N, C, H, W)`` images -> ``(N, grid * grid)`` grayscale averages in [0, 1]."""
        import torch
        import torch.nn.functional as F

        gray = torch.from_numpy(np.clip(images.mean(axis=1, dtype=np.float64), 0.0, 1.0))[:, None]
        return F.adaptive_avg_pool2d(gray, self.params.grid).reshape(len(images), -1).numpy()

    def descriptors(self, images: np.ndarray) -> np.ndarray:
        """``(N, len(entanglers), grid, grid)`` descriptor maps in [-1, 1]."""
        import pennylane as qml

        p = self.params
        angles = math.pi * self.downsampled(images).reshape(-1, p.qubits)
        device = qml.device("default.qubit", wires=p.qubits)
        maps = []
        for kind in p.entanglers:
            edges = entangler_edges(kind, p.qubits)
            qnode = qml.QNode(lambda x, e=edges: descriptor_circuit(x, e, p.qubits, p.reps), device)
            parts = []
            for start in range(0, len(angles), self.CHUNK):
                chunk = angles[start : start + self.CHUNK]
                out = np.stack([np.asarray(o, dtype=np.float64) for o in qnode(chunk)], axis=-1)
                parts.append(out.reshape(len(chunk), p.qubits))
                self.circuit_calls += 1
            values = np.concatenate(parts) if parts else np.zeros((0, p.qubits))
            maps.append(values.reshape(len(images), p.grid, p.grid))
        return np.stack(maps, axis=1) if len(images) else np.zeros((0, len(p.entanglers), p.grid, p.grid))

    def _base(self) -> BaseFeature | None:
        from bench.core.registry import FEATURES

        base = self.params.base
        return FEATURES.get(base["name"]).from_dict(base["params"]) if base else None

    @property
    def fits(self) -> bool:
        base = self._base()
        return base is not None and base.fits

    def fit(self, data: RawData) -> dict[str, list[float]]:
        """The base feature's statistics (the descriptor circuits learn nothing)."""
        base = self._base()
        return base.fit(data) if base is not None else {}

    def fit_transform(self, data: RawData) -> tuple[np.ndarray, dict[str, list[float]]]:
        fitted = self.fit(data)
        return self.transform(data, fitted), fitted

    def transform(self, data: RawData, fitted: dict[str, list[float]] | None = None) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        x = np.asarray(data.x)
        if data.modality != "image" or x.ndim != 4:
            raise ValueError(
                f"{self.name} needs images of shape (N, C, H, W), got modality {data.modality!r} "
                f"and shape {x.shape}"
            )
        base = self._base()
        body = base.transform(data, fitted) if base is not None else x.astype(np.float32)
        maps = torch.from_numpy(self.descriptors(x))
        mode = {"mode": "bilinear", "align_corners": False} if self.params.upsample == "bilinear" else {}
        extra = F.interpolate(maps, size=tuple(body.shape[2:]), **(mode or {"mode": "nearest"})).numpy()
        return np.concatenate([body, extra.astype(np.float32)], axis=1)
