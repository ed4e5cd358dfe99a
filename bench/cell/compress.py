"""Compression of backbone embeddings to ``n_qubits`` bounded angles, fitted on train only.

``fit_compressor`` learns (optional) standardisation, PCA and a min-max map into the suite's
angle range from the training split; ``transform`` applies the same map to any split and clips
values that fall outside the training range, so val/test never leak into the fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.spec.suite import CompressionSpec


@dataclass
class Compressor:
    mean: np.ndarray
    scale: np.ndarray
    components: np.ndarray  # (n_components, dim)
    low: np.ndarray
    high: np.ndarray
    angle_range: tuple[float, float]

    def transform(self, embeddings: np.ndarray) -> np.ndarray:
        """``(N, dim)`` embeddings -> ``(N, n_components)`` float64 angles inside ``angle_range``."""
        z = ((embeddings.astype(np.float64) - self.mean) / self.scale) @ self.components.T
        unit = np.clip((z - self.low) / (self.high - self.low), 0.0, 1.0)
        lo, hi = self.angle_range
        return lo + unit * (hi - lo)


def fit_compressor(train: np.ndarray, n_components: int, spec: CompressionSpec) -> Compressor:
    """Fit on the training embeddings. Raises ``ValueError`` if ``n_components`` is too large."""
    train = train.astype(np.float64)
    n, dim = train.shape
    if n_components > min(n, dim):
        raise ValueError(
            f"cannot compress {dim}-d embeddings of {n} training examples to {n_components} features "
            f"(at most {min(n, dim)}); lower the qubit count or raise the backbone's embedding_dim"
        )
    mean = train.mean(axis=0)
    scale = train.std(axis=0) if spec.standardize else np.ones(dim)
    scale = np.where(scale > 1e-12, scale, 1.0)
    centred = (train - mean) / scale
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:n_components]
    # fix the sign of each component so the fit is deterministic across LAPACK builds
    signs = np.sign(components[np.arange(n_components), np.abs(components).argmax(axis=1)])
    components = components * signs[:, None]
    z = centred @ components.T
    low, high = z.min(axis=0), z.max(axis=0)
    high = np.where(high - low > 1e-12, high, low + 1.0)
    return Compressor(mean, scale, components, low, high, tuple(spec.angle_range))
