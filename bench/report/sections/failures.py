"""The Failures and skips section: every record that is not ok, with its error on one line."""

from __future__ import annotations

import pandas as pd

from bench.report.render.fmt import MISSING
from bench.report.render.markup import one_line
from bench.report.sections.base import ReportInputs, ReportSection, Section, SectionContent, Table

__all__ = ["SECTION", "failures_table"]


def failures_table(frame: pd.DataFrame, max_error_len: int = 160) -> pd.DataFrame:
    """Records that are not ok (failed first, then skipped, each in record order): key, status,
    and the error on one line, truncated to ``max_error_len`` characters."""
    bad = frame[frame["status"] != "ok"]
    bad = bad.assign(_rank=(bad["status"] != "failed").astype(int)).sort_values("_rank", kind="stable")
    return pd.DataFrame(
        {
            "key": list(bad["key"]),
            "status": list(bad["status"]),
            "error": [one_line(e, max_error_len) or MISSING for e in bad["error"]],
        },
        columns=["key", "status", "error"],
    )


def build(inputs: ReportInputs) -> SectionContent:
    return SectionContent(
        [ReportSection("Failures and skips", [Table(failures_table(inputs.frame), "None.")])]
    )


SECTION = Section("failures", build)
