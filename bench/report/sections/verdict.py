"""The Verdict, first in the report: the conclusion in words, the forest plot, the Verdict table
(each dataset's best configuration on validation against its controls) and cost vs accuracy.

The tables take the numeric frame of ``bench.report.compare.comparisons`` and return frames of
strings for ``bench.report.render.markup``; empty input gives an empty table with the same columns.
Writes ``tables/verdict.tex``.
"""

from __future__ import annotations

import pandas as pd

from bench.controls.base import control_label
from bench.report.compare import best_configurations
from bench.report.figures.headline import plot_cost_accuracy, plot_forest
from bench.report.render.fmt import fmt_delta_ci, fmt_mean_ci, fmt_p, fmt_probability, fmt_ratio
from bench.report.sections.base import (
    Heading,
    LatexTable,
    Note,
    ReportInputs,
    ReportSection,
    Section,
    SectionContent,
    Table,
)
from bench.report.sections.conclusion import conclusion
from bench.results.record import Record

__all__ = [
    "CONCLUSION_NOTE",
    "SECTION",
    "VERDICT_NOTE",
    "conclusion_table",
    "control_backend_note",
    "verdict_table",
]

VERDICT_NOTE = (
    "Per dataset, the quantum/hybrid configuration with the best mean *validation* accuracy among those "
    "with controls (the test split plays no part in choosing it), against each of its matched controls, "
    "trained with the same data, seeds, budget and selection rule. Δ is treatment − control test "
    "accuracy in percentage points, paired by unit (a seed, or a fold × seed pair), with the 95 % "
    "Student-t interval over the unit deltas; p is the paired t-test over units, Holm-corrected across "
    "every comparison in this report (docs/statistics.md; its false-positive rate and coverage are "
    "measured by `python -m bench stats-check`). “better” / “worse”: Holm-corrected p < 0.05. With fewer "
    "than 5 units no verdict is given (“too few”), with the units a 2 pp effect would need at the "
    "observed spread. Every “no significant difference” states the smallest |Δ| the study could have "
    "detected with 80 % power (at α = 0.05 before the Holm correction). P(better): the probability "
    "that the treatment's mean accuracy is higher, given the unit deltas. Cost ratios are the treatment's "
    "mean training and test-inference time over those of its classical control (the parameter-matched "
    "MLP, else the classical head on the same input); timings are from the machine and load of the run "
    "that trained each head."
)

CONCLUSION_NOTE = (
    "One sentence per dataset, from the Verdict's comparisons by the rules in docs/statistics.md: a claim "
    "that the quantum part helps needs the treatment to beat both the parameter-matched MLP and its own "
    "circuit without entangling gates; a gain over a weaker control is attributed to the first "
    "capacity-matched control that matches it."
)

_VERDICT_COLUMNS = [
    "dataset",
    "configuration (best on val)",
    "test acc %",
    "control",
    "control test acc %",
    "Δ acc (pp) [95 % CI]",
    "p (t over units, Holm)",
    "verdict",
    "P(better)",
    "trainable params (treatment / control)",
    "train time × classical",
    "inference time × classical",
    "paired units",
]


def _fmt_delta(r) -> str:
    return fmt_delta_ci(r["delta"], r["ci_low"], r["ci_high"], r["n_pairs"])


def _fmt_params(r) -> str:
    return f"{r['treatment_params']:,} / {r['control_params']:,}"


def _fmt_config(head: str, n_qubits: int, n_layers: int) -> str:
    return f"{head} · {n_qubits} qubits · {n_layers} layers"


def _control_text(kind: str) -> str:
    label = control_label(kind)
    return f"{kind} ({label})" if label != kind else kind


def _best_rows(comps: pd.DataFrame, records):
    """``(best configuration row, its comparison rows)`` per dataset, best chosen on validation."""
    best = best_configurations(records, comps)
    for _, b in best.iterrows():
        mine = comps[
            (comps["dataset"] == b["dataset"])
            & (comps["head"] == b["head"])
            & (comps["n_qubits"] == b["n_qubits"])
            & (comps["n_layers"] == b["n_layers"])
        ]
        yield b, mine


def conclusion_table(comps: pd.DataFrame, records) -> pd.DataFrame:
    """One row per dataset: its conclusion in words (``bench.report.sections.conclusion``)."""
    rows = [
        {
            "dataset": b["dataset"],
            "conclusion": conclusion(_fmt_config(b["head"], b["n_qubits"], b["n_layers"]), mine),
        }
        for b, mine in _best_rows(comps, records)
    ]
    return pd.DataFrame(rows, columns=["dataset", "conclusion"])


def verdict_table(comps: pd.DataFrame, records) -> pd.DataFrame:
    """One row per control of each dataset's best configuration with controls (chosen on validation)."""
    rows = []
    for b, mine in _best_rows(comps, records):
        for _, r in mine.iterrows():
            rows.append(
                {
                    "dataset": b["dataset"],
                    "configuration (best on val)": _fmt_config(b["head"], b["n_qubits"], b["n_layers"]),
                    "test acc %": fmt_mean_ci(b["test_mean"], b["test_hw"], b["n_seeds"]),
                    "control": _control_text(r["control"]),
                    "control test acc %": fmt_mean_ci(r["control_acc"], r["control_hw"], r["n_pairs"]),
                    "Δ acc (pp) [95 % CI]": _fmt_delta(r),
                    "p (t over units, Holm)": fmt_p(r["p_holm"]),
                    "verdict": r["verdict_text"],
                    "P(better)": fmt_probability(r["p_better"]),
                    "trainable params (treatment / control)": _fmt_params(r),
                    "train time × classical": fmt_ratio(r["train_time_ratio"]),
                    "inference time × classical": fmt_ratio(r["inference_time_ratio"]),
                    "paired units": str(r["n_pairs"]),
                }
            )
    return pd.DataFrame(rows, columns=_VERDICT_COLUMNS)


def control_backend_note(records: list[Record]) -> str:
    """Why circuit controls ran elsewhere than their treatment, when they did (``""`` otherwise):
    with no exact simulator in the grid they run on the training simulator
    (``bench.plan.grid.control_backend``)."""
    treated: dict[tuple, set[str]] = {}
    for r in records:
        if r.status == "ok" and not r.control and r.backend:
            treated.setdefault((r.dataset, r.head, r.n_qubits, r.n_layers), set()).add(r.backend)
    elsewhere = sorted(
        {
            (r.backend, ", ".join(sorted(treated[k])))
            for r in records
            if r.status == "ok" and r.control and r.backend
            for k in [(r.dataset, r.treatment, r.n_qubits, r.n_layers)]
            if k in treated and r.backend not in treated[k]
        }
    )
    if not elsewhere:
        return ""
    parts = "; ".join(f"on {mine} (treatments on {theirs})" for mine, theirs in elsewhere)
    return (
        f"Circuit controls ran {parts}: the grid has no exact simulator, so they were evaluated on the "
        "exact simulator that trained them. Exact simulators give the same predictions, so the accuracy "
        "comparison holds; their timings are not comparable with the treatments'."
    )


FOREST = (
    "Δ test accuracy of every configuration against each of its controls",
    "One row per (configuration, control), grouped by dataset: Δ = treatment − control test accuracy in "
    "percentage points, paired by unit (seed, or fold × seed), with its 95 % t interval; right: Δ [CI] "
    "and the Holm-corrected p of the paired t-test. Verdict by colour and marker: ▲ green better, ▼ red "
    "worse (Holm-corrected p < 0.05), ○ grey no significant difference, ◇ light grey too few units "
    "(fewer than 5: no verdict). ★: the configuration of the table below (best on validation).",
)
COST_ACCURACY = (
    "Test accuracy against cost: head training time and trainable parameters",
    "One point per configuration and control (mean test accuracy over seeds, 95 % Student-t bars; one "
    "exact backend per configuration). Colour: the head (controls in their treatment's colour, hollow, "
    "marker by control kind; classical: black square). Log x: mean head-training time on the run's "
    "machine, and trainable parameters. Grey steps: the Pareto front (nothing else is both cheaper and "
    "more accurate), labelled.",
)
NO_COMPARISONS = (
    "No comparisons: no quantum/hybrid configuration finished together with a matched control (controls "
    "are off, or their cells failed or were skipped)."
)


def build(inputs: ReportInputs) -> SectionContent:
    comps, records = inputs.comparisons, inputs.records
    forest = inputs.figure("forest", lambda p: plot_forest(comps, p, inputs.best), *FOREST)
    cost = inputs.figure(
        "cost_accuracy", lambda p: plot_cost_accuracy(inputs.reference, p, inputs.palette), *COST_ACCURACY
    )
    conclusions, verdicts = conclusion_table(comps, records), verdict_table(comps, records)
    blocks = []
    if not conclusions.empty:
        blocks += [Table(conclusions), Note(CONCLUSION_NOTE, emphasis=True)]
    blocks += [forest] if forest.path else []
    blocks.append(Note(VERDICT_NOTE, emphasis=True))
    if note := control_backend_note(records):
        blocks.append(Note(note))
    blocks.append(Table(verdicts, NO_COMPARISONS))
    blocks += [Heading("Cost vs accuracy"), cost] if cost.path else []
    return SectionContent([ReportSection("Verdict", blocks)], latex={"verdict": verdicts})


SECTION = Section(
    "verdict",
    build,
    latex=(
        LatexTable(
            "verdict",
            "Verdict",
            "Best configuration per dataset (on validation) against each matched control: paired "
            "Δ test accuracy with 95 % t interval over units, Holm-corrected paired t-test p.",
        ),
    ),
)
