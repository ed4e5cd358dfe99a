"""Subsets of a suite's cells: ``--only PATTERN`` on ``run``, ``plan`` and ``report``.

A pattern is matched against each cell's readable key (``digits/quantum/q4/l1/default.qubit/s0``,
the key without its ``#hash``) and its full key:

* ``re:REGEX`` - a Python regular expression, found anywhere in the key (``re.search``);
* a glob with ``*``, ``?`` or ``[...]`` - the whole key must match (``fnmatch``, case-sensitive),
  e.g. ``*/quantum/*/s0``;
* any other text - a substring of the key, e.g. ``quantum`` or ``/s0``.

A cell is selected when any pattern matches it. The matched controls of a selected treatment
(same dataset, seed, qubits, layers and treatment head) follow it unless ``controls=False``, so a
subset keeps its Verdict; a control can also be selected on its own. Selecting changes no key and
no record: a subset run stores the same records the full run would.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bench.core.errors import UserError
from bench.plan.grid import Cell

GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Pattern:
    """One ``--only`` pattern, parsed (see the module docstring)."""

    text: str

    def __post_init__(self) -> None:
        if self.text.startswith("re:"):
            try:
                re.compile(self.text[3:])
            except re.error as exc:
                raise UserError(f"--only: '{self.text}' is not a valid regular expression ({exc})") from None
        elif not self.text:
            raise UserError("--only: an empty pattern (give a glob, a substring or re:REGEX)")

    def matches(self, key: str) -> bool:
        readable = key.split("#", 1)[0]
        if self.text.startswith("re:"):
            regex = re.compile(self.text[3:])
            return bool(regex.search(readable) or regex.search(key))
        if GLOB_CHARS & set(self.text):
            return fnmatch.fnmatchcase(readable, self.text) or fnmatch.fnmatchcase(key, self.text)
        return self.text in key


def _treatment_id(cell: Cell) -> tuple:
    return (cell.dataset.label, cell.seed, cell.treatment or cell.head.label, cell.n_qubits, cell.n_layers)


def select_cells(cells: Sequence[Cell], patterns: Sequence[str], controls: bool = True) -> list[Cell]:
    """The cells (in grid order) matching any of ``patterns``, with the controls of matched
    treatments unless ``controls`` is False; every cell when ``patterns`` is empty. ``UserError``
    when a pattern matches no cell (naming it and a few keys)."""
    if not patterns:
        return list(cells)
    parsed = [Pattern(p) for p in patterns]
    for p in parsed:
        if not any(p.matches(c.key) for c in cells):
            examples = ", ".join(c.key.split("#")[0] for c in list(cells)[:3])
            raise UserError(f"--only: '{p.text}' matches no cell (keys look like: {examples}, ...)")
    chosen = {c.key for c in cells if any(p.matches(c.key) for p in parsed)}
    if controls:
        treated = {_treatment_id(c) for c in cells if c.key in chosen and c.control is None}
        chosen |= {c.key for c in cells if c.control is not None and _treatment_id(c) in treated}
    return [c for c in cells if c.key in chosen]
