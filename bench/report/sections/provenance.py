"""The Provenance section: the run's provenance (versions, machine), and the provenance keys whose
values differ between the report's records (e.g. cells reused from a store another version wrote)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from bench.report.render.markup import one_line
from bench.report.sections.base import Note, ReportInputs, ReportSection, Section, SectionContent, Table
from bench.results.record import Record

__all__ = ["SECTION", "provenance_spread"]


def _flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        if isinstance(v, Mapping):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = one_line(v)
    return out


def provenance_spread(records: list[Record], max_values: int = 5) -> list[tuple[str, str]]:
    """Provenance keys whose values differ between records (e.g. cells reused from a store
    written by another version), as ``(key, "v1, v2, …")``; empty when all records agree."""
    seen: dict[str, set[str]] = {}
    for r in records:
        for k, v in _flatten(r.provenance).items():
            seen.setdefault(k, set()).add(v)
    spread = []
    for k in sorted(seen):
        if len(seen[k]) > 1:
            values = sorted(seen[k])
            more = f", … ({len(values) - max_values} more)" if len(values) > max_values else ""
            spread.append((k, ", ".join(values[:max_values]) + more))
    return spread


def build(inputs: ReportInputs) -> SectionContent:
    pairs = sorted(_flatten(inputs.summary.get("provenance") or {}).items())
    table = pd.DataFrame(pairs, columns=["key", "value"])
    blocks: list = [Table(table, "None recorded for this run.", auto_align=False)]
    if spread := provenance_spread(inputs.records):
        blocks.append(Note("Records in this report were produced under differing provenance:"))
        blocks.append(Table(pd.DataFrame(spread, columns=["key", "values in records"]), auto_align=False))
    return SectionContent([ReportSection("Provenance", blocks)])


SECTION = Section("provenance", build)
