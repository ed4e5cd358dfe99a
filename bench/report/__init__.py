"""Turn a list of records into ``index.md``, ``index.html``, ``figures/*.png|svg`` and ``tables/*.tex``.

Public entry point: ``write_report``. Nested by concern:

* top level - ``frame`` (records -> DataFrame), ``compare`` (treatment vs control comparisons
  through ``bench.stats``), ``sweep`` (the timing-sweep page);
* ``sections/`` - the registry of the run report's sections (``sections.SECTIONS``, in report
  order) and one module per section owning its tables, notes, figures and LaTeX tables; ``base``
  (what a section gets, ``ReportInputs``, and gives, ``SectionContent``), ``conclusion`` (the
  Verdict's sentence in words);
* ``figures/`` - ``style`` (one palette per report, PNG + SVG, legends outside), ``plots``,
  ``headline`` (forest plot, cost vs accuracy), ``ablation`` (accuracy vs qubits / layers with
  controls), ``images`` (image diagnostics), ``write`` (draws one figure, removes stale ones);
* ``render/`` - ``fmt``, ``markup`` (markdown/HTML tables), ``html`` (self-contained pages), ``latex``
  (booktabs), ``jinja`` (the run report's generic templates in ``render/templates/``), ``page``
  (plain pages).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.core.files import write_text_atomic
from bench.report.render.jinja import build_context, render_html, render_markdown, report_links
from bench.report.render.latex import booktabs_table
from bench.report.sections import registered
from bench.report.sections.base import ReportInputs, Section, SectionContent
from bench.results.record import Record

__all__ = ["write_report"]

TABLES_DIR = "tables"


def _write_latex(section: Section, content: SectionContent, tables_dir: Path) -> None:
    """``tables/<stem>.tex`` (booktabs) for each LaTeX table ``section`` declares; a table without
    rows removes a stale file of that name."""
    for table in section.latex:
        df = content.latex.get(table.stem)
        path = tables_dir / f"{table.stem}.tex"
        if df is None or df.empty:
            path.unlink(missing_ok=True)
            continue
        df = df[list(table.columns)] if table.columns else df
        write_text_atomic(path, booktabs_table(df, table.caption, f"tab:{table.stem}", group_by="dataset"))


def write_report(
    records: list[Record],
    out_dir: Path,
    summary: Mapping[str, Any],
    diagnostics: Sequence[Path] = (),
    sections: Sequence[Section] | None = None,
) -> dict[str, Path]:
    """Write ``out_dir/index.md``, ``out_dir/index.html`` (self-contained: figures embedded, TOC,
    sortable tables), ``out_dir/figures/*.png`` and ``*.svg`` and ``out_dir/tables/*.tex``.

    ``records`` may be empty or contain failed/skipped records (listed, never averaged).
    ``summary`` may hold ``suite``, ``suite_path``, ``run_id``, ``started``, ``finished``,
    ``wall_s``, ``cells_total``, ``cells_ok``, ``cells_failed``, ``cells_skipped``,
    ``cells_run_now``, ``cells_reused``, ``provenance`` (str → str), ``description`` and
    ``settings_yaml`` (the suite as loaded); any may be missing. Under ``reports/<suite>/<run_id>/``
    the report links the suite's trends page and this run's compare pages. ``diagnostics`` are the
    image diagnostics files (``bench.cell.diagnostics.image_diagnostics``; none for audio suites).
    ``sections`` defaults to the registered ones (``bench.report.sections.SECTIONS``), built and
    shown in that order. Creates ``out_dir`` if needed, overwrites earlier report files there, and
    returns ``{"md": path, "html": path}``.
    """
    out_dir = Path(out_dir)
    sections = registered() if sections is None else list(sections)
    latex = [table for section in sections for table in section.latex]
    inputs = ReportInputs(records, summary, out_dir, tuple(diagnostics), latex)
    inputs.figures_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / TABLES_DIR).mkdir(parents=True, exist_ok=True)
    parts = []
    for section in sections:
        content = section.build(inputs)
        _write_latex(section, content, out_dir / TABLES_DIR)
        parts += content.parts
    context = build_context(summary, parts, report_links(out_dir, summary.get("run_id")))
    md_path, html_path = out_dir / "index.md", out_dir / "index.html"
    write_text_atomic(md_path, render_markdown(context))
    write_text_atomic(html_path, render_html(context, out_dir))
    return {"md": md_path, "html": html_path}
