"""The paired accuracy test of qhead-bench: treatment vs control over units (seeds or (fold, seed) pairs).

Method (``docs/statistics.md`` gives the reasons and references): each *unit* is one independent
training of both sides (a seed, or a (fold, seed) pair); its *delta* is treatment − control test
accuracy. Accuracy already averages a unit's test items, so items repeated across seeds and each
trained model's own accuracy shift are inside the unit delta's spread, and units are independent.
The test is Student's t on the unit deltas (two-sided), the interval its t interval, ``p_better``
the posterior probability that the mean delta is positive under the reference prior (the t
distribution of the mean given the deltas). With fewer than ``MIN_UNITS`` units the verdict is
"too few units" whatever the p-value. Multiplicity correction across several comparisons is the
caller's job (``adjusted``).

``unit_tests`` is the vectorised core (any number of studies at once); ``paired_comparison`` runs it
on one comparison and adds the power figures. The calibration benchmark (``bench.stats.calibration``)
measures this very core.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from bench.stats.basics import paired_deltas
from bench.stats.power import ALPHA, MIN_UNITS, mde, units_needed

__all__ = [
    "BETTER",
    "NO_DIFFERENCE",
    "PLANNING_EFFECT",
    "TOO_FEW",
    "VERDICTS",
    "WORSE",
    "PairedComparison",
    "UnitTests",
    "adjusted",
    "paired_comparison",
    "unit_tests",
]

BETTER, WORSE, NO_DIFFERENCE, TOO_FEW = "better", "worse", "no significant difference", "too few units"
VERDICTS = (BETTER, NO_DIFFERENCE, WORSE, TOO_FEW)
PLANNING_EFFECT = 0.02
"""The effect (2 percentage points) "too few units" verdicts name the units needed for."""

Items = Mapping[Hashable, tuple[Sequence[int], Sequence[int], Sequence[int]]]
"""unit -> (treatment predictions, control predictions, labels) on that unit's test items."""


@dataclass(frozen=True)
class UnitTests:
    """``unit_tests``'s answer: arrays over the leading axes of its input (one entry per study)."""

    n: int
    delta: np.ndarray
    sd: np.ndarray
    low: np.ndarray
    high: np.ndarray
    p: np.ndarray
    p_better: np.ndarray
    verdict: np.ndarray  # of str, one of VERDICTS


def unit_tests(deltas: np.ndarray, alpha: float = ALPHA) -> UnitTests:
    """The paired test on ``deltas`` of shape ``(..., n)`` (the last axis holds one study's unit deltas).

    With ``n < 2`` every interval and p is NaN; a zero spread gives p = 0 (or 1 for a zero mean)."""
    d = np.asarray(deltas, dtype=float)
    n = d.shape[-1]
    mean = d.mean(axis=-1) if n else np.full(d.shape[:-1], math.nan)
    if n < 2:
        nan = np.full(mean.shape, math.nan)
        verdict = np.full(mean.shape, TOO_FEW, dtype=object)
        return UnitTests(n, mean, nan, nan, nan, nan, nan, verdict)
    sd = d.std(axis=-1, ddof=1)
    se = sd / math.sqrt(n)
    half = _t_critical(alpha, n - 1) * se
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, mean / np.where(se > 0, se, 1.0), np.sign(mean) * np.inf)
    t = np.where((se == 0) & (mean == 0), 0.0, t)
    p = 2 * sps.t.sf(np.abs(t), n - 1)
    p_better = np.where((se == 0) & (mean == 0), 0.5, sps.t.cdf(t, n - 1))
    return UnitTests(n, mean, sd, mean - half, mean + half, p, p_better, decide(mean, p, n, alpha))


@functools.lru_cache(maxsize=1024)
def _t_critical(alpha: float, df: int) -> float:
    """The two-sided ``alpha`` critical value of Student's t with ``df`` degrees of freedom."""
    return float(sps.t.ppf(1 - alpha / 2, df))


def decide(delta: np.ndarray, p: np.ndarray, n: int, alpha: float = ALPHA) -> np.ndarray:
    """Verdicts (object array of ``VERDICTS``) of studies with mean deltas ``delta`` and p-values ``p``."""
    delta, p = np.asarray(delta, dtype=float), np.asarray(p, dtype=float)
    out = np.full(np.broadcast(delta, p).shape, NO_DIFFERENCE, dtype=object)
    significant = p < alpha
    out[significant & (delta > 0)] = BETTER
    out[significant & (delta < 0)] = WORSE
    if n < MIN_UNITS:
        out[...] = TOO_FEW
    return out


@dataclass(frozen=True)
class PairedComparison:
    """One treatment-vs-control comparison over paired units (see the module docstring).

    Accuracies and deltas are fractions (0.02 = 2 percentage points). ``low``/``high``: the
    ``1 - alpha`` t interval of the mean delta (NaN with fewer than two units). ``p``: two-sided p
    of "mean delta = 0"; ``p_adjusted`` the multiplicity-corrected one the verdict used (``p``
    unless ``adjusted`` set it). ``mde``: the smallest |Δ| this many units of this spread detect
    with 80 % power at ``alpha`` (``inf`` with too few units). ``needed``: units needed for 80 %
    power against ``PLANNING_EFFECT`` at the observed spread (``MIN_UNITS`` when the spread is
    0; NaN with fewer than two units). ``unit``: "seed" when units are seeds, else "fold × seed"."""

    n_units: int
    delta: float
    low: float
    high: float
    p: float
    verdict: str
    mde: float
    p_better: float
    sd: float
    needed: float
    treatment_mean: float
    control_mean: float
    alpha: float = ALPHA
    p_adjusted: float = math.nan
    unit: str = "seed"
    n_items: int = 0

    def explanation(self) -> str:
        """The verdict in words: when the data cannot decide, and what "no difference" could have seen."""
        units = f"{self.unit}s" if self.unit == "seed" else f"{self.unit} units"
        if self.verdict == TOO_FEW:
            need = MIN_UNITS if math.isnan(self.needed) else self.needed
            need_text = "more than 100,000" if math.isinf(need) else f"{max(int(need), MIN_UNITS)}"
            return (
                f"too few {units} to conclude ({self.n_units}): at least {need_text} needed "
                f"for a {PLANNING_EFFECT * 100:g} pp effect"
            )
        if self.verdict == NO_DIFFERENCE:
            return f"no significant difference (could have detected |Δ| ≥ {self.mde * 100:.1f} pp)"
        return self.verdict


def paired_comparison(
    treatment: Mapping[Hashable, float],
    control: Mapping[Hashable, float],
    items: Items | None = None,
    *,
    alpha: float = ALPHA,
    power_figures: bool = True,
) -> PairedComparison:
    """Compare ``treatment`` with ``control``: each maps a unit (a seed, or a (fold, seed) pair) to a
    test accuracy in [0, 1]; units present on both sides (and not NaN) are paired.

    ``items`` (optional) maps units to ``(treatment_predictions, control_predictions, labels)``:
    each paired unit's accuracies must then equal the share of correct predictions (to 1e-9), else
    ``ValueError``; ``n_items`` counts the test items of the paired units. The items are checked,
    not resampled: the unit deltas already carry item noise, and a second, item-level layer of
    resampling would count the same items repeated across seeds as new evidence.

    ``power_figures=False`` leaves ``mde`` and ``needed`` NaN (a caller that reads only the verdict, Δ and
    interval, such as the trends page's step test, skips their root finding); every other field
    is the same.
    """
    deltas = paired_deltas(treatment, control)
    units = list(deltas)
    n_items = _check_items(items, units, treatment, control) if items is not None else 0
    res = unit_tests(np.asarray([list(deltas.values())]), alpha)
    sd = float(res.sd[0])
    return PairedComparison(
        n_units=len(units),
        delta=float(res.delta[0]),
        low=float(res.low[0]),
        high=float(res.high[0]),
        p=float(res.p[0]),
        verdict=str(res.verdict[0]),
        mde=mde(sd, len(units), alpha) if power_figures else math.nan,
        p_better=float(res.p_better[0]),
        sd=sd,
        needed=units_needed(PLANNING_EFFECT, sd, alpha) if power_figures else math.nan,
        treatment_mean=_mean(treatment[u] for u in units),
        control_mean=_mean(control[u] for u in units),
        alpha=alpha,
        p_adjusted=float(res.p[0]),
        unit="fold × seed" if units and all(isinstance(u, tuple) for u in units) else "seed",
        n_items=n_items,
    )


def adjusted(result: PairedComparison, p_adjusted: float) -> PairedComparison:
    """``result`` with a multiplicity-corrected p (e.g. Holm's across a report) and the verdict it gives."""
    if result.verdict == TOO_FEW or math.isnan(p_adjusted):
        return dataclasses.replace(result, p_adjusted=p_adjusted)
    verdict = str(decide(np.asarray(result.delta), np.asarray(p_adjusted), result.n_units, result.alpha)[()])
    return dataclasses.replace(result, p_adjusted=p_adjusted, verdict=verdict)


def _mean(values) -> float:
    x = [float(v) for v in values]
    return float(np.mean(x)) if x else math.nan


def _check_items(items: Items, units: list, treatment: Mapping, control: Mapping) -> int:
    total = 0
    for u in units:
        if u not in items:
            raise ValueError(f"items: no predictions for unit {u!r}")
        tp, cp, y = (np.asarray(v) for v in items[u])
        if not (tp.shape == cp.shape == y.shape) or y.ndim != 1 or y.size == 0:
            raise ValueError(f"items[{u!r}]: predictions and labels must be equal-length 1-d arrays")
        for side, pred, acc in (("treatment", tp, treatment[u]), ("control", cp, control[u])):
            if abs(float(np.mean(pred == y)) - float(acc)) > 1e-9:
                raise ValueError(
                    f"items[{u!r}]: the {side} accuracy {float(acc):.6f} is not the share of correct "
                    f"predictions ({float(np.mean(pred == y)):.6f})"
                )
        total += y.size
    return total
