"""Render a DataFrame of display strings as a markdown (GFM pipe) table or an HTML <table>.

Contract: every cell is turned into one line of text with ``str``; markdown output escapes
``|`` and flattens newlines so each row has exactly as many cells as the header; HTML output
escapes all text. Columns whose non-empty cells all start like a number are right-aligned.
No third-party table library is used.
"""

from __future__ import annotations

import html
import re

import pandas as pd

__all__ = ["html_table", "markdown_table", "numeric_columns", "one_line"]

_NUMERIC = re.compile(r"^[+\-−]?(\d|\.\d)")


def one_line(value: object, max_len: int | None = None) -> str:
    """``str(value)`` on one line (whitespace runs collapsed), truncated to ``max_len`` with ``…``."""
    text = " ".join(str(value).split()) if value is not None else ""
    if max_len is not None and len(text) > max_len:
        text = text[: max_len - 1].rstrip() + "…"
    return text


def _cells(df: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    header = [one_line(c) for c in df.columns]
    rows = [[one_line(v) for v in row] for row in df.itertuples(index=False, name=None)]
    return header, rows


def _right_aligned(rows: list[list[str]], n_cols: int) -> list[bool]:
    out = []
    for j in range(n_cols):
        values = [r[j] for r in rows if r[j] not in ("", "—")]
        out.append(bool(values) and all(_NUMERIC.match(v) for v in values))
    return out


def numeric_columns(df: pd.DataFrame) -> list[bool]:
    """Per column: whether every non-empty cell starts like a number (such columns are right-aligned)."""
    header, rows = _cells(df)
    return _right_aligned(rows, len(header))


def markdown_table(df: pd.DataFrame, auto_align: bool = True) -> str:
    """GFM pipe table (no trailing newline); ``""`` for a frame without columns.
    ``auto_align=False`` left-aligns every column (key/value tables)."""
    if df.shape[1] == 0:
        return ""
    header, rows = _cells(df)
    right = _right_aligned(rows, len(header)) if auto_align else [False] * len(header)

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    rule = "|" + "|".join("---:" if r else ":---" for r in right) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def html_table(df: pd.DataFrame, css_class: str = "data", auto_align: bool = True) -> str:
    """A complete ``<table>`` element with ``<thead>``/``<tbody>``; ``""`` for no columns.
    ``auto_align`` as in ``markdown_table``."""
    if df.shape[1] == 0:
        return ""
    header, rows = _cells(df)
    right = _right_aligned(rows, len(header)) if auto_align else [False] * len(header)
    attrs = [' class="num"' if r else "" for r in right]
    head = "".join(f"<th{a}>{html.escape(h)}</th>" for h, a in zip(header, attrs, strict=True))
    body = "\n".join(
        "<tr>" + "".join(f"<td{a}>{html.escape(c)}</td>" for c, a in zip(r, attrs, strict=True)) + "</tr>"
        for r in rows
    )
    return (
        f'<table class="{html.escape(css_class)}">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table>"
    )
