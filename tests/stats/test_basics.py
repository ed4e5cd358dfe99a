"""Known answers for bench.stats.basics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.stats import holm, mcnemar_p, mean_ci, paired_bootstrap_ci, paired_deltas

T_975_DF2 = 4.302652729911275  # Student t, 97.5th percentile, 2 degrees of freedom


def test_mean_ci_known_answer():
    mean, hw = mean_ci([1.0, 2.0, 3.0])
    assert mean == pytest.approx(2.0)
    assert hw == pytest.approx(T_975_DF2 * 1.0 / math.sqrt(3))


def test_mean_ci_other_confidence_and_nans():
    mean, hw = mean_ci([1.0, float("nan"), 3.0], confidence=0.90)
    assert mean == pytest.approx(2.0)
    # t_{0.95, 1} = 6.313751514675; s = sqrt(2); n = 2
    assert hw == pytest.approx(6.313751514675043 * math.sqrt(2) / math.sqrt(2))


def test_mean_ci_small_n():
    mean, hw = mean_ci([0.7])
    assert mean == pytest.approx(0.7) and math.isnan(hw)
    mean, hw = mean_ci([])
    assert math.isnan(mean) and math.isnan(hw)
    with pytest.raises(ValueError):
        mean_ci([1, 2], confidence=95)


def test_paired_deltas_pairs_by_key_not_position():
    treatment = {1: 0.7, 0: 0.6, 2: 0.8}
    control = {2: 0.5, 0: 0.5, 3: 0.1}
    deltas = paired_deltas(treatment, control)
    assert list(deltas) == [0, 2]
    assert deltas[0] == pytest.approx(0.1) and deltas[2] == pytest.approx(0.3)


def test_paired_deltas_drops_nan_pairs():
    assert paired_deltas({0: float("nan"), 1: 0.5}, {0: 0.4, 1: 0.4}) == pytest.approx({1: 0.1})


def test_bootstrap_constant_difference_is_degenerate():
    mean, lo, hi = paired_bootstrap_ci([0.8, 0.7, 0.6], [0.7, 0.6, 0.5], n_boot=500)
    assert mean == pytest.approx(0.1) and lo == pytest.approx(0.1) and hi == pytest.approx(0.1)


def test_bootstrap_matches_normal_approximation_and_is_deterministic():
    rng = np.random.default_rng(1)
    b = rng.normal(size=400)
    a = b + 0.5 + rng.normal(scale=1.0, size=400)
    mean, lo, hi = paired_bootstrap_ci(a, b, n_boot=4000, seed=3)
    d = a - b
    se = d.std(ddof=1) / math.sqrt(d.size)
    assert mean == pytest.approx(d.mean())
    assert lo == pytest.approx(d.mean() - 1.96 * se, abs=0.25 * se)
    assert hi == pytest.approx(d.mean() + 1.96 * se, abs=0.25 * se)
    assert paired_bootstrap_ci(a, b, n_boot=4000, seed=3) == (mean, lo, hi)


def test_bootstrap_edge_cases():
    mean, lo, hi = paired_bootstrap_ci([0.9], [0.8])
    assert mean == pytest.approx(0.1) and math.isnan(lo) and math.isnan(hi)
    with pytest.raises(ValueError):
        paired_bootstrap_ci([1, 2], [1])


def _preds(n01: int, n10: int, n_same: int = 10) -> tuple[list[int], list[int], list[int]]:
    """A right/B wrong n01 times, A wrong/B right n10 times, both right n_same times."""
    labels = [1] * (n01 + n10 + n_same)
    pred_a = [1] * n01 + [0] * n10 + [1] * n_same
    pred_b = [0] * n01 + [1] * n10 + [1] * n_same
    return pred_a, pred_b, labels


def test_mcnemar_exact_known_answer():
    # n = 6 discordant, min = 1: p = 2 * (C(6,0) + C(6,1)) / 2^6 = 14 / 64
    assert mcnemar_p(*_preds(1, 5)) == pytest.approx(14 / 64)
    assert mcnemar_p(*_preds(3, 3)) == pytest.approx(1.0)


def test_mcnemar_chi_square_known_answer():
    # (|10 - 30| - 1)^2 / 40 = 9.025; chi-square(1) survival = erfc(sqrt(x / 2))
    assert mcnemar_p(*_preds(10, 30)) == pytest.approx(math.erfc(math.sqrt(9.025 / 2)))


def test_mcnemar_no_discordance():
    assert mcnemar_p([0, 1], [0, 1], [0, 0]) == 1.0


def test_holm_known_answers():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert holm([0.02, 0.03]) == pytest.approx([0.04, 0.04])
    out = holm([0.01, float("nan"), 0.04])
    assert out[0] == pytest.approx(0.02) and math.isnan(out[1]) and out[2] == pytest.approx(0.04)
    assert holm([]) == []
