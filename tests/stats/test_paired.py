"""bench.stats.paired_comparison: known answers, verdict rules, items, multiplicity adjustment."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from bench.stats import paired_comparison
from bench.stats.paired import NO_DIFFERENCE, TOO_FEW, VERDICTS, adjusted, unit_tests


def _study(deltas, base=0.8):
    control = {s: base for s in range(len(deltas))}
    treatment = {s: base + d for s, d in enumerate(deltas)}
    return treatment, control


def test_student_t_on_the_unit_deltas():
    deltas = [0.03, 0.01, 0.04, 0.02, 0.05, 0.00]
    res = paired_comparison(*_study(deltas))
    t = sps.ttest_1samp(deltas, 0.0)
    assert res.p == pytest.approx(t.pvalue)
    ci = t.confidence_interval(0.95)
    assert (res.low, res.high) == pytest.approx((ci.low, ci.high))
    assert res.delta == pytest.approx(np.mean(deltas)) and res.n_units == 6
    assert res.verdict == "better" and res.p_better == pytest.approx(1 - res.p / 2)
    assert res.verdict in VERDICTS and res.unit == "seed"


def test_worse_and_no_difference_state_what_could_be_seen():
    assert paired_comparison(*_study([-0.03, -0.02, -0.04, -0.03, -0.05])).verdict == "worse"
    res = paired_comparison(*_study([0.01, -0.01, 0.02, -0.02, 0.0]))
    assert res.verdict == NO_DIFFERENCE
    assert f"{res.mde * 100:.1f} pp" in res.explanation() and res.mde > abs(res.delta)


def test_too_few_units_never_decides_and_says_how_many_are_needed():
    res = paired_comparison(*_study([0.02, 0.02, 0.02]))  # identical deltas: a t-test would say p = 0
    assert res.verdict == TOO_FEW
    assert res.explanation() == "too few seeds to conclude (3): at least 5 needed for a 2 pp effect"
    noisy = paired_comparison(*_study([0.05, -0.04, 0.03]))
    assert (
        noisy.verdict == TOO_FEW and noisy.needed > 20 and f"at least {noisy.needed}" in noisy.explanation()
    )


def test_fold_seed_units_pair_by_their_key():
    t = {(f, s): 0.8 + 0.01 * f for f in range(2) for s in range(3)}
    c = {(f, s): 0.8 for f in range(2) for s in range(3)}
    c[(9, 9)] = 0.5  # unpaired: left out
    res = paired_comparison(t, c)
    assert res.n_units == 6 and res.unit == "fold × seed"
    assert "fold × seed units" in paired_comparison({(0, 0): 0.9}, {(0, 0): 0.8}).explanation()


def test_items_are_checked_against_the_accuracies():
    y = np.array([0, 1, 1, 0])
    items = {s: (y, np.array([0, 1, 0, 0]), y) for s in range(5)}
    t, c = {s: 1.0 for s in range(5)}, {s: 0.75 for s in range(5)}
    assert paired_comparison(t, c, items).n_items == 20
    with pytest.raises(ValueError, match="share of correct predictions"):
        paired_comparison({**t, 0: 0.5}, c, items)
    with pytest.raises(ValueError, match="no predictions for unit 4"):
        paired_comparison(t, c, {s: items[s] for s in range(4)})


def test_adjusted_p_decides_the_verdict():
    res = paired_comparison(*_study([0.03, 0.01, 0.04, 0.02, 0.05, 0.00]))
    assert adjusted(res, 0.2).verdict == NO_DIFFERENCE and adjusted(res, 0.2).p == res.p
    assert adjusted(res, 0.01).verdict == "better"
    few = paired_comparison(*_study([0.02, 0.03]))
    assert adjusted(few, 0.001).verdict == TOO_FEW


def test_unit_tests_vectorised_over_studies():
    rng = np.random.default_rng(0)
    d = rng.normal(0, 0.02, size=(3, 7))
    res = unit_tests(d)
    for i in range(3):
        assert res.p[i] == pytest.approx(sps.ttest_1samp(d[i], 0.0).pvalue)
    empty = unit_tests(np.zeros((2, 1)))
    assert math.isnan(empty.p[0]) and empty.verdict[0] == TOO_FEW


def test_without_power_figures_only_mde_and_needed_are_left_out():
    import dataclasses
    import math

    from bench.stats import paired_comparison

    treatment = {s: 0.80 + 0.01 * (s % 3) for s in range(7)}
    control = {s: 0.78 + 0.004 * s for s in range(7)}
    full = paired_comparison(treatment, control)
    light = paired_comparison(treatment, control, power_figures=False)
    assert math.isnan(light.mde) and math.isnan(light.needed) and math.isfinite(full.mde)
    assert dataclasses.replace(light, mde=full.mde, needed=full.needed) == full
