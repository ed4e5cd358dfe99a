"""What a section of the run report is, what it gets and what it gives back.

A ``Section`` is registered once (``bench.report.sections.SECTIONS``) and owns everything of its
part of the report: ``build(inputs)`` turns the report's ``ReportInputs`` into ``SectionContent``,
the titled parts (``ReportSection``) it shows, made of generic blocks the templates lay out
(``Heading``, ``Note``, ``Table``, ``SectionFigure``, ``Details``), and the frames of the LaTeX
tables it declares (``Section.latex``). Figures are drawn by the section itself through
``ReportInputs.figure`` (one PNG + SVG per name under ``figures/``). Nothing outside the section
module and the registry names a section.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from bench.report.compare import best_configurations, comparisons, reference_keys
from bench.report.figures.style import Palette, palette_for
from bench.report.figures.write import FIGURES_DIR, draw_figure
from bench.report.frame import records_frame
from bench.results.record import Record

__all__ = [
    "Block",
    "Details",
    "Heading",
    "LatexTable",
    "Note",
    "ReportInputs",
    "ReportSection",
    "Section",
    "SectionContent",
    "SectionFigure",
    "Table",
]


@dataclass
class SectionFigure:
    """A figure: ``path`` relative to the report directory (``None``: not drawn, ``missing`` says
    why), its alt text and caption, and the SVG twin to link (``None``: no link)."""

    alt: str
    caption: str
    path: str | None = None
    missing: str = "No data."
    svg: str | None = None
    kind = "figure"


@dataclass(frozen=True)
class Heading:
    """A sub-heading (``###`` / ``<h3>``) inside a section."""

    text: str
    kind = "heading"


@dataclass(frozen=True)
class Note:
    """A paragraph. ``emphasis``: markdown ``*x*`` becomes ``<em>`` in HTML; ``css`` is its HTML
    class (``note``, or ``empty`` for "nothing to show" text)."""

    text: str
    emphasis: bool = False
    css: str = "note"
    kind = "note"


@dataclass(frozen=True)
class Table:
    """A display frame (all strings); ``empty`` is shown instead when it has no rows."""

    frame: pd.DataFrame
    empty: str = "None."
    auto_align: bool = True
    kind = "table"


@dataclass(frozen=True)
class Details:
    """Verbatim text (e.g. YAML) behind a summary line: a fenced block in markdown (after
    ``md_intro``), a collapsed ``<details>`` in HTML (``html_summary``)."""

    text: str
    md_intro: str
    html_summary: str
    lang: str = ""
    kind = "details"


Block = Heading | Note | Table | SectionFigure | Details


@dataclass
class ReportSection:
    """One titled part of the report (``##`` / ``<h2>``) and its blocks, in order."""

    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class LatexTable:
    """A ``tables/<stem>.tex`` a section writes (booktabs, grouped by dataset). ``label`` names it
    in the Run summary's list of files; ``columns`` picks the paper columns (``None``: all)."""

    stem: str
    label: str
    caption: str
    columns: tuple[str, ...] | None = None


@dataclass
class SectionContent:
    """What ``Section.build`` gives back: its parts (none: the section is left out) and the frame of
    each LaTeX table it declares, by stem (a missing or empty frame removes a stale file)."""

    parts: list[ReportSection] = field(default_factory=list)
    latex: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass
class ReportInputs:
    """Everything a section may draw from, computed once per report and shared: the records (may be
    empty, or failed/skipped only), the run's summary (``bench.report.write_report``), the report
    directory, the image diagnostics files (``bench.cell.diagnostics``), the palette and the LaTeX
    tables of every registered section (for the Run summary's list of files)."""

    records: list[Record]
    summary: Mapping[str, Any]
    out_dir: Path
    diagnostics: Sequence[Path] = ()
    latex_tables: Sequence[LatexTable] = ()
    palette: Palette | None = None

    def __post_init__(self) -> None:
        self.out_dir = Path(self.out_dir)
        self.palette = self.palette or palette_for(self.records)

    @property
    def figures_dir(self) -> Path:
        return self.out_dir / FIGURES_DIR

    @cached_property
    def frame(self) -> pd.DataFrame:
        """``bench.report.frame.records_frame`` of the records."""
        return records_frame(self.records)

    @cached_property
    def reference(self) -> pd.DataFrame:
        """The rows of ``compare.reference_keys``: one exact backend per configuration."""
        return self.frame[self.frame["key"].isin(reference_keys(self.records))]

    @cached_property
    def comparisons(self) -> pd.DataFrame:
        """``bench.report.compare.comparisons`` of the records."""
        return comparisons(self.records)

    @cached_property
    def best(self) -> pd.DataFrame:
        """``compare.best_configurations`` (without controls: the best configurations plain)."""
        comps = self.comparisons
        return best_configurations(self.records, comps if not comps.empty else None)

    def figure(
        self,
        name: str,
        make: Callable[[Path], Path | None],
        alt: str,
        caption: str,
        x_axis: tuple[pd.DataFrame, str] | None = None,
    ) -> SectionFigure:
        """Draw ``figures/<name>.png`` (and ``.svg``) with ``make(path)``; see
        ``bench.report.figures.write.draw_figure`` (``x_axis``: a one-value x axis draws nothing)."""
        path = draw_figure(self.figures_dir, name, make, x_axis)
        svg = str(Path(path).with_suffix(".svg")) if path else None
        return SectionFigure(alt, caption, path, svg=svg)


@dataclass(frozen=True)
class Section:
    """A registered section: ``name`` (unique, for messages and tests), ``build`` (see the module
    docstring; it must not raise on empty or odd records) and the LaTeX tables it writes."""

    name: str
    build: Callable[[ReportInputs], SectionContent]
    latex: tuple[LatexTable, ...] = ()
