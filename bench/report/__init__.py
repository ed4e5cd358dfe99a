"""Turn a list of records into ``index.md``, ``index.html``, ``figures/*.png|svg`` and ``tables/*.tex``.

Public entry point: ``write_report``. Modules, one job each:
``stats`` (pure statistics), ``frame`` (records → DataFrame), ``tables`` (numeric and display
tables), ``markup`` (markdown/HTML table rendering), ``fmt`` (number formatting), ``plots``
(figures), ``style`` (one palette per report, PNG + SVG output, legends outside), ``figures``
(draws them all), ``headline`` (forest plot, cost vs accuracy), ``render`` (jinja2 templates in
``templates/``), ``html`` (self-contained HTML pages, reusable), ``latex`` (booktabs tables); the
ablation: ``compare`` (treatment vs control statistics and verdicts), ``verdict`` and ``gaps``
(their tables), ``ablation_plots`` (accuracy vs qubits / layers with controls).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.report import noise
from bench.report.compare import best_configurations, comparisons, reference_keys
from bench.report.figures import FIGURES_DIR, write_figures
from bench.report.frame import records_frame
from bench.report.gaps import gap_table
from bench.report.latex import booktabs_table
from bench.report.render import build_context, render_html, render_markdown
from bench.report.sections import ReportSection
from bench.report.style import palette_for
from bench.report.tables import accuracy_table, failures_table, runtime_table
from bench.report.verdict import comparisons_table, verdict_table
from bench.results.record import Record

__all__ = ["write_report"]

TABLES_DIR = "tables"

_LATEX = {
    "verdict": (
        "Best configuration per dataset (on validation) against each matched control: paired "
        "Δ test accuracy with 95 % bootstrap CI, Holm-corrected McNemar p.",
        None,
    ),
    "accuracy": (
        "Test accuracy per configuration, mean ± 95 % Student-t half-width over seeds; "
        "Δ paired by seed against the classical head on the same input.",
        [
            "dataset",
            "head",
            "qubits",
            "layers",
            "params (classical / quantum)",
            "seeds",
            "test acc %",
            "macro-F1 %",
            "Δ acc vs classical (pp)",
            "Δ CI excludes 0",
        ],
    ),
    "comparisons": ("Every configuration against every control.", None),
}


def _write_latex(tables: Mapping[str, Any], tables_dir: Path) -> None:
    """``tables/<name>.tex`` (booktabs) for the Verdict, Accuracy and comparison tables; a table
    without rows removes a stale file of that name."""
    tables_dir.mkdir(parents=True, exist_ok=True)
    for name, (caption, columns) in _LATEX.items():
        df = tables[name]
        path = tables_dir / f"{name}.tex"
        if df.empty:
            path.unlink(missing_ok=True)
            continue
        df = df[columns] if columns else df
        path.write_text(booktabs_table(df, caption, f"tab:{name}", group_by="dataset"), encoding="utf-8")


def write_report(
    records: list[Record], out_dir: Path, summary: Mapping[str, Any], sections: Sequence[ReportSection] = ()
) -> dict[str, Path]:
    """Write ``out_dir/index.md``, ``out_dir/index.html`` (self-contained: figures embedded, TOC,
    sortable tables), ``out_dir/figures/*.png`` and ``*.svg`` and ``out_dir/tables/*.tex``.

    ``records`` may be empty or contain failed/skipped records (listed, never averaged).
    ``summary`` may hold ``suite``, ``suite_path``, ``run_id``, ``started``, ``finished``,
    ``wall_s``, ``cells_total``, ``cells_ok``, ``cells_failed``, ``cells_skipped``,
    ``cells_run_now``, ``cells_reused`` and ``provenance`` (str → str); any may be missing.
    ``sections`` are extra sections (e.g. image diagnostics) whose figures are already under
    ``out_dir``; they follow the plots. Creates ``out_dir`` if needed, overwrites earlier
    report files there, and returns ``{"md": path, "html": path}``.
    """
    out_dir = Path(out_dir)
    figures_dir = out_dir / FIGURES_DIR
    figures_dir.mkdir(parents=True, exist_ok=True)
    frame = records_frame(records)
    reference = frame[frame["key"].isin(reference_keys(records))]
    comps = comparisons(records)
    tables = {
        "verdict": verdict_table(comps, records),
        "accuracy": accuracy_table(frame),
        "gaps": gap_table(reference),
        "comparisons": comparisons_table(comps),
        "runtime": runtime_table(frame),
        "failures": failures_table(frame),
        "noise": noise.noise_table(records),
    }
    best = best_configurations(records, comps if not comps.empty else None)  # no controls: plot the best
    figures = write_figures(records, frame, reference, comps, best, figures_dir, palette_for(records))
    _write_latex(tables, out_dir / TABLES_DIR)
    context = build_context(records, summary, tables, figures, sections)
    md_path, html_path = out_dir / "index.md", out_dir / "index.html"
    md_path.write_text(render_markdown(context), encoding="utf-8")
    html_path.write_text(render_html(context, out_dir), encoding="utf-8")
    return {"md": md_path, "html": html_path}
