"""The one statistics module of qhead-bench. Stable public surface: the names in ``__all__``.

- ``paired_comparison(treatment, control, items=None)``: the only paired accuracy test (treatment vs
  control over units: seeds or (fold, seed) pairs), returning a frozen ``PairedComparison`` with Δ,
  interval, p, verdict, minimum detectable effect and P(better) (``bench.stats.paired``);
  ``adjusted`` applies a multiplicity-corrected p (the report's Holm) to it.
- ``power``, ``mde``, ``units_needed``: planning figures of that test (``bench.stats.power``).
- ``mean_ci``, ``paired_deltas``, ``holm``, ``mcnemar_p``, ``paired_bootstrap_ci``: small pure helpers
  (``bench.stats.basics``).
- ``bench.stats.calibration``: the simulation that measures the test's error rates
  (``python -m bench stats-check``); not imported here.

Method, references and the report's rules: ``docs/statistics.md``.
"""

from bench.stats.basics import holm, mcnemar_p, mean_ci, paired_bootstrap_ci, paired_deltas
from bench.stats.paired import (
    BETTER,
    NO_DIFFERENCE,
    PLANNING_EFFECT,
    TOO_FEW,
    VERDICTS,
    WORSE,
    PairedComparison,
    adjusted,
    paired_comparison,
)
from bench.stats.power import ALPHA, MIN_UNITS, POWER, mde, power, units_needed

__all__ = [
    "ALPHA",
    "BETTER",
    "MIN_UNITS",
    "NO_DIFFERENCE",
    "PLANNING_EFFECT",
    "POWER",
    "TOO_FEW",
    "VERDICTS",
    "WORSE",
    "PairedComparison",
    "adjusted",
    "holm",
    "mcnemar_p",
    "mde",
    "mean_ci",
    "paired_bootstrap_ci",
    "paired_comparison",
    "paired_deltas",
    "power",
    "units_needed",
]
