"""Model selection on validation only: which candidate of a ``select`` sweep a cell keeps.

A head entry's ``select: {option: [values]}`` lists candidates (the cartesian product, in key
then list order; no ``select`` means one candidate, the entry itself). The cell trains every
candidate with the same data, seed and budget (each keeps its best validation epoch, see
``bench.cell.training``), then ``pick`` keeps the one with the highest validation accuracy, ties
broken by lower validation loss, then by list order. The test split is never passed to
training: it is scored once, on the kept candidate, after the choice (``bench.cell.run``).
``describe`` is what the record stores under ``selection``.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from bench.cell.trained import TrainedHead

RULE = (
    "epochs: the epoch with the best validation accuracy (ties: lower validation loss); candidates: the best "
    "validation accuracy (ties: lower validation loss, then list order); test scored once, after selection"
)


def candidates(select: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the ``select`` options; ``[{}]`` when there is nothing to select."""
    options = list(select)
    combos = itertools.product(*(select[o] for o in options))
    return [dict(zip(options, combo, strict=True)) for combo in combos]


def candidate_key(train_key: dict[str, Any], option: dict[str, Any]) -> dict[str, Any]:
    """The cache key spec of one candidate's trained head (the cell's own key when nothing is selected)."""
    return {**train_key, "candidate": option} if option else train_key


def pick(scores: list[tuple[float, float]]) -> int:
    """Index of the best ``(val_accuracy, val_loss)``: highest accuracy, then lowest loss, then first."""
    if not scores:
        raise ValueError("no candidates to pick from")

    def rank(i: int) -> tuple:
        acc, loss = scores[i]
        return (acc, -loss if not math.isnan(loss) else -math.inf, -i)

    return max(range(len(scores)), key=rank)


def describe(options: list[dict[str, Any]], trained: list[TrainedHead], chosen: int) -> dict[str, Any]:
    """The record's ``selection``: rule, every candidate's validation scores, and the choice."""
    return {
        "rule": RULE,
        "split": "val",
        "chosen": options[chosen],
        "chosen_index": chosen,
        "candidates": [
            {
                "params": o,
                "val_accuracy": t.val_accuracy,
                "val_loss": t.val_loss,
                "best_epoch": t.best_epoch,
            }
            for o, t in zip(options, trained, strict=True)
        ],
    }
