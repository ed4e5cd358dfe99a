"""Power of the paired unit-level t-test (``bench.stats.paired``): power, MDE, units needed.

The test compares the mean of ``n`` unit deltas (treatment − control accuracy of one seed, or one
(fold, seed) pair) with 0, two-sided at level ``alpha``. With unit deltas of standard deviation
``sd``, a true mean ``effect`` gives the statistic a noncentral t distribution with ``n - 1`` degrees
of freedom and noncentrality ``effect * sqrt(n) / sd``; power is the probability that it falls
beyond the critical value on either side. Below ``MIN_UNITS`` units the rule never decides (the
verdict is "too few units"), so its power there is 0.

Effects and spreads share one scale (accuracy fractions: 0.02 is 2 percentage points). Results are
plain floats; a spread that is NaN (fewer than two units) gives NaN.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import optimize
from scipy import stats as sps

__all__ = ["ALPHA", "MIN_UNITS", "POWER", "MAX_UNITS", "mde", "power", "units_needed"]

ALPHA = 0.05
"""Two-sided level of one comparison (before any multiplicity correction)."""
POWER = 0.80
"""Target power of ``mde`` and ``units_needed``."""
MIN_UNITS = 5
"""Fewest units on which the paired test decides; fewer gives the verdict "too few units"."""
MAX_UNITS = 100_000
"""``units_needed`` searches up to this many units and returns ``inf`` beyond."""


def power(effect: float, sd: float, n: int, alpha: float = ALPHA) -> float:
    """Probability that ``n`` unit deltas of spread ``sd`` and true mean ``effect`` reject Δ = 0.

    0 below ``MIN_UNITS`` units; with ``sd == 0`` it is 1 for any non-zero effect (and ``alpha``
    for none)."""
    return float(_power(abs(effect), sd, np.asarray([n]), alpha)[0])


def _power(effect: float, sd: float, n: np.ndarray, alpha: float) -> np.ndarray:
    n = np.asarray(n, dtype=float)
    if math.isnan(sd):
        return np.full(n.shape, math.nan)
    if sd == 0:
        return np.where(n >= MIN_UNITS, 1.0 if effect > 0 else alpha, 0.0)
    df = np.maximum(n - 1, 1)
    crit = sps.t.ppf(1 - alpha / 2, df)
    nc = effect * np.sqrt(n) / sd
    # scipy's noncentral t gives NaN far in a tail (nc >= 0 here): the far side adds 0, the near side 1
    upper = np.nan_to_num(sps.nct.sf(crit, df, nc), nan=1.0)
    out = np.minimum(1.0, upper + np.nan_to_num(sps.nct.cdf(-crit, df, nc), nan=0.0))
    return np.where(n >= MIN_UNITS, out, 0.0)


def mde(sd: float, n: int, alpha: float = ALPHA, target: float = POWER) -> float:
    """Smallest |Δ| the test detects with probability ``target`` from ``n`` units of spread ``sd``.

    ``inf`` below ``MIN_UNITS`` units (nothing is detectable); 0 when ``sd == 0``; NaN when ``sd`` is."""
    if n < MIN_UNITS:
        return math.inf
    if math.isnan(sd):
        return math.nan
    if sd == 0:
        return 0.0
    return sd * _mde_in_sds(n, alpha, target)


@functools.lru_cache(maxsize=1024)
def _mde_in_sds(n: int, alpha: float, target: float) -> float:
    """``mde`` in units of the spread. Power depends on the effect only through ``effect / sd``, so
    the MDE is ``sd`` times the root of ``power(u, 1, n) = target``: found once per ``(n, alpha,
    target)`` by the same bracketed search (``brentq`` on 0-5 sd, tolerance 1e-6 sd; power at 5 sd
    exceeds 0.99 from ``MIN_UNITS`` units on)."""
    return float(optimize.brentq(lambda u: power(u, 1.0, n, alpha) - target, 0.0, 5.0, xtol=1e-6))


def units_needed(effect: float, sd: float, alpha: float = ALPHA, target: float = POWER) -> float:
    """Fewest units (at least ``MIN_UNITS``) with power ``target`` against |Δ| = ``effect`` at spread ``sd``.

    ``MIN_UNITS`` when ``sd == 0``; ``inf`` beyond ``MAX_UNITS`` or for a zero effect; NaN when
    ``sd`` is NaN."""
    if math.isnan(sd):
        return math.nan
    if effect == 0:
        return math.inf
    n, step = MIN_UNITS, 64
    while n <= MAX_UNITS:
        block = np.arange(n, min(n + step, MAX_UNITS + 1))
        hit = np.flatnonzero(_power(abs(effect), sd, block, alpha) >= target)
        if hit.size:
            return int(block[hit[0]])
        n, step = int(block[-1]) + 1, step * 4
    return math.inf
