"""The calibration benchmark: a small version of ``python -m bench stats-check`` that can fail.

The legacy rule (pooled McNemar and the expanded bootstrap) must fail it, so the tolerance bites;
the current rule must pass it. Vectorised pieces are checked against their scalar references."""

from __future__ import annotations

import numpy as np
import pytest

from bench.stats import calibration
from bench.stats.basics import mcnemar_p, paired_bootstrap_ci
from bench.stats.calibration import QUICK_REGIMES, Regime, calibrate, simulate


@pytest.fixture(scope="module")
def current():
    return calibrate(list(QUICK_REGIMES), "current", replicates=800, seed=1)


def test_the_current_rule_passes_the_quick_grid(current):
    assert all(r.passed for r in current), "\n".join(calibration.report_lines(current))
    by_units = {r.regime.units: r for r in current}
    assert by_units[3].fpr.hits == 0 and by_units[3].power[0.05].hits == 0  # too few units: no verdict
    assert by_units[50].power[0.02].value > 0.9  # many units find 2 pp


def test_the_legacy_rule_fails_it():
    legacy = calibrate(list(QUICK_REGIMES[:2]), "legacy", replicates=800, seed=1)
    assert not legacy[0].fpr_ok and legacy[0].fpr.value > 0.08  # 3 seeds: ~12 % false positives
    assert not legacy[1].passed


def test_simulated_null_has_no_effect_and_planted_effect_shows():
    rng = np.random.default_rng(0)
    null = simulate(Regime("heterogeneous", 3, 10, 1), 0.0, 400, rng)
    assert np.all(null.true_delta == 0) and abs((null.acc_t - null.acc_c).mean()) < 0.003
    planted = simulate(Regime("easy", 0, 10, 1), 0.05, 400, rng)
    assert planted.true_delta == pytest.approx(0.05) and (
        planted.acc_t - planted.acc_c
    ).mean() == pytest.approx(0.05, abs=0.003)


def test_vectorised_legacy_pieces_match_the_scalar_functions():
    only_t, only_c = np.array([3, 30, 0, 12]), np.array([9, 50, 0, 12])
    for a, b, p in zip(only_t, only_c, calibration._mcnemar(only_t, only_c), strict=True):
        pred_t = np.r_[np.ones(a), np.zeros(b)].astype(int)
        pred_c = np.r_[np.zeros(a), np.ones(b)].astype(int)
        assert p == pytest.approx(mcnemar_p(pred_t, pred_c, np.ones(a + b, dtype=int)))
    d = np.array([[0.01, 0.03, -0.02, 0.04, 0.00]])
    low, high = calibration._expanded_bootstrap(d, np.random.default_rng(0), 20_000, 0.05)
    _, ref_low, ref_high = paired_bootstrap_ci(d[0], np.zeros(5), n_boot=20_000, expand=True)
    assert (low[0], high[0]) == pytest.approx((ref_low, ref_high), abs=0.001)


def test_stats_check_command_exits_1_on_failure(capsys):
    from bench.cli.parser import main

    assert main(["stats-check", "--quick", "--replicates", "300", "--rule", "legacy"]) == 1
    out = capsys.readouterr().out
    assert "FAIL (FPR above 5%)" in out and "McNemar alone" in out
