"""A plain page of titled sections (note, table, figures) as ``index.md`` and a self-contained
``index.html``, for pages other than the run report (run comparisons and trends, ``bench.history``).

Tables are rendered by ``bench.report.render.markup`` (markdown) and ``bench.report.render.html`` (sortable
HTML); the HTML document, its style and embedded images come from ``bench.report.render.html.page``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bench.core.files import write_text_atomic
from bench.report.render.html import figure_html, page, table_html
from bench.report.render.markup import markdown_table
from bench.report.sections.base import SectionFigure

__all__ = ["PageSection", "SectionFigure", "write_page"]


@dataclass
class PageSection:
    """A heading, a note (plain text, may be empty), an optional table and figures (paths relative
    to the page; a figure without a path shows its ``missing`` text)."""

    title: str
    note: str = ""
    table: pd.DataFrame | None = None
    empty_text: str = "Nothing to show."
    figures: list[SectionFigure] = field(default_factory=list)


Links = Sequence[tuple[str, str]]
"""``(text, href)`` pairs shown under the title; hrefs relative to the page."""


def _markdown(title: str, intro: Sequence[str], sections: Sequence[PageSection], links: Links = ()) -> str:
    lines = [f"# {title}", "", *(f"{line}\n" for line in intro)]
    if links:
        lines += [" · ".join(f"[{text}]({href})" for text, href in links), ""]
    for s in sections:
        lines += [f"## {s.title}", ""]
        if s.note:
            lines += [s.note, ""]
        if s.table is not None:
            lines += [markdown_table(s.table) if not s.table.empty else f"_{s.empty_text}_", ""]
        for f in s.figures:
            lines += [f"![{f.alt}]({f.path})", "", f"_{f.caption}_", ""] if f.path else [f"_{f.missing}_", ""]
    return "\n".join(lines)


def _html_body(intro: Sequence[str], sections: Sequence[PageSection], links: Links = ()) -> str:
    parts = [f"<p>{html.escape(line)}</p>" for line in intro]
    if links:
        anchors = (f'<a href="{html.escape(href)}">{html.escape(text)}</a>' for text, href in links)
        parts.append('<p class="links">' + " · ".join(anchors) + "</p>")
    for s in sections:
        parts.append(f"<h2>{html.escape(s.title)}</h2>")
        if s.note:
            parts.append(f'<p class="note">{html.escape(s.note)}</p>')
        if s.table is not None:
            empty = f'<p class="empty">{html.escape(s.empty_text)}</p>'
            parts.append(table_html(s.table) if not s.table.empty else empty)
        for f in s.figures:
            parts.append(
                figure_html(f.path, f.alt, f.caption)
                if f.path
                else f'<p class="empty">{html.escape(f.missing)}</p>'
            )
    return "\n".join(parts)


def write_page(
    out_dir: Path, title: str, intro: Sequence[str], sections: Sequence[PageSection], links: Links = ()
) -> dict[str, Path]:
    """Write ``out_dir/index.md`` and ``out_dir/index.html`` (figures embedded); returns their paths.
    ``links`` (text, relative href) are shown under the title, the HTML ones to ``index.html``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"md": out_dir / "index.md", "html": out_dir / "index.html"}
    md_links = [(text, href) for text, href in links]
    html_links = [(text, href.replace("index.md", "index.html")) for text, href in links]
    write_text_atomic(paths["md"], _markdown(title, intro, sections, md_links))
    write_text_atomic(paths["html"], page(title, _html_body(intro, sections, html_links), base_dir=out_dir))
    return paths
