"""Step detection on a short series of per-run values (one configuration's metric across runs).

Method: binary segmentation (Scott & Knott 1974; the segmentation behind asv's step detection
is a penalised variant of the same idea). On a segment ``x[a:b]`` the split ``k`` minimising
the summed squared error of the two halves around their means is found; it is accepted as a
change point when both

1. the step is large enough to matter: ``|mean(right) - mean(left)| >= min_effect``, and
2. it stands out of the noise: ``|Δ| > z * sigma * sqrt(1/n_left + 1/n_right)``, where ``sigma`` is
   the larger of the pooled within-segment standard deviation of the run values and the typical
   per-run noise ``noise`` (e.g. the seed-to-seed standard error of each run's mean), and
   ``z = 2``.

Accepted splits are searched again on both sides, so several steps are found. With no noise
estimate (one seed, deterministic runs) only the effect size decides. Missing values (NaN) are
skipped; indexes refer to the input series.

``accept`` replaces both rules with the caller's own decision on ``(left indexes, right indexes)``
of a candidate split: the trends page passes the paired accuracy test of ``bench.stats`` there, so
an accuracy step is what ``bench compare`` would call a significant change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Z = 2.0


def _sse(values: Sequence[float]) -> float:
    m = sum(values) / len(values)
    return sum((v - m) ** 2 for v in values)


def _best_split(values: Sequence[float]) -> int | None:
    best, where = math.inf, None
    for k in range(1, len(values)):
        cost = _sse(values[:k]) + _sse(values[k:])
        if cost < best - 1e-15:
            best, where = cost, k
    return where


def _accepted(left: Sequence[float], right: Sequence[float], min_effect: float, noise: float) -> bool:
    delta = sum(right) / len(right) - sum(left) / len(left)
    if abs(delta) < min_effect:
        return False
    dof = len(left) + len(right) - 2
    pooled = math.sqrt((_sse(left) + _sse(right)) / dof) if dof > 0 else 0.0
    sigma = max(pooled, noise if math.isfinite(noise) else 0.0)
    return abs(delta) > Z * sigma * math.sqrt(1 / len(left) + 1 / len(right))


def change_points(
    values: Sequence[float],
    min_effect: float,
    noise: float = 0.0,
    accept: Callable[[list[int], list[int]], bool] | None = None,
) -> list[int]:
    """Indexes ``i`` (into ``values``) where a new level starts: ``values[i]`` is the first value
    after a detected step. See the module docstring for the rule and ``accept``."""
    kept = [(i, float(v)) for i, v in enumerate(values) if v is not None and math.isfinite(float(v))]
    found: list[int] = []
    stack = [(0, len(kept))]
    while stack:
        a, b = stack.pop()
        segment = [v for _, v in kept[a:b]]
        if len(segment) < 2:
            continue
        k = _best_split(segment)
        if k is None:
            continue
        if accept is not None:
            ok = accept([i for i, _ in kept[a : a + k]], [i for i, _ in kept[a + k : b]])
        else:
            ok = _accepted(segment[:k], segment[k:], min_effect, noise)
        if not ok:
            continue
        found.append(kept[a + k][0])
        stack += [(a, a + k), (a + k, b)]
    return sorted(found)
