"""Feature contract: a pure, deterministic map from raw examples to backbone inputs.

A feature plugin (the shared plugin contract is ``bench.core.plugin``) declares ``modality``
(the ``RawData.modality`` it accepts) and implements ``transform(data)``:

* input: a ``RawData`` of that modality; any other modality raises ``ValueError`` naming it;
* output: a float32 ``(N, C, H, W)`` array, one row per example of ``data.x`` in order, finite,
  computed in batches (never one Python call per example where a batched op exists);
* a pure function of ``params``, ``data`` and ``fitted``: the same input gives the same array.
  Features never look at labels; a feature that learns statistics (``image`` with
  ``normalize: train``) learns them from the training split only, so nothing leaks from test
  to training.

Learned statistics are explicit so that one new example (``python -m bench predict``) can be
transformed the way the dataset was: ``fit(data)`` returns them as a JSON-able dict (``{}`` for
a feature that learns nothing; ``fits`` says which), and ``transform(data, fitted)`` uses them
instead of fitting on ``data``'s own training split. ``transform(data)`` equals
``transform(data, fit(data))``; ``fit_transform`` returns both in one pass.
"""

from __future__ import annotations

import numpy as np

from bench.core.plugin import Plugin
from bench.data.base import RawData


class BaseFeature(Plugin):
    """A feature extractor (contract in the module docstring)."""

    modality: str = "audio"

    @property
    def fits(self) -> bool:
        """True when ``transform`` depends on statistics learned from the training split."""
        return False

    def fit(self, data: RawData) -> dict[str, list[float]]:
        """The statistics ``transform`` learns from ``data``'s training split (``{}`` by default)."""
        return {}

    def transform(self, data: RawData, fitted: dict[str, list[float]] | None = None) -> np.ndarray:
        raise NotImplementedError

    def fit_transform(self, data: RawData) -> tuple[np.ndarray, dict[str, list[float]]]:
        """``(transform(data), fit(data))``; plugins that can share the work override it."""
        return self.transform(data), self.fit(data)
