"""Calibration of the paired test by simulation: null studies that keep the structure of the data.

A simulated *study* compares a treatment with a control over ``seeds × folds`` units, as a suite does:

- each fold has its own test set of ``n_items`` items; the same items are scored by every seed of
  that fold (items repeat across seeds). An item has a difficulty ``p`` (its chance of being right):
  ``easy`` items all have ``p = 0.9``; ``heterogeneous`` items take ``p`` from Beta(0.7, 0.3)
  (U-shaped: many items almost always right, some almost always wrong), discretised into
  ``DIFFICULTY_LEVELS`` equally likely levels;
- every trained model (treatment and control of every unit) has its own accuracy shift ``s`` drawn
  from N(0, ``shift_sd``): it answers an item right with probability ``clip(p + s + effect, 0, 1)``
  (``effect`` only for the treatment), independently given that probability;
- under the null ``effect = 0``; planted effects measure power. The true Δ of a study is the expected
  treatment − control accuracy on its test items over the shifts (computed exactly).

Draws are exact and vectorised: the four outcomes (both right, only one right, both wrong) of the
items of one difficulty level are binomial given the two models' probabilities.

Two rules are measured. ``current``: ``bench.stats.paired.unit_tests`` (the report's test) on the
per-unit accuracy deltas. ``legacy``: the report's rule before it (Holm-corrected McNemar on the
pooled predictions of all units < alpha *and* a small-sample-expanded paired percentile bootstrap
interval over units excluding 0; with one comparison Holm changes nothing), with each half alone.

Checks (``RegimeResult.passed``): the false-positive rate (a "better" or "worse" under the null) is
not above ``alpha`` beyond Monte-Carlo error, and with at least ``MIN_UNITS`` units the nominal
95 % interval covers the true Δ at least ``MIN_COVERAGE`` of the time within Monte-Carlo error.
Monte-Carlo error is a Wilson interval at the Bonferroni level over the regimes checked together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import product

import numpy as np
from scipy import stats as sps

from bench.stats.paired import BETTER, WORSE, unit_tests
from bench.stats.power import ALPHA, MIN_UNITS

__all__ = [
    "DIFFICULTY_LEVELS",
    "EFFECTS",
    "MIN_COVERAGE",
    "QUICK_REGIMES",
    "RULES",
    "Regime",
    "RegimeResult",
    "StudyDraws",
    "calibrate",
    "default_regimes",
    "legacy_rule",
    "report_lines",
    "simulate",
    "summary_line",
    "wilson",
]

DIFFICULTY_LEVELS = 10
EFFECTS = (0.01, 0.02, 0.05)
MIN_COVERAGE = 0.93
RULES = ("current", "legacy")
EASY_P = 0.9
HETEROGENEOUS = (0.7, 0.3)  # Beta(a, b) of item difficulty
CHUNK = 400


@dataclass(frozen=True)
class Regime:
    """One kind of study: item difficulty (``easy`` | ``heterogeneous``), per-model shift sd (pp),
    seeds, folds, and test items per fold."""

    items: str
    shift_pp: float
    seeds: int
    folds: int
    n_items: int = 200

    @property
    def units(self) -> int:
        return self.seeds * self.folds

    def label(self) -> str:
        return f"{self.items:<13} sd {self.shift_pp:g} pp  {self.seeds:>2} seeds × {self.folds:>2} folds"


def default_regimes() -> list[Regime]:
    """The issue's grid: easy/heterogeneous × shift sd 0, 1, 3, 6 pp × 3, 5, 10 seeds × 1, 10 folds."""
    return [
        Regime(items, sd, seeds, folds)
        for items, sd, seeds, folds in product(("easy", "heterogeneous"), (0, 1, 3, 6), (3, 5, 10), (1, 10))
    ]


@dataclass(frozen=True)
class StudyDraws:
    """``replicates`` simulated studies of one regime: per-unit accuracies, pooled discordant
    counts, true Δ."""

    acc_t: np.ndarray  # (R, units)
    acc_c: np.ndarray  # (R, units)
    only_t: np.ndarray  # (R,) items the treatment got right and the control wrong, all units pooled
    only_c: np.ndarray  # (R,)
    true_delta: np.ndarray  # (R,)


def _levels(items: str) -> np.ndarray:
    if items == "easy":
        return np.array([EASY_P])
    if items == "heterogeneous":
        a, b = HETEROGENEOUS
        return sps.beta.ppf((np.arange(DIFFICULTY_LEVELS) + 0.5) / DIFFICULTY_LEVELS, a, b)
    raise ValueError(f"items: unknown difficulty '{items}' (allowed: easy, heterogeneous)")


def _expected_clipped(x: np.ndarray, sd: float) -> np.ndarray:
    """E[clip(x + s, 0, 1)] for s ~ N(0, sd), elementwise."""
    if sd == 0:
        return np.clip(x, 0.0, 1.0)
    a, b = (0.0 - x) / sd, (1.0 - x) / sd
    inside = x * (sps.norm.cdf(b) - sps.norm.cdf(a)) + sd * (sps.norm.pdf(a) - sps.norm.pdf(b))
    return inside + sps.norm.sf(b)


def simulate(
    regime: Regime, effect: float, replicates: int, rng: np.random.Generator, discordance: bool = True
) -> StudyDraws:
    """Draw ``replicates`` studies of ``regime`` with a planted treatment ``effect`` (0 for the null).

    ``discordance=False`` skips the pooled discordant counts (NaN; only McNemar needs them): the
    control's right answers are then one binomial draw per level, which is the same distribution."""
    p = _levels(regime.items)
    k, sd = p.size, regime.shift_pp / 100.0
    counts = rng.multinomial(regime.n_items, np.full(k, 1.0 / k), size=(replicates, regime.folds))
    shape = (replicates, regime.folds, regime.seeds)
    q_t = np.clip(p + rng.normal(0.0, sd, shape)[..., None] + effect, 0.0, 1.0)
    q_c = np.clip(p + rng.normal(0.0, sd, shape)[..., None], 0.0, 1.0)
    n = np.broadcast_to(counts[:, :, None, :], q_t.shape)
    right_t = rng.binomial(n, q_t)
    per_unit = (replicates, regime.units)
    gain = _expected_clipped(p + effect, sd) - _expected_clipped(p, sd)
    true_delta = (counts * gain).sum(-1).mean(-1) / regime.n_items
    acc_t = right_t.sum(-1).reshape(per_unit) / regime.n_items
    if not discordance:
        acc_c = rng.binomial(n, q_c).sum(-1).reshape(per_unit) / regime.n_items
        nan = np.full(replicates, math.nan)
        return StudyDraws(acc_t, acc_c, nan, nan, true_delta)
    both = rng.binomial(right_t, q_c)
    only_c = rng.binomial(n - right_t, q_c)
    only_t = right_t - both
    acc_c = (both + only_c).sum(-1).reshape(per_unit) / regime.n_items
    return StudyDraws(acc_t, acc_c, only_t.sum((1, 2, 3)), only_c.sum((1, 2, 3)), true_delta)


def _mcnemar(only_t: np.ndarray, only_c: np.ndarray) -> np.ndarray:
    """Vectorised ``bench.stats.basics.mcnemar_p`` (exact below 25 discordant items, else the
    continuity-corrected chi-square)."""
    n = only_t + only_c
    exact = np.minimum(1.0, 2.0 * sps.binom.cdf(np.minimum(only_t, only_c), n, 0.5))
    with np.errstate(divide="ignore", invalid="ignore"):
        chi = sps.chi2.sf((np.abs(only_t - only_c) - 1.0) ** 2 / n, df=1)
    return np.where(n == 0, 1.0, np.where(n < 25, exact, chi))


def _expanded_bootstrap(d: np.ndarray, rng: np.random.Generator, n_boot: int, alpha: float):
    """Vectorised ``bench.stats.basics.paired_bootstrap_ci(expand=True)`` over the rows of ``d``."""
    n = d.shape[1]
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot) / n  # (B, n)
    means = d @ weights.T  # (R, B)
    level = 2.0 * sps.norm.cdf(-math.sqrt(n / (n - 1)) * sps.t.ppf(1.0 - alpha / 2.0, df=n - 1))
    low, high = np.quantile(means, [level / 2.0, 1.0 - level / 2.0], axis=1)
    return low, high


@dataclass(frozen=True)
class LegacyVerdicts:
    """The pre-``bench.stats`` report rule on a batch of studies: its interval and three decision rules."""

    low: np.ndarray
    high: np.ndarray
    whole: np.ndarray  # bool: "better" or "worse" by the whole rule
    mcnemar_alone: np.ndarray
    bootstrap_alone: np.ndarray
    better: np.ndarray  # bool: "better" by the whole rule


def legacy_rule(draws: StudyDraws, rng: np.random.Generator, n_boot: int = 1000, alpha: float = ALPHA):
    """The report's rule before ``bench.stats``: pooled McNemar p < alpha and the expanded bootstrap
    interval excluding 0 (Holm is the identity for one comparison)."""
    d = draws.acc_t - draws.acc_c
    low, high = _expanded_bootstrap(d, rng, n_boot, alpha)
    mean = d.mean(axis=1)
    excludes = ((mean > 0) & (low > 0)) | ((mean < 0) & (high < 0))
    mc = _mcnemar(draws.only_t, draws.only_c) < alpha
    return LegacyVerdicts(low, high, mc & excludes, mc, excludes, mc & excludes & (mean > 0))


@dataclass(frozen=True)
class Rate:
    """A Monte-Carlo proportion with its Wilson interval."""

    hits: int
    trials: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.hits / self.trials if self.trials else math.nan


def wilson(hits: int, trials: int, confidence: float = 0.95) -> Rate:
    """Wilson score interval of ``hits / trials``."""
    if trials == 0:
        return Rate(0, 0, math.nan, math.nan)
    z = float(sps.norm.ppf(0.5 + confidence / 2.0))
    phat = hits / trials
    centre = (phat + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(phat * (1 - phat) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return Rate(hits, trials, max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class RegimeResult:
    """One regime's figures under one rule: FPR, coverage (null and planted draws), power per
    planted effect."""

    regime: Regime
    rule: str
    fpr: Rate
    coverage: Rate
    power: dict[float, Rate]
    check_confidence: float
    halves: dict[str, Rate] = field(default_factory=dict)  # legacy only: each half of the rule alone

    @property
    def fpr_ok(self) -> bool:
        """FPR not above alpha beyond Monte-Carlo error (its Wilson lower bound at the check level)."""
        return wilson(self.fpr.hits, self.fpr.trials, self.check_confidence).low <= ALPHA

    @property
    def coverage_ok(self) -> bool:
        """Coverage not below ``MIN_COVERAGE`` beyond Monte-Carlo error (checked from ``MIN_UNITS``
        units on)."""
        if self.regime.units < MIN_UNITS:
            return True
        return wilson(self.coverage.hits, self.coverage.trials, self.check_confidence).high >= MIN_COVERAGE

    @property
    def passed(self) -> bool:
        return self.fpr_ok and self.coverage_ok


@dataclass
class _Tally:
    null_hits: int = 0
    covered: int = 0
    trials: int = 0
    better: dict[float, int] = field(default_factory=dict)
    halves: dict[str, int] = field(default_factory=dict)


def _run_rule(rule: str, draws: StudyDraws, rng: np.random.Generator, n_boot: int):
    """``(decided, better, covered)`` boolean arrays, plus the legacy halves."""
    if rule == "current":
        res = unit_tests(draws.acc_t - draws.acc_c, ALPHA)
        decided = (res.verdict == BETTER) | (res.verdict == WORSE)
        covered = (res.low <= draws.true_delta) & (draws.true_delta <= res.high)
        return decided, res.verdict == BETTER, covered, {}
    if rule == "legacy":
        leg = legacy_rule(draws, rng, n_boot)
        covered = (leg.low <= draws.true_delta) & (draws.true_delta <= leg.high)
        halves = {"McNemar alone": leg.mcnemar_alone, "bootstrap alone": leg.bootstrap_alone}
        return leg.whole, leg.better, covered, halves
    raise ValueError(f"rule: unknown rule '{rule}' (allowed: {', '.join(RULES)})")


def _tally(regime, rule, effect, replicates, rng, n_boot, tally: _Tally) -> None:
    done = 0
    while done < replicates:
        size = min(CHUNK, replicates - done)
        draws = simulate(regime, effect, size, rng, discordance=rule == "legacy")
        decided, better, covered, halves = _run_rule(rule, draws, rng, n_boot)
        tally.covered += int(covered.sum())
        tally.trials += size
        if effect == 0:
            tally.null_hits += int(decided.sum())
            for name, hit in halves.items():
                tally.halves[name] = tally.halves.get(name, 0) + int(hit.sum())
        else:
            tally.better[effect] = tally.better.get(effect, 0) + int(better.sum())
        done += size


def calibrate(
    regimes: list[Regime],
    rule: str = "current",
    replicates: int = 2000,
    power_replicates: int | None = None,
    effects: tuple[float, ...] = EFFECTS,
    seed: int = 0,
    n_boot: int = 1000,
) -> list[RegimeResult]:
    """Measure ``rule`` on every regime: ``replicates`` null studies and ``power_replicates`` (default
    half as many) per planted effect. Deterministic for a given ``seed``; each regime has its own stream."""
    power_replicates = power_replicates or max(1, replicates // 2)
    check_confidence = 1.0 - (1.0 - 0.95) / max(1, len(regimes))
    out = []
    for i, regime in enumerate(regimes):
        rng = np.random.default_rng([seed, i, RULES.index(rule) if rule in RULES else 99])
        tally = _Tally()
        _tally(regime, rule, 0.0, replicates, rng, n_boot, tally)
        for effect in effects:
            _tally(regime, rule, effect, power_replicates, rng, n_boot, tally)
        out.append(
            RegimeResult(
                regime,
                rule,
                wilson(tally.null_hits, replicates),
                wilson(tally.covered, tally.trials),
                {e: wilson(tally.better.get(e, 0), power_replicates) for e in effects},
                check_confidence,
                {name: wilson(h, replicates) for name, h in tally.halves.items()},
            )
        )
    return out


QUICK_REGIMES = (
    Regime("heterogeneous", 3, 3, 1),
    Regime("heterogeneous", 6, 5, 1),
    Regime("easy", 1, 5, 10),
    Regime("heterogeneous", 0, 10, 1),
)
"""A small grid for CI: the 3-seed regime where the legacy rule's FPR is ~12 %, a 5-seed one where its
interval under-covers, and two where both rules are fine."""


def _pct(rate: Rate) -> str:
    return f"{rate.value * 100:5.1f}"


def report_lines(results: list[RegimeResult]) -> list[str]:
    """The printed table: one line per regime (FPR with its 95 % Monte-Carlo interval, coverage, power)."""
    if not results:
        return []
    effects = list(results[0].power)
    halves = list(results[0].halves)
    head = (
        f"{'regime':<44} {'units':>5}  {'FPR % [95 % MC]':<20} {'cover %':>7}  "
        + "  ".join(f"pow {e * 100:g}pp" for e in effects)
        + "".join(f"  {h:>15}" for h in halves)
        + "  check"
    )
    lines = [head]
    for r in results:
        fpr = f"{_pct(r.fpr)} [{r.fpr.low * 100:.1f}, {r.fpr.high * 100:.1f}]"
        check = "ok" if r.passed else "FAIL (" + ", ".join(_failures(r)) + ")"
        lines.append(
            f"{r.regime.label():<44} {r.regime.units:>5}  {fpr:<20} {_pct(r.coverage):>7}  "
            + "  ".join(f"{_pct(r.power[e]):>8}" for e in effects)
            + "".join(f"  {_pct(r.halves[h]):>15}" for h in halves)
            + f"  {check}"
        )
    return lines


def _failures(r: RegimeResult) -> list[str]:
    out = [] if r.fpr_ok else [f"FPR above {ALPHA:.0%}"]
    return out + ([] if r.coverage_ok else [f"coverage below {MIN_COVERAGE:.0%}"])


def summary_line(results: list[RegimeResult], replicates: int, power_replicates: int) -> str:
    """Pass/fail over all regimes, with the Monte-Carlo sizes and the check's confidence level."""
    failed = [r for r in results if not r.passed]
    level = results[0].check_confidence if results else 0.95
    sizes = f"{replicates} null studies and {power_replicates} per planted effect per regime"
    verdict = "all regimes pass" if not failed else f"{len(failed)} of {len(results)} regimes FAIL"
    return (
        f"{verdict} ({sizes}; checks at the {level:.2%} Wilson level, Bonferroni over "
        f"{len(results)} regimes: "
        f"FPR <= {ALPHA:.0%}, coverage >= {MIN_COVERAGE:.0%} with >= {MIN_UNITS} units)"
    )
