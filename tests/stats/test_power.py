"""Power, minimum detectable effect and units needed of the paired unit-level t-test, against simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.stats.paired import BETTER, unit_tests
from bench.stats.power import MIN_UNITS, mde, power, units_needed


def test_power_matches_a_simulation_of_the_test():
    rng = np.random.default_rng(3)
    effect, sd, n = 0.02, 0.03, 12
    deltas = rng.normal(effect, sd, size=(20_000, n))
    simulated = float(np.mean(unit_tests(deltas).verdict == BETTER))
    assert power(effect, sd, n) == pytest.approx(simulated, abs=0.015)


def test_mde_is_the_effect_with_80_percent_power():
    sd, n = 0.03, 10
    m = mde(sd, n)
    assert power(m, sd, n) == pytest.approx(0.8, abs=1e-4)
    assert mde(sd, 4 * n) < m / 1.8  # about 1/sqrt(n)


def test_too_few_units_detect_nothing():
    assert power(0.5, 0.01, MIN_UNITS - 1) == 0.0
    assert math.isinf(mde(0.01, MIN_UNITS - 1))


def test_units_needed_is_the_smallest_n_reaching_the_target():
    n = units_needed(0.02, 0.04)
    assert power(0.02, 0.04, n) >= 0.8 > power(0.02, 0.04, n - 1)
    assert units_needed(0.02, 0.0) == MIN_UNITS
    assert units_needed(0.05, 0.001) == MIN_UNITS
    assert math.isnan(units_needed(0.02, math.nan))
    assert math.isinf(units_needed(0.0, 0.02))


def _mde_by_brentq(sd: float, n: int, alpha: float = 0.05, target: float = 0.8) -> float:
    """The MDE as first written: a root search in the effect itself, for every call."""
    from scipy import optimize

    return float(optimize.brentq(lambda e: power(e, sd, n, alpha) - target, 0.0, sd * 5, xtol=sd * 1e-6))


@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_mde_scaled_from_one_root_per_n_equals_the_root_search_per_call(alpha):
    rng = np.random.default_rng(0)
    for sd in [1e-4, 3e-3, *rng.uniform(0.001, 0.2, size=6)]:
        for n in [MIN_UNITS, 6, 7, 10, 23, 50, 200]:
            assert mde(sd, n, alpha) == pytest.approx(_mde_by_brentq(sd, n, alpha), rel=1e-9, abs=0)
