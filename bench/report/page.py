"""A plain page of titled sections (note, table, figures) in markdown and HTML, for pages other than
the run report (run comparisons and trends, ``bench.history``).

Tables are rendered by ``bench.report.markup`` (through ``render.render_table``) and laid out by
``templates/page.{md,html}.j2``, which share the run report's style.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bench.report.render import render_table, template_environment
from bench.report.sections import SectionFigure

__all__ = ["PageSection", "SectionFigure", "write_page"]


@dataclass
class PageSection:
    """A heading, a note (plain text, may be empty), an optional table and figures (relative paths)."""

    title: str
    note: str = ""
    table: pd.DataFrame | None = None
    empty_text: str = "Nothing to show."
    figures: list[SectionFigure] = field(default_factory=list)


def write_page(
    out_dir: Path, title: str, intro: Sequence[str], sections: Sequence[PageSection]
) -> dict[str, Path]:
    """Write ``out_dir/index.md`` and ``out_dir/index.html``; returns ``{"md": path, "html": path}``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    context = {
        "title": title,
        "intro": list(intro),
        "sections": [
            {
                "title": s.title,
                "note": s.note,
                "table": render_table(s.table) if s.table is not None else None,
                "empty_text": s.empty_text,
                "figures": s.figures,
            }
            for s in sections
        ],
    }
    paths = {"md": out_dir / "index.md", "html": out_dir / "index.html"}
    for kind, path in paths.items():
        template = template_environment(html=kind == "html").get_template(f"page.{kind}.j2")
        path.write_text(template.render(**context), encoding="utf-8")
    return paths
