"""Seeds a suite needs, from a pilot run's spread (``bench plan``'s "seeds needed" lines).

``pilot_needs(store)`` takes the latest run in the store that has treatment-vs-control comparisons
(``bench.report.compare.comparisons``: the Verdict's pairing), and for each comparison the
standard deviation of its unit deltas; ``bench.stats.units_needed`` turns that spread into the
units (seeds, or fold × seed pairs) the paired test needs for 80 % power against a 1 and a 2 pp
effect at α = 0.05. A comparison with fewer than two units has no spread and is left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.results.store import ResultsStore

__all__ = ["EFFECTS_PP", "Need", "Pilot", "pilot_needs"]

EFFECTS_PP = (1.0, 2.0)


@dataclass(frozen=True)
class Need:
    """One comparison of the pilot: its spread and the units needed per effect in ``EFFECTS_PP``."""

    comparison: str  # "dataset · head · q8 · l2 vs control"
    units: int  # units in the pilot
    unit: str  # "seed" or "fold × seed"
    sd_pp: float  # standard deviation of the unit deltas, percentage points
    needed: tuple[float, ...]  # per effect; inf when beyond reach


@dataclass(frozen=True)
class Pilot:
    """The pilot run used (``run_id`` ``None`` when the store has none with comparisons) and its needs."""

    run_id: str | None
    needs: list[Need]


def pilot_needs(store: ResultsStore | None) -> Pilot:
    """See the module docstring; an empty store (or ``None``) gives ``Pilot(None, [])`` (without
    importing pandas or SciPy: ``plan`` of a suite that never ran stays light)."""
    runs = store.run_list() if store is not None else []
    if not runs:
        return Pilot(None, [])
    from bench.report.compare import comparisons

    for run in reversed(runs):
        comps = comparisons(store.get(run_id=run.run_id))
        needs = [_need(r) for _, r in comps.iterrows() if r["n_pairs"] >= 2 and math.isfinite(r["sd"])]
        if needs:
            return Pilot(run.run_id, needs)
    return Pilot(None, [])


def _need(r) -> Need:
    from bench.stats import units_needed

    label = f"{r['dataset']} · {r['head']} · q{r['n_qubits']} · l{r['n_layers']} vs {r['control']}"
    needed = tuple(units_needed(effect / 100, float(r["sd"])) for effect in EFFECTS_PP)
    return Need(label, int(r["n_pairs"]), r["unit"], 100 * float(r["sd"]), needed)
