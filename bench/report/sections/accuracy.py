"""The Accuracy section: one row per configuration, first as numbers (``accuracy_stats``), then as
display strings (``accuracy_table``); writes ``tables/accuracy.tex`` (the paper columns).

All functions take the frame from ``bench.report.frame.records_frame`` and never mutate it.
Numeric tables keep NaN for "not available"; display tables are all strings, ready for
``bench.report.render.markup``. Empty input gives an empty table with the same columns.

Pairing rule for Δ (``accuracy_stats``): the control of an ok record is the ok ``classical``
record with the same ``dataset``, ``n_qubits`` and unit (seed, or fold and seed; the classical head
trained on the same compressed input). Units without an ok control are left out of Δ; if several
classical records match, the first one in record order is used. Each row's Δ is tested with
``bench.stats.paired_comparison`` (the Verdict's test), Holm-corrected across the rows of the table.

Exact backends collapse (``collapse_exact_backends``): the exact backends of one configuration
(dataset × head × qubits × layers) that reproduced the trainer, i.e. whose records passed the
agreement check (``metrics.agreement_max_abs_diff`` recorded) for the same units with the same test
accuracy as the reference backend (the trainer when evaluated, else the first by name), are one
row whose ``backend`` lists them all; a backend that differs keeps its own row. Per-backend
timings stay in the Runtime table.
"""

from __future__ import annotations

import math

import pandas as pd

from bench.report.frame import CELL_AXES, CLASSICAL, UNIT, exact_only, metric_col
from bench.report.render.fmt import MISSING, fmt_mean_ci, fmt_points, fmt_units
from bench.report.sections.base import (
    LatexTable,
    Note,
    ReportInputs,
    ReportSection,
    Section,
    SectionContent,
    Table,
)
from bench.stats import BETTER, NO_DIFFERENCE, TOO_FEW, WORSE, adjusted, holm, mean_ci, paired_comparison

__all__ = [
    "ACCURACY_NOTE",
    "AGREED_SEP",
    "DELTA_VERDICT",
    "SECTION",
    "accuracy_stats",
    "accuracy_table",
    "collapse_exact_backends",
]

ACC = metric_col("test_accuracy")
F1 = metric_col("test_macro_f1")
GAP = metric_col("overfit_gap")
TRAIN_ACC = metric_col("train_accuracy")
AGREE = metric_col("agreement_max_abs_diff")
DELTA_VERDICT = "Δ verdict (t over units, Holm over this table)"
AGREED_SEP = " = "
"""Separator of the backends of a collapsed row, e.g. ``default.qubit = lightning.qubit``."""

_ACC_STATS_COLUMNS = [
    *CELL_AXES,
    "n_seeds",
    "n_folds",
    "trained_on",
    "params",
    "acc_mean",
    "acc_hw",
    "f1_mean",
    "f1_hw",
    "f1_n",
    "gap_mean",
    "delta_mean",
    "delta_hw",
    "delta_n",
    "delta_p",
    "delta_p_holm",
    "delta_verdict",
]


def _ok(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["status"] == "ok"]


def _sort_key(head: str, n_layers, backend) -> tuple:
    layers = -1 if n_layers is None or pd.isna(n_layers) else int(n_layers)
    return (head != CLASSICAL, head, layers, backend or "")


def _none_if_na(value):
    return None if value is None or pd.isna(value) else value


def _joined(values) -> str | None:
    distinct = sorted({str(v) for v in values if _none_if_na(v) is not None})
    return ", ".join(distinct) if distinct else None


def _units(g: pd.DataFrame) -> list:
    """Each row's unit of the paired test: ``(fold, seed)`` when the frame has a fold, else the seed."""
    if "fold" not in g.columns:
        return [int(s) for s in g["seed"]]
    return [int(s) if pd.isna(f) else (int(f), int(s)) for f, s in zip(g["fold"], g["seed"], strict=True)]


def _controls(ok: pd.DataFrame) -> dict[tuple[str, int], dict]:
    """``(dataset, n_qubits) -> {unit: classical test accuracy}``, first record wins."""
    classical = ok[ok["head"] == CLASSICAL]
    out: dict[tuple[str, int], dict] = {}
    columns = (classical[c] for c in ("dataset", "n_qubits"))
    for dataset, n_qubits, unit, acc in zip(*columns, _units(classical), classical[ACC], strict=True):
        out.setdefault((dataset, int(n_qubits)), {}).setdefault(unit, float(acc))
    return out


def _cell_stats(key: tuple, g: pd.DataFrame, controls: dict) -> dict:
    dataset, head, n_qubits, n_layers, backend = key
    acc_mean, acc_hw = mean_ci(g[ACC])
    f1_mean, f1_hw = mean_ci(g[F1])
    gap = g[GAP].where(g[GAP].notna(), g[TRAIN_ACC] - g[ACC])
    test = None
    if head != CLASSICAL:
        treatment = {u: float(a) for u, a in zip(_units(g), g[ACC], strict=True)}
        test = paired_comparison(treatment, controls.get((dataset, int(n_qubits)), {}))
        test = test if test.n_units else None
    params = _joined(
        f"{c:,} / {q:,}" for c, q in zip(g["n_params_classical"], g["n_params_quantum"], strict=True)
    )
    return {
        "dataset": dataset,
        "head": head,
        "n_qubits": int(n_qubits),
        "n_layers": _none_if_na(n_layers),
        "backend": _none_if_na(backend),
        "n_seeds": int(g[UNIT].nunique()),
        "n_folds": int(g["fold"].nunique()),
        "trained_on": _joined(g["trained_on"]),
        "params": params,
        "acc_mean": acc_mean,
        "acc_hw": acc_hw,
        "f1_mean": f1_mean,
        "f1_hw": f1_hw,
        "f1_n": int(g[F1].notna().sum()),
        "gap_mean": mean_ci(gap)[0],
        "delta_mean": test.delta if test else math.nan,  # NaN for classical rows: no deltas
        "delta_hw": (test.high - test.low) / 2 if test else math.nan,
        "delta_n": test.n_units if test else 0,
        "delta_test": test,
    }


def _accuracies(g: pd.DataFrame) -> dict:
    """``{unit: test accuracy}`` of the rows of ``g``."""
    return {u: float(a) for u, a in zip(g[UNIT], g[ACC], strict=True)}


def _agrees(g: pd.DataFrame, reference: dict[int, float]) -> bool:
    mine = _accuracies(g)
    return (
        g[AGREE].notna().all()
        and set(mine) == set(reference)
        and all(abs(mine[s] - reference[s]) <= 1e-12 for s in mine)
    )


def collapse_exact_backends(ok: pd.DataFrame) -> pd.DataFrame:
    """``ok`` (ok exact-backend records with a test accuracy) with the agreeing exact backends of each
    configuration merged (see the module docstring): their records are dropped except the
    reference backend's, whose ``backend`` becomes ``"b1 = b2 = …"``. Records without a backend
    (no circuit) are kept as they are."""
    if ok.empty or AGREE not in ok.columns:
        return ok
    keep, relabel = [], {}
    for _, g in ok[ok["backend"].notna()].groupby(["dataset", "head", "n_qubits", "n_layers"], sort=False):
        per_backend = {be: gb for be, gb in g.groupby("backend", sort=True)}
        trainers = set(g["trained_on"].dropna())
        ref = next((be for be in per_backend if be in trainers), next(iter(per_backend)))
        reference = _accuracies(per_backend[ref].drop_duplicates(UNIT))
        agreed = [ref] + [
            be for be, gb in per_backend.items() if be != ref and _agrees(gb.drop_duplicates(UNIT), reference)
        ]
        label = AGREED_SEP.join(sorted(agreed))
        relabel.update(dict.fromkeys(per_backend[ref].index, label))
        keep += list(per_backend[ref].index)
        keep += [i for be, gb in per_backend.items() if be not in agreed for i in gb.index]
    out = ok.loc[list(ok.index[ok["backend"].isna()]) + keep].copy()
    out.loc[list(relabel), "backend"] = pd.Series(relabel)
    return out.loc[[i for i in ok.index if i in out.index]]


def accuracy_stats(frame: pd.DataFrame) -> pd.DataFrame:
    """Per cell (dataset × head × qubits × layers × backend) over ok records with a test accuracy.

    Columns: the cell axes, ``n_seeds`` (units: seeds, or fold x seed pairs), ``n_folds`` (0 without
    folds), ``trained_on`` and ``params`` (distinct values joined),
    ``acc_mean/acc_hw``, ``f1_mean/f1_hw/f1_n``, ``gap_mean`` (train − test accuracy),
    ``delta_mean/delta_hw/delta_n`` (paired by unit vs the classical control; NaN and 0 for
    classical rows). ``*_hw`` are 95 % Student-t half-widths (NaN for n < 2). Exact backends that
    agree are one row (``collapse_exact_backends``; ``backend`` lists them joined by ``AGREED_SEP``).
    """
    ok = exact_only(_ok(frame))
    ok = collapse_exact_backends(ok[ok[ACC].notna()])
    controls = _controls(ok)
    rows = [_cell_stats(key, g, controls) for key, g in ok.groupby(list(CELL_AXES), dropna=False, sort=False)]
    rows.sort(key=lambda r: (r["dataset"], r["n_qubits"], *_sort_key(r["head"], r["n_layers"], r["backend"])))
    _holm_verdicts(rows)
    return pd.DataFrame(rows, columns=_ACC_STATS_COLUMNS)


def _holm_verdicts(rows: list[dict]) -> None:
    """``delta_p``, ``delta_p_holm`` and ``delta_verdict`` of every row (Holm across the rows with a Δ)."""
    tests = [r.pop("delta_test") for r in rows]
    tested = [i for i, t in enumerate(tests) if t is not None]
    for i, p in zip(tested, holm([tests[i].p for i in tested]), strict=True):
        test = adjusted(tests[i], p)
        rows[i].update(delta_p=test.p, delta_p_holm=p, delta_verdict=_short_verdict(test))
    for i in set(range(len(rows))) - set(tested):
        rows[i].update(delta_p=math.nan, delta_p_holm=math.nan, delta_verdict=None)


def _short_verdict(test) -> str:
    if test.verdict == TOO_FEW:
        return f"too few ({test.n_units} < 5 {test.unit}s)"
    if test.verdict == NO_DIFFERENCE:
        return f"no difference (MDE {test.mde * 100:.1f} pp)"
    return {BETTER: "better", WORSE: "worse"}[test.verdict]


def _fmt_layers(n_layers) -> str:
    return MISSING if _none_if_na(n_layers) is None else str(int(n_layers))


def _fmt_delta(r: pd.Series) -> tuple[str, str]:
    if r["head"] == CLASSICAL:
        return MISSING, MISSING
    n = int(r["delta_n"])
    if n == 0:
        return "no paired control", "n/a"
    text = fmt_mean_ci(r["delta_mean"], r["delta_hw"], n, signed=True)
    if 1 < n < r["n_seeds"]:
        text += f" ({n} pairs)"
    return text, r["delta_verdict"]


def accuracy_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Display version of ``accuracy_stats``: percentages, ``mean ± CI``, and the Δ verdict (Holm)."""
    stats = accuracy_stats(frame)
    rows = []
    for _, r in stats.iterrows():
        delta, verdict = _fmt_delta(r)
        rows.append(
            {
                "dataset": r["dataset"],
                "head": r["head"],
                "qubits": str(r["n_qubits"]),
                "layers": _fmt_layers(r["n_layers"]),
                "exact backend(s)": _none_if_na(r["backend"]) or MISSING,
                "trained on": _none_if_na(r["trained_on"]) or MISSING,
                "params (classical / quantum)": _none_if_na(r["params"]) or MISSING,
                "seeds": fmt_units(r["n_seeds"], r["n_folds"]),
                "test acc %": fmt_mean_ci(r["acc_mean"], r["acc_hw"], r["n_seeds"]),
                "macro-F1 %": fmt_mean_ci(r["f1_mean"], r["f1_hw"], r["f1_n"]),
                "train−test gap (pp)": fmt_points(r["gap_mean"]),
                "Δ acc vs classical (pp)": delta,
                DELTA_VERDICT: verdict,
            }
        )
    columns = [
        "dataset",
        "head",
        "qubits",
        "layers",
        "exact backend(s)",
        "trained on",
        "params (classical / quantum)",
        "seeds",
        "test acc %",
        "macro-F1 %",
        "train−test gap (pp)",
        "Δ acc vs classical (pp)",
        DELTA_VERDICT,
    ]
    return pd.DataFrame(rows, columns=columns)


ACCURACY_NOTE = (
    "Values are the mean ± the half-width of a 95 % Student-t confidence interval over seeds "
    "(a cell with one seed shows n=1 and no interval). Δ accuracy is paired by seed: for each seed, "
    "this head's test accuracy minus that of the classical head trained on the same compressed input "
    "(same dataset, qubit count and seed), in percentage points. The Δ verdict is the Verdict's paired "
    "t-test over units, Holm-corrected across the rows of this table: “better” / “worse” when the "
    "corrected p < 0.05, “too few” below 5 units, else no difference with the smallest |Δ| it could have "
    "detected (MDE, 80 % power). Exact backends only: "
    "noisy, shot-based, fake-device and hardware evaluations are in the Noise section. Exact backends that "
    "reproduced the trainer (agreement check passed, same test accuracy for every seed) are one row listing "
    "them (“default.qubit = lightning.qubit”); their per-backend timings are in the Runtime table."
)


def build(inputs: ReportInputs) -> SectionContent:
    table = accuracy_table(inputs.frame)
    blocks = [Note(ACCURACY_NOTE), Table(table, "No data: no ok records with a test accuracy.")]
    return SectionContent([ReportSection("Accuracy", blocks)], latex={"accuracy": table})


SECTION = Section(
    "accuracy",
    build,
    latex=(
        LatexTable(
            "accuracy",
            "Accuracy",
            "Test accuracy per configuration, mean ± 95 % Student-t half-width over seeds; "
            "Δ paired by seed against the classical head on the same input.",
            columns=(
                "dataset",
                "head",
                "qubits",
                "layers",
                "params (classical / quantum)",
                "seeds",
                "test acc %",
                "macro-F1 %",
                "Δ acc vs classical (pp)",
                DELTA_VERDICT,
            ),
        ),
    ),
)
