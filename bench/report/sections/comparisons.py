"""All comparisons with controls: every quantum/hybrid configuration against every control it has.

Takes the numeric frame of ``bench.report.compare.comparisons``; writes ``tables/comparisons.tex``.
"""

from __future__ import annotations

import pandas as pd

from bench.report.render.fmt import fmt_delta_ci, fmt_mean_ci, fmt_p, fmt_probability
from bench.report.sections.base import (
    LatexTable,
    Note,
    ReportInputs,
    ReportSection,
    Section,
    SectionContent,
    Table,
)

__all__ = ["COMPARISONS_NOTE", "SECTION", "comparisons_table"]

COMPARISONS_NOTE = (
    "Every quantum/hybrid configuration against every control it has (same rules as the Verdict; the Holm "
    "correction runs over all rows of this table)."
)


_COMPARISON_COLUMNS = [
    "dataset",
    "head",
    "qubits",
    "layers",
    "control",
    "paired units",
    "treatment acc %",
    "control acc %",
    "Δ acc (pp) [95 % CI]",
    "p (t over units)",
    "p (Holm)",
    "verdict",
    "P(better)",
    "params (treatment / control)",
]


def comparisons_table(comps: pd.DataFrame) -> pd.DataFrame:
    """Every comparison row, formatted."""
    rows = []
    for _, r in comps.iterrows():
        rows.append(
            {
                "dataset": r["dataset"],
                "head": r["head"],
                "qubits": str(r["n_qubits"]),
                "layers": str(r["n_layers"]),
                "control": r["control"],
                "paired units": str(r["n_pairs"]),
                "treatment acc %": fmt_mean_ci(r["treatment_acc"], r["treatment_hw"], r["n_pairs"]),
                "control acc %": fmt_mean_ci(r["control_acc"], r["control_hw"], r["n_pairs"]),
                "Δ acc (pp) [95 % CI]": fmt_delta_ci(r["delta"], r["ci_low"], r["ci_high"], r["n_pairs"]),
                "p (t over units)": fmt_p(r["p_value"]),
                "p (Holm)": fmt_p(r["p_holm"]),
                "verdict": r["verdict_text"],
                "P(better)": fmt_probability(r["p_better"]),
                "params (treatment / control)": f"{r['treatment_params']:,} / {r['control_params']:,}",
            }
        )
    return pd.DataFrame(rows, columns=_COMPARISON_COLUMNS)


def build(inputs: ReportInputs) -> SectionContent:
    table = comparisons_table(inputs.comparisons)
    blocks = [Note(COMPARISONS_NOTE), Table(table, "None.")]
    return SectionContent(
        [ReportSection("All comparisons with controls", blocks)], latex={"comparisons": table}
    )


SECTION = Section(
    "comparisons",
    build,
    latex=(LatexTable("comparisons", "comparison", "Every configuration against every control."),),
)
