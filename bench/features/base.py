"""Feature contract: a pure, deterministic map from raw examples to backbone inputs."""

from __future__ import annotations

import numpy as np

from bench.core.plugin import Plugin
from bench.data.base import RawData


class BaseFeature(Plugin):
    """A feature extractor. ``transform`` returns a float32 ``(N, C, H, W)`` array, computed
    in batches (never one Python call per clip where a batched op exists)."""

    modality: str = "audio"

    def transform(self, data: RawData) -> np.ndarray:
        raise NotImplementedError
