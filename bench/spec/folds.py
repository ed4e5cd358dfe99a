"""The ``folds`` / ``cv`` keys of a suite's dataset entries, checked against each dataset.

``resolve_folds`` runs at load time (after the entry's structure passed pydantic): ``folds`` only
on a dataset with official folds (``BaseDataset.official_folds``), every number in range, and
``all`` expanded to ``1..K``; ``cv`` only on a dataset without them; neither together with the
params they replace (``test_fold``/``val_fold``, ``val_fraction``/``test_fraction``). Every
problem is a one-line ``UserError`` naming file, line, key and the allowed values.

``fold_axis`` gives the grid the folds of an entry: ``[None]`` when it has none, so a suite
without folds expands to exactly the cells it always had.
"""

from __future__ import annotations

from typing import Any

from bench.core.registry import DATASETS
from bench.data.folds import Fold, Folding
from bench.spec.located import Located
from bench.spec.suite import DatasetRef
from bench.spec.yaml_source import KeyPath

REPLACED_BY_FOLDS = ("test_fold", "val_fold")
REPLACED_BY_CV = ("test_fraction", "val_fraction", "test_fold", "val_fold")


def _with_folds() -> str:
    found = [(n, DATASETS.get(n).official_folds) for n in DATASETS.names()]
    return ", ".join(f"{n} (1-{k})" for n, k in found if k) or "none"


def resolve_folds(ref: DatasetRef, given: dict[str, Any], at: KeyPath, loc: Located) -> DatasetRef:
    """``ref`` with ``folds`` expanded to fold numbers; ``UserError`` for a value the dataset
    does not allow. ``given`` is the entry's params as the user wrote them."""
    count = DATASETS.get(ref.name).official_folds
    if ref.folds is not None:
        if not count:
            raise loc.error(
                (*at, "folds"),
                f"'{ref.name}' has no official folds (datasets with folds: {_with_folds()}); "
                f"use cv: K (K >= 3) for generated folds",
            )
        numbers = list(range(1, count + 1)) if ref.folds == "all" else ref.folds
        outside = [n for n in numbers if not 1 <= n <= count]
        if outside:
            raise loc.error(
                (*at, "folds"),
                f"fold {outside[0]} does not exist (allowed: all or numbers from 1 to {count})",
            )
        _refuse_replaced(given, REPLACED_BY_FOLDS, "folds", at, loc)
        return ref.model_copy(update={"folds": numbers})
    if ref.cv is not None:
        if count:
            raise loc.error(
                (*at, "cv"),
                f"'{ref.name}' has {count} official folds: use folds: all "
                f"(or fold numbers from 1 to {count})",
            )
        _refuse_replaced(given, REPLACED_BY_CV, "cv", at, loc)
    return ref


def _refuse_replaced(
    given: dict[str, Any], keys: tuple[str, ...], by: str, at: KeyPath, loc: Located
) -> None:
    for key in keys:
        if key in given:
            raise loc.error(
                (*at, "params", key),
                f"not used with {by} (each fold tests once; fold k tests, the fold before it validates); "
                f"remove it",
            )


def fold_axis(ref: DatasetRef) -> list[Fold | None]:
    """The folds of a (resolved) dataset entry, in order; ``[None]`` without folds."""
    if ref.folds is not None:
        folding = Folding("official", DATASETS.get(ref.name).official_folds)
        numbers = range(1, folding.count + 1) if ref.folds == "all" else ref.folds
        return [Fold(folding, n) for n in numbers]
    if ref.cv is not None:
        folding = Folding("cv", ref.cv)
        return [Fold(folding, n) for n in range(1, ref.cv + 1)]
    return [None]
