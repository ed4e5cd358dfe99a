"""The section registry: a section registered in a test is built, laid out in both the markdown and
the HTML report, draws its figure through the generic writer and writes its LaTeX table."""

from __future__ import annotations

import pandas as pd
import pytest

from bench.report import sections, write_report
from bench.report.figures.style import new_figure, save_figure
from bench.report.sections.base import (
    Heading,
    LatexTable,
    Note,
    ReportInputs,
    ReportSection,
    Section,
    SectionContent,
    Table,
)


def _draw(path):
    fig, axes = new_figure(1, 1, 2.0, 1.5)
    axes[0, 0].plot([0, 1], [0, 1])
    return save_figure(fig, path)


def _build(inputs: ReportInputs) -> SectionContent:
    table = pd.DataFrame({"dataset": ["d"], "records": [str(len(inputs.records))]})
    figure = inputs.figure("toy_line", _draw, "A toy line", "The toy's *own* caption.")
    blocks = [Note("Toy note with *emphasis*.", emphasis=True), Table(table), Heading("Toy figure"), figure]
    return SectionContent([ReportSection("Toy section", blocks)], latex={"toy": table})


TOY = Section("toy", _build, latex=(LatexTable("toy", "toy", "A toy table."),))


KEPT = ("summary", "accuracy", "gaps", "comparisons")
"""Registered sections kept around the toy (the others draw figures: slow, and not what is tested)."""


@pytest.fixture
def with_toy(monkeypatch):
    """The registry with ``TOY`` registered after the Accuracy section."""
    entries = [e for e in sections.SECTIONS if e.split(":")[0].rsplit(".", 1)[1] in KEPT]
    entries.insert(entries.index("bench.report.sections.accuracy:SECTION") + 1, f"{__name__}:TOY")
    monkeypatch.setattr(sections, "SECTIONS", tuple(entries))


def test_a_registered_section_appears_in_markdown_and_html(with_toy, record_factory, tmp_path):
    records = [record_factory("classical", 2, s) for s in (0, 1)]
    records += [record_factory("quantum", 2, s, 1, "default.qubit") for s in (0, 1)]
    paths = write_report(records, tmp_path, {"suite": "toy"})
    md, html = paths["md"].read_text(), paths["html"].read_text()
    assert md.index("\n## Accuracy\n") < md.index("\n## Toy section\n") < md.index("\n## Overfitting")
    assert "Toy note with *emphasis*." in md and "| d | 4 |" in md
    assert (
        "### Toy figure\n\n![A toy line](figures/toy_line.png)" in md
        and "([SVG](figures/toy_line.svg))" in md
    )
    assert '<h2 id="toy-section">Toy section</h2>' in html and "Toy note with <em>emphasis</em>." in html
    assert '<h3 id="toy-figure">Toy figure</h3>' in html and 'alt="A toy line"' in html
    assert (
        html.index('<h2 id="accuracy">')
        < html.index('<h2 id="toy-section">')
        < html.index('<h2 id="overfitting')
    )
    assert (tmp_path / "figures" / "toy_line.png").stat().st_size > 500
    assert "\\caption{A toy table.}" in (tmp_path / "tables" / "toy.tex").read_text()
    assert "the Accuracy, toy and comparison tables as LaTeX (booktabs)" in md
    assert "tables/accuracy.tex, tables/toy.tex and tables/comparisons.tex." in md


def test_a_section_without_parts_is_left_out_and_its_stale_latex_removed(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "toy.tex").write_text("stale")
    empty = Section("toy", lambda inputs: SectionContent([]), latex=TOY.latex)
    nothing = Section("nothing", lambda inputs: SectionContent([ReportSection("Toy", [])]))
    paths = write_report([], tmp_path, {}, sections=[empty, nothing])
    assert not (tmp_path / "tables" / "toy.tex").exists()
    assert paths["md"].read_text().split("\n## ")[1:] == ["Toy\n"]


def test_the_registry_refuses_a_duplicate_name_and_a_non_section(monkeypatch):
    monkeypatch.setattr(sections, "SECTIONS", (f"{__name__}:TOY", f"{__name__}:TOY"))
    with pytest.raises(ValueError, match="'toy' is registered twice"):
        sections.registered()
    monkeypatch.setattr(sections, "SECTIONS", (f"{__name__}:_draw",))
    with pytest.raises(TypeError, match="not a Section"):
        sections.registered()


def test_every_registered_section_builds_on_no_records(tmp_path):
    inputs = ReportInputs([], {}, tmp_path)
    inputs.figures_dir.mkdir()
    for section in sections.registered():
        content = section.build(inputs)
        assert isinstance(content, SectionContent), section.name
        assert set(content.latex) <= {t.stem for t in section.latex}, section.name
