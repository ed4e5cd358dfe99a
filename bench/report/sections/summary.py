"""The Run summary section: the suite, run id, times and cell counts, what the report's records hold,
the suite's settings as loaded, and the files next to the report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from bench.report.render.fmt import fmt_duration
from bench.report.render.markup import one_line
from bench.report.sections.base import (
    Details,
    LatexTable,
    Note,
    ReportInputs,
    ReportSection,
    Section,
    SectionContent,
    Table,
)
from bench.results.record import Record

__all__ = ["SECTION", "files_note", "summary_pairs"]

_SUMMARY_FIELDS = (
    ("suite", "Suite"),
    ("suite_path", "Suite file"),
    ("run_id", "Run ID"),
    ("started", "Started"),
    ("finished", "Finished"),
    ("wall_s", "Wall time"),
    ("cells_total", "Cells total"),
    ("cells_ok", "Cells ok"),
    ("cells_failed", "Cells failed"),
    ("cells_skipped", "Cells skipped"),
    ("cells_run_now", "Cells run in this run"),
    ("cells_reused", "Cells reused from the store"),
)
_NOT_IN_THE_TABLE = {"provenance", "description", "settings_yaml"}


def summary_pairs(summary: Mapping[str, Any], records: list[Record]) -> list[tuple[str, str]]:
    """Known summary keys in a fixed order with readable labels, then any other scalar keys,
    then what the records in this report actually contain."""
    pairs = []
    for key, label in _SUMMARY_FIELDS:
        if summary.get(key) is not None:
            value = fmt_duration(summary[key]) if key == "wall_s" else summary[key]
            pairs.append((label, one_line(value)))
    known = {k for k, _ in _SUMMARY_FIELDS} | _NOT_IN_THE_TABLE
    for key in sorted(set(summary) - known):
        if isinstance(summary[key], str | int | float | bool):
            pairs.append((key, one_line(summary[key])))
    counts = {s: sum(r.status == s for r in records) for s in ("ok", "failed", "skipped")}
    detail = ", ".join(f"{n} {s}" for s, n in counts.items())
    pairs.append(("Records in this report", f"{len(records)} ({detail})"))
    return pairs


def _listed(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def files_note(latex: Sequence[LatexTable]) -> str:
    """The files next to the report, the LaTeX tables of every registered section included."""
    note = (
        "Files next to this report: index.html (this report in one self-contained file), index.md, every "
        "figure as figures/<name>.png and figures/<name>.svg (vector, for papers)"
    )
    if not latex:
        return note + "."
    tables = "tables" if len(latex) > 1 else "table"
    labels, paths = _listed([t.label for t in latex]), _listed([f"tables/{t.stem}.tex" for t in latex])
    return f"{note}, and the {labels} {tables} as LaTeX (booktabs) in {paths}."


def build(inputs: ReportInputs) -> SectionContent:
    pairs = summary_pairs(inputs.summary, inputs.records)
    blocks: list = [Table(pd.DataFrame(pairs, columns=["field", "value"]), "No summary.", auto_align=False)]
    if settings := str(inputs.summary.get("settings_yaml") or ""):
        blocks.append(
            Details(
                settings,
                "Suite settings as loaded (every default explicit):",
                "Suite settings as loaded (YAML, every default explicit)",
                lang="yaml",
            )
        )
    blocks.append(Note(files_note(inputs.latex_tables)))
    return SectionContent([ReportSection("Run summary", blocks)])


SECTION = Section("summary", build)
