"""Treatment vs matched control, paired by unit: Δ accuracy, interval, p, Holm, verdict (``bench.stats``).

Contract of ``comparisons(records)``:

- A *treatment* is an ok record of a head with a circuit (``backend`` set, ``control`` unset);
  its *configuration* is ``(dataset, head, n_qubits, n_layers)``. Exact backends give the same
  predictions, so each configuration is compared through one *reference backend*: its training
  simulator or the backend its circuit controls were evaluated on, when the grid evaluated it
  there (alphabetically first of those), else the alphabetically first backend it has.
- A *control* is an ok record whose ``control`` names its kind and whose ``treatment`` is the
  treatment's head label (same dataset, qubits and layers); see ``bench.spec.controls``.
- Treatment and control pair by *unit*: the seed, or the ``(fold, seed)`` pair when records carry
  a fold; units present on one side only are left out.
- For each (configuration, control kind) with at least one pair: ``bench.stats.paired_comparison``
  on the units' test accuracies (Student t over the unit deltas, its 95 % interval, the minimum
  detectable |Δ| at 80 % power, P(better); "too few units" below ``bench.stats.MIN_UNITS``);
  Holm's correction of its p across every comparison of the report; and the verdict of the
  Holm-corrected p (``bench.stats.adjusted``): ``better`` / ``worse`` when it is below ``alpha``,
  ``no significant difference`` otherwise, ``too few units`` whatever p is with too few units.
  ``verdict_text`` says it in words (units needed for a 2 pp effect; the MDE of a "no difference").
- Cost ratios compare the treatment with its *classical control*: the ``matched-mlp`` control
  of the same configuration, else the ``classical`` head on the same dataset and qubits; mean
  head-training time and mean test-evaluation time, treatment / classical.

Results are plain floats; "not enough data" is NaN, never an exception.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd

from bench.controls.base import control_rank
from bench.report.frame import CLASSICAL
from bench.results.record import Record
from bench.stats import ALPHA, adjusted, holm, mean_ci, paired_comparison

__all__ = [
    "COMPARISON_COLUMNS",
    "best_configurations",
    "comparisons",
    "reference_keys",
    "unit_of",
]

MATCHED = "matched-mlp"

COMPARISON_COLUMNS = [
    "dataset",
    "head",
    "n_qubits",
    "n_layers",
    "backend",
    "control",
    "control_head",
    "n_pairs",
    "treatment_acc",
    "treatment_hw",
    "control_acc",
    "control_hw",
    "delta",
    "ci_low",
    "ci_high",
    "p_value",
    "p_holm",
    "verdict",
    "verdict_text",
    "mde",
    "p_better",
    "needed",
    "sd",
    "unit",
    "treatment_params",
    "control_params",
    "treatment_val_acc",
    "train_time_ratio",
    "inference_time_ratio",
    "cost_reference",
]

Config = tuple[str, str, int, int]
"""``(dataset, head label, n_qubits, n_layers)`` of a treatment."""


def _ok(records: Iterable[Record]) -> list[Record]:
    return [r for r in records if r.status == "ok" and "test_accuracy" in r.metrics]


def _is_treatment(r: Record) -> bool:
    return r.control is None and r.backend is not None and r.n_layers is not None


def _config(r: Record) -> Config:
    head = r.treatment if r.control else r.head
    return (r.dataset, head, int(r.n_qubits), int(r.n_layers))


def reference_backends(records: Iterable[Record]) -> dict[Config, str]:
    """The backend each treatment configuration is compared through (see the module docstring)."""
    seen: dict[Config, set[str]] = defaultdict(set)
    trainers: dict[Config, set[str]] = defaultdict(set)
    for r in _ok(records):
        if _is_treatment(r):
            seen[_config(r)].add(r.backend)
            if r.trained_on:
                trainers[_config(r)].add(r.trained_on)
        elif r.control and r.backend:
            trainers[_config(r)].add(r.backend)
    out = {}
    for config, backends in seen.items():
        on_trainer = sorted(backends & trainers[config])
        out[config] = on_trainer[0] if on_trainer else sorted(backends)[0]
    return out


def reference_keys(records: Iterable[Record]) -> set[str]:
    """Keys of the records a report's ablation tables use: every ok record except treatment records
    on a backend other than their configuration's reference backend."""
    records = list(records)
    reference = reference_backends(records)
    return {r.key for r in _ok(records) if not _is_treatment(r) or reference.get(_config(r)) == r.backend}


Unit = int | tuple[int, int]
"""A seed, or a ``(fold, seed)`` pair for records of a fold."""


def unit_of(r: Record) -> Unit:
    """The record's unit of the paired test: ``(fold, seed)`` when it carries a fold, else its seed."""
    fold = getattr(r, "fold", None)  # records gain ``fold`` with folds as a cell axis
    return int(r.seed) if fold is None else (int(fold), int(r.seed))


def _by_seed(records: Iterable[Record]) -> dict[Unit, Record]:
    out: dict[Unit, Record] = {}
    for r in sorted(records, key=lambda r: r.key):
        out.setdefault(unit_of(r), r)
    return out


def _groups(records: list[Record]) -> tuple[dict[Config, dict[int, Record]], dict, dict]:
    """Treatments by configuration, controls by (configuration, kind), classical heads by
    (dataset, qubits), each as ``{seed: record}``."""
    reference = reference_backends(records)
    treat, ctrl, classical = defaultdict(list), defaultdict(list), defaultdict(list)
    for r in _ok(records):
        if _is_treatment(r) and reference.get(_config(r)) == r.backend:
            treat[_config(r)].append(r)
        elif r.control and r.treatment and r.n_layers is not None:
            ctrl[(_config(r), r.control)].append(r)
        elif r.head == CLASSICAL and r.control is None:
            classical[(r.dataset, int(r.n_qubits))].append(r)
    return _seeded(treat), _seeded(ctrl), _seeded(classical)


def _seeded(groups: dict) -> dict:
    return {k: _by_seed(v) for k, v in groups.items()}


def _params(r: Record) -> int:
    return int(r.n_params_classical) + int(r.n_params_quantum)


def _mean(values: Iterable[float]) -> float:
    x = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    return float(np.mean(x)) if x else math.nan


def _cost(treat: dict[int, Record], reference: dict[int, Record] | None, timing: str) -> float:
    if not reference:
        return math.nan
    num = _mean(r.timings.get(timing, math.nan) for r in treat.values())
    den = _mean(r.timings.get(timing, math.nan) for r in reference.values())
    return num / den if den and not math.isnan(den) and den > 0 else math.nan


def _compare(
    config: Config,
    kind: str,
    treat: dict[int, Record],
    ctrl: dict[int, Record],
    cost_ref: tuple[str, dict[int, Record] | None],
    alpha: float,
) -> dict | None:
    seeds = sorted(set(treat) & set(ctrl))  # one kind of unit per comparison: seeds or (fold, seed)
    if not seeds:
        return None
    t, c = [treat[s] for s in seeds], [ctrl[s] for s in seeds]
    acc_t = [r.metrics["test_accuracy"] for r in t]
    acc_c = [r.metrics["test_accuracy"] for r in c]
    test = paired_comparison(
        dict(zip(seeds, acc_t, strict=True)), dict(zip(seeds, acc_c, strict=True)), alpha=alpha
    )
    dataset, head, n_qubits, n_layers = config
    label, reference = cost_ref
    return {
        "dataset": dataset,
        "head": head,
        "n_qubits": n_qubits,
        "n_layers": n_layers,
        "backend": t[0].backend,
        "control": kind,
        "control_head": c[0].head,
        "n_pairs": len(seeds),
        "treatment_acc": _mean(acc_t),
        "treatment_hw": mean_ci(acc_t)[1],
        "control_acc": _mean(acc_c),
        "control_hw": mean_ci(acc_c)[1],
        "delta": test.delta,
        "ci_low": test.low,
        "ci_high": test.high,
        "p_value": test.p,
        "test": test,
        "treatment_params": int(np.median([_params(r) for r in t])),
        "control_params": int(np.median([_params(r) for r in c])),
        "treatment_val_acc": _mean(r.metrics.get("val_accuracy", math.nan) for r in treat.values()),
        "train_time_ratio": _cost(treat, reference, "head_training_s"),
        "inference_time_ratio": _cost(treat, reference, "evaluation_s"),
        "cost_reference": label if reference else "",
    }


def comparisons(records: list[Record], alpha: float = ALPHA) -> pd.DataFrame:
    """One row per (treatment configuration, control kind) with at least one unit pair; columns
    ``COMPARISON_COLUMNS``; rows sorted by dataset, head, qubits, layers, then control kind in
    ``bench.core.registry.CONTROLS`` order. ``alpha``: the family-wise error rate of the report's
    Holm-corrected tests."""
    treat, ctrl, classical = _groups(list(records))
    rows = []
    for (config, kind), controls in sorted(ctrl.items(), key=lambda kv: (kv[0][0], control_rank(kv[0][1]))):
        if config not in treat:
            continue
        matched = ctrl.get((config, MATCHED))
        cost_ref = (MATCHED, matched) if matched else (CLASSICAL, classical.get((config[0], config[2])))
        row = _compare(config, kind, treat[config], controls, cost_ref, alpha)
        if row is not None:
            rows.append(row)
    p_holm = holm([r["p_value"] for r in rows])
    for row, p in zip(rows, p_holm, strict=True):
        test = adjusted(row.pop("test"), p)
        row.update(
            p_holm=p,
            verdict=test.verdict,
            verdict_text=test.explanation(),
            mde=test.mde,
            p_better=test.p_better,
            needed=test.needed,
            sd=test.sd,
            unit=test.unit,
        )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def best_configurations(records: list[Record], comps: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per dataset, the treatment configuration with the highest mean *validation* accuracy over
    seeds (ties: the first in (head, qubits, layers) order; the test split plays no part), among
    the configurations that have a row in ``comps`` when given (those with controls).
    Columns: dataset, head, n_qubits, n_layers, backend, n_seeds, val_mean, test_mean, test_hw."""
    treat, _, _ = _groups(list(records))
    if comps is not None:
        keep = set(zip(comps["dataset"], comps["head"], comps["n_qubits"], comps["n_layers"], strict=True))
        treat = {config: by_seed for config, by_seed in treat.items() if config in keep}
    rows = []
    for config, by_seed in sorted(treat.items()):
        val = _mean(r.metrics.get("val_accuracy", math.nan) for r in by_seed.values())
        test_mean, test_hw = mean_ci([r.metrics["test_accuracy"] for r in by_seed.values()])
        backend = next(iter(by_seed.values())).backend
        rows.append((*config, backend, len(by_seed), val, test_mean, test_hw))
    columns = [
        "dataset",
        "head",
        "n_qubits",
        "n_layers",
        "backend",
        "n_seeds",
        "val_mean",
        "test_mean",
        "test_hw",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    ranked = frame.assign(_val=frame["val_mean"].fillna(-math.inf))
    best = [g.index[int(np.argmax(g["_val"].to_numpy()))] for _, g in ranked.groupby("dataset", sort=True)]
    return frame.loc[best].reset_index(drop=True)
