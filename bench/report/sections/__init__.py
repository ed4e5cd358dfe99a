"""The sections of the run report, registered here once, in the order the report shows them.

Each entry is ``"module:attr"`` naming a ``bench.report.sections.base.Section``; it is imported when
a report is written. A section module owns its part of the report: its tables, notes, figures and
LaTeX tables (``base`` says what a section gets and gives). Adding a section is a module here plus its
line in ``SECTIONS``; the templates, the figure writer and ``bench.report.write_report`` never name
a section. ``conclusion`` (the Verdict's sentence in words) is a helper of ``verdict``, not a section.
"""

from __future__ import annotations

import importlib

from bench.report.sections.base import Section

__all__ = ["SECTIONS", "registered"]

SECTIONS: tuple[str, ...] = (
    "bench.report.sections.verdict:SECTION",
    "bench.report.sections.summary:SECTION",
    "bench.report.sections.accuracy:SECTION",
    "bench.report.sections.gaps:SECTION",
    "bench.report.sections.comparisons:SECTION",
    "bench.report.sections.runtime:SECTION",
    "bench.report.sections.noise:SECTION",
    "bench.report.sections.plots:SECTION",
    "bench.report.sections.images:SECTION",
    "bench.report.sections.failures:SECTION",
    "bench.report.sections.provenance:SECTION",
)
"""The report's sections, in order (a test may extend it, e.g. with ``monkeypatch``)."""


def registered() -> list[Section]:
    """The ``Section`` of every ``SECTIONS`` entry, in order; a duplicate name is a ``ValueError``."""
    out: list[Section] = []
    for target in SECTIONS:
        module, attr = target.split(":")
        section = getattr(importlib.import_module(module), attr)
        if not isinstance(section, Section):
            raise TypeError(f"report section {target} is a {type(section).__name__}, not a Section")
        if section.name in {s.name for s in out}:
            raise ValueError(f"report section name {section.name!r} is registered twice ({target})")
        out.append(section)
    return out
