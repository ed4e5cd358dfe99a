"""Render the run report's sections through the jinja2 templates next to this module.

The templates (``templates/index.md.j2``, ``templates/index.html.j2``) lay out the title, the links
and the suite's description, then every part of every section (``bench.report.sections.base``) as
generic blocks: headings, notes, tables, figures and details. They name no section: what a section
says is decided in its own module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from bench.report.render.html import page, table_html
from bench.report.render.markup import markdown_table, one_line
from bench.report.sections.base import ReportSection

__all__ = ["build_context", "render_html", "render_markdown", "report_links"]

TEMPLATES = Path(__file__).parent / "templates"


def build_context(
    summary: Mapping[str, Any], parts: Sequence[ReportSection], links: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """Everything the templates need: the title and description (from ``summary``'s ``suite`` and
    ``description``), ``links`` (text, href relative to the report; ``report_links``) and the
    sections' ``parts`` in order."""
    return {
        "title": one_line(summary.get("suite") or "(unnamed suite)"),
        "description": str(summary.get("description") or "").strip(),
        "links": list(links),
        "parts": list(parts),
    }


def report_links(out_dir: Path, run_id: str | None) -> list[tuple[str, str]]:
    """Links from ``reports/<suite>/<run_id>/`` to the suite's trends page (rewritten after every
    run, so linked whenever the folder above holds the suite's store) and to the compare pages of
    this run that exist (``compare/<a>..<b>/``)."""
    suite_dir = Path(out_dir).parent
    links = []
    if (suite_dir / "results.sqlite").exists() or (suite_dir / "trends" / "index.html").exists():
        links.append(("trends of this suite", "../trends/index.html"))
    compare = suite_dir / "compare"
    if run_id and compare.is_dir():
        for page_path in sorted(compare.glob("*/index.html")):
            base, _, run = page_path.parent.name.partition("..")
            if run_id in (base, run):
                name = page_path.parent.name
                links.append((f"compare {name}", f"../compare/{name}/index.html"))
    return links


def emphasis(text: str) -> Markup:
    """Escaped ``text`` with markdown ``*emphasis*`` turned into ``<em>`` (for notes in HTML)."""
    return Markup(re.sub(r"\*([^*\s][^*]*)\*", r"<em>\1</em>", str(escape(text))))


def _markdown_table(df: pd.DataFrame, auto_align: bool = True) -> str:
    return markdown_table(df, auto_align=auto_align)


def _html_table(df: pd.DataFrame, auto_align: bool = True) -> Markup:
    return Markup(table_html(df, auto_align=auto_align))


def template_environment(html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",)) if html else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(emphasis=emphasis, markdown_table=_markdown_table, html_table=_html_table)
    return env


def render_markdown(context: Mapping[str, Any]) -> str:
    """The markdown report (blocks one blank line apart, one newline at the end)."""
    return template_environment(html=False).get_template("index.md.j2").render(**context).rstrip("\n") + "\n"


def render_html(context: Mapping[str, Any], base_dir: Path | None = None) -> str:
    """The HTML report as one self-contained page (``bench.report.render.html.page``: inline CSS and script,
    a table of contents, sortable tables); with ``base_dir`` (the report directory) the figures
    are embedded as data URIs, else they stay relative links."""
    body = template_environment(html=True).get_template("index.html.j2").render(**context)
    return page(f"qhead-bench report: {context['title']}", body, base_dir)
