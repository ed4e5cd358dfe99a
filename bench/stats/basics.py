"""Small, pure statistics for the report: confidence intervals, paired deltas and tests.

Contract shared by every function here:
- inputs are plain sequences (lists, tuples, numpy arrays); nothing is modified in place;
- results are plain Python floats (or dicts/lists of them), never numpy scalars;
- "not enough data" is ``nan``, never an exception and never a made-up number.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
from scipy import stats as sps

__all__ = ["holm", "mcnemar_p", "mean_ci", "paired_bootstrap_ci", "paired_deltas"]


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float]:
    """Mean and Student-t confidence half-width of ``values``.

    NaNs are dropped first. Returns ``(mean, half_width)`` where
    ``half_width = t_{(1+confidence)/2, n-1} * s / sqrt(n)`` with the sample standard deviation
    ``s`` (ddof=1). With one value the half-width is ``nan`` (no interval can be claimed);
    with none both are ``nan``.
    """
    _check_confidence(confidence)
    x = _finite(values)
    n = x.size
    if n == 0:
        return math.nan, math.nan
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan
    sem = float(x.std(ddof=1)) / math.sqrt(n)
    t = float(sps.t.ppf((1.0 + confidence) / 2.0, df=n - 1))
    return mean, t * sem


def paired_deltas(
    treatment: Mapping[Hashable, float], control: Mapping[Hashable, float]
) -> dict[Hashable, float]:
    """``treatment[k] - control[k]`` for every pairing key ``k`` (the seed) present in both.

    Keys present in only one mapping are left out, as are pairs where either value is NaN.
    The result is ordered by key (sorted when the keys are sortable, else treatment order).
    """
    common = [k for k in treatment if k in control]
    with contextlib.suppress(TypeError):  # unsortable keys keep treatment order
        common = sorted(common)
    out: dict[Hashable, float] = {}
    for k in common:
        a, b = float(treatment[k]), float(control[k])
        if not (math.isnan(a) or math.isnan(b)):
            out[k] = a - b
    return out


def paired_bootstrap_ci(
    a: Sequence[float],
    b: Sequence[float],
    n_boot: int = 10_000,
    seed: int = 0,
    confidence: float = 0.95,
    expand: bool = False,
) -> tuple[float, float, float]:
    """Percentile bootstrap CI for ``mean(a - b)``, resampling pairs (``a[i]``, ``b[i]`` share a seed).

    ``a`` and ``b`` must have equal length and be aligned by seed. Returns
    ``(mean_difference, low, high)``; deterministic for a given ``seed``. With fewer than two
    pairs the interval is ``(nan, nan)``: a bootstrap of one pair is not an interval.

    ``expand=True`` applies the small-sample expansion of the percentile interval (Hesterberg,
    "What teachers should know about the bootstrap", 2015): the percentiles are taken at
    ``alpha' / 2`` with ``alpha' = 2 Phi(-sqrt(n / (n - 1)) t_{1 - alpha/2, n-1})``, which widens
    the too-narrow plain percentile interval of few pairs (measured coverage of a nominal 95 %
    interval on normal data: 84 % plain vs 91 % expanded with 5 pairs, 89 % vs 95 % with 10).
    """
    _check_confidence(confidence)
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if xa.shape != xb.shape or xa.ndim != 1:
        raise ValueError(f"a and b must be 1-d and aligned, got shapes {xa.shape} and {xb.shape}")
    d = xa - xb
    if d.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(d.mean())
    if d.size < 2:
        return mean, math.nan, math.nan
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, d.size, size=(n_boot, d.size))
    boot_means = d[idx].mean(axis=1)
    alpha = 1.0 - confidence
    if expand:
        n = d.size
        alpha = 2.0 * float(sps.norm.cdf(-math.sqrt(n / (n - 1)) * sps.t.ppf(1.0 - alpha / 2.0, df=n - 1)))
    low, high = np.quantile(boot_means, [alpha / 2.0, 1.0 - alpha / 2.0])
    return mean, float(low), float(high)


def mcnemar_p(
    pred_a: Sequence[int],
    pred_b: Sequence[int],
    labels: Sequence[int],
    exact_below: int = 25,
) -> float:
    """Two-sided McNemar p-value for "classifiers A and B have the same error rate".

    Only discordant examples count: ``n01`` = A right and B wrong, ``n10`` = A wrong and B right.
    If ``n01 + n10 < exact_below`` the exact binomial test is used
    (``p = min(1, 2 * P[Bin(n, 1/2) <= min(n01, n10)])``); otherwise the chi-square statistic
    with continuity correction ``(|n01 - n10| - 1)^2 / (n01 + n10)`` on 1 degree of freedom.
    No discordant pairs gives ``p = 1``.
    """
    pa, pb, y = (np.asarray(v) for v in (pred_a, pred_b, labels))
    if not (pa.shape == pb.shape == y.shape):
        raise ValueError(f"pred_a, pred_b and labels must align, got {pa.shape}, {pb.shape}, {y.shape}")
    right_a, right_b = pa == y, pb == y
    n01 = int(np.sum(right_a & ~right_b))
    n10 = int(np.sum(~right_a & right_b))
    n = n01 + n10
    if n == 0:
        return 1.0
    if n < exact_below:
        return float(min(1.0, 2.0 * sps.binom.cdf(min(n01, n10), n, 0.5)))
    statistic = (abs(n01 - n10) - 1.0) ** 2 / n
    return float(sps.chi2.sf(statistic, df=1))


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values, in the input order.

    With ``m`` finite p-values sorted ascending, ``adj_(i) = max_{j<=i} min(1, (m - j + 1) p_(j))``.
    NaN inputs stay NaN and do not count towards ``m``.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, math.nan)
    finite = np.flatnonzero(~np.isnan(p))
    m = finite.size
    if m == 0:
        return out.tolist()
    order = finite[np.argsort(p[finite], kind="stable")]
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(scaled)
    return out.tolist()


def _finite(values: Sequence[float]) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    return x[~np.isnan(x)]


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
