"""What a command writes to standard output (its result: ``--json`` documents, tables), checked.

``emit(text)`` writes and flushes ``text`` plus a newline; a stdout that cannot take it (a full disk,
``/dev/full``, a closed pipe) raises ``StdoutError``, which the command line turns into one line on
stderr (exit 2) instead of a traceback. Progress and messages go to stderr, never through here.
"""

from __future__ import annotations

import os
import sys

__all__ = ["StdoutError", "emit", "stdout_problem"]


class StdoutError(Exception):
    """Standard output could not be written (full, closed, a broken pipe)."""


def stdout_problem(exc: BaseException) -> str:
    """The one line for a failed write to stdout; stdout then goes to the null device, so that the
    process does not fail on it again when it exits."""
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process ends
    reason = getattr(exc, "strerror", None) or str(exc)
    return f"cannot write to standard output ({reason})"


def emit(text: str) -> None:
    """Write ``text`` and a newline to stdout and flush; ``StdoutError`` when that fails."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        raise StdoutError(stdout_problem(exc)) from None
