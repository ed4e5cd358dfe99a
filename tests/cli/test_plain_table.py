"""``views.plain_table`` draws exactly what rich draws for a plan table, or declines."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from bench.cli import views

COLUMNS = ("cell", "state", "reason")
ROWS = [
    ("urban-synth/classical/q4/l-/-/s0#cdff2991a4", "pending", ""),
    ("urban-synth/quantum/q8/l2/lightning.gpu/s0#0123456789", "skip", "backend lightning.gpu unavailable: x"),
    ("d/quantum~frozen-circuit/q8/l2/default.qubit/f3/s12#aa", "done", ""),
]


def _console(**kwargs) -> Console:
    return Console(file=io.StringIO(), width=views.TABLE_WIDTH, **kwargs)


def _rich(title: str, rows) -> str:
    out = _console()
    out.print(views.table(title, COLUMNS, rows))
    return out.file.getvalue()


@pytest.mark.parametrize("title", ["audio: 3 cells", "suite: 10 cells", "x"])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_same_text_as_rich(title, n):
    rows = ROWS[:n]
    assert views.plain_table(_console(), title, COLUMNS, rows) == _rich(title, rows)


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [("k", "skip", "no module [bold]x")],  # markup
        [("k", "skip", "a:smile:b")],  # an emoji code
        [("k", "skip", "two\nlines")],
        [("k", "skip", "non-ASCII ×")],
        [("k" * 300, "pending", "")],  # wider than the console: rich wraps
    ],
)
def test_declines_what_rich_would_interpret_or_wrap(rows):
    assert views.plain_table(_console(), "t", COLUMNS, rows) is None


def test_declines_a_title_wider_than_the_table_and_a_colour_console():
    assert views.plain_table(_console(), "a title longer than the table", COLUMNS, [("k", "s", "")]) is None
    assert views.plain_table(_console(force_terminal=True), "t", COLUMNS, ROWS) is None
