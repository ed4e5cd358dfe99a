"""Extra report sections contributed by optional stages (e.g. image diagnostics).

A section is a title, a note and figures (paths relative to the report directory, ``None``
for "no data" with the reason in ``missing``); the templates lay them out after the plots.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SectionFigure:
    alt: str
    caption: str
    path: str | None = None
    missing: str = "No data."


@dataclass
class ReportSection:
    title: str
    note: str = ""
    figures: list[SectionFigure] = field(default_factory=list)
