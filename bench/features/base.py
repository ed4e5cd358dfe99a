"""Feature contract: a pure, deterministic map from raw examples to backbone inputs.

A feature plugin (the shared plugin contract is ``bench.core.plugin``) declares ``modality``
(the ``RawData.modality`` it accepts) and implements ``transform(data)``:

* input: a ``RawData`` of that modality; any other modality raises ``ValueError`` naming it;
* output: a float32 ``(N, C, H, W)`` array, one row per example of ``data.x`` in order, finite,
  computed in batches (never one Python call per example where a batched op exists);
* a pure function of ``params`` and ``data``: the same input gives the same array, whatever the
  split (features never look at labels or splits, so nothing leaks from test to training).
"""

from __future__ import annotations

import numpy as np

from bench.core.plugin import Plugin
from bench.data.base import RawData


class BaseFeature(Plugin):
    """A feature extractor (contract in the module docstring)."""

    modality: str = "audio"

    def transform(self, data: RawData) -> np.ndarray:
        raise NotImplementedError
