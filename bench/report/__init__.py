"""Turn a list of records into ``index.md``, ``index.html``, ``figures/*.png|svg`` and ``tables/*.tex``.

Public entry point: ``write_report``. Nested by concern:

* top level - ``frame`` (records -> DataFrame), ``compare`` (treatment vs control comparisons
  through ``bench.stats``), ``sweep`` (the timing-sweep page);
* ``sections/`` - one module per section of the run report and its tables: ``verdict`` (and
  ``conclusion``, its sentence in words), ``accuracy`` (accuracy, runtime, failures), ``gaps``,
  ``noise``, ``images``; ``base`` (section data);
* ``figures/`` - ``style`` (one palette per report, PNG + SVG, legends outside), ``plots``,
  ``headline`` (forest plot, cost vs accuracy), ``ablation`` (accuracy vs qubits / layers with
  controls), ``images`` (image diagnostics), ``write`` (draws them all);
* ``render/`` - ``fmt``, ``markup`` (markdown/HTML tables), ``html`` (self-contained pages), ``latex``
  (booktabs), ``jinja`` (the run report's templates in ``render/templates/``), ``page`` (plain pages).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.core.files import write_text_atomic
from bench.report.compare import best_configurations, comparisons, reference_keys
from bench.report.figures.style import palette_for
from bench.report.figures.write import FIGURES_DIR, write_figures
from bench.report.frame import records_frame
from bench.report.render.jinja import build_context, render_html, render_markdown, report_links
from bench.report.render.latex import booktabs_table
from bench.report.sections import noise
from bench.report.sections.accuracy import DELTA_VERDICT, accuracy_table, failures_table, runtime_table
from bench.report.sections.base import ReportSection
from bench.report.sections.gaps import gap_table
from bench.report.sections.verdict import comparisons_table, conclusion_table, verdict_table
from bench.results.record import Record

__all__ = ["write_report"]

TABLES_DIR = "tables"

_LATEX = {
    "verdict": (
        "Best configuration per dataset (on validation) against each matched control: paired "
        "Δ test accuracy with 95 % t interval over units, Holm-corrected paired t-test p.",
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
            DELTA_VERDICT,
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
        write_text_atomic(path, booktabs_table(df, caption, f"tab:{name}", group_by="dataset"))


def write_report(
    records: list[Record], out_dir: Path, summary: Mapping[str, Any], sections: Sequence[ReportSection] = ()
) -> dict[str, Path]:
    """Write ``out_dir/index.md``, ``out_dir/index.html`` (self-contained: figures embedded, TOC,
    sortable tables), ``out_dir/figures/*.png`` and ``*.svg`` and ``out_dir/tables/*.tex``.

    ``records`` may be empty or contain failed/skipped records (listed, never averaged).
    ``summary`` may hold ``suite``, ``suite_path``, ``run_id``, ``started``, ``finished``,
    ``wall_s``, ``cells_total``, ``cells_ok``, ``cells_failed``, ``cells_skipped``,
    ``cells_run_now``, ``cells_reused``, ``provenance`` (str → str), ``description`` and
    ``settings_yaml`` (the suite as loaded); any may be missing. Under ``reports/<suite>/<run_id>/``
    the report links the suite's trends page and this run's compare pages.
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
        "conclusion": conclusion_table(comps, records),
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
    links = report_links(out_dir, summary.get("run_id"))
    context = build_context(records, summary, tables, figures, sections, links)
    md_path, html_path = out_dir / "index.md", out_dir / "index.html"
    write_text_atomic(md_path, render_markdown(context))
    write_text_atomic(html_path, render_html(context, out_dir))
    return {"md": md_path, "html": html_path}
