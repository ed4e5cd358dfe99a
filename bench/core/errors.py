"""User-facing errors: one line, no traceback, non-zero exit (see ``bench.cli.parser``)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class UserError(Exception):
    """A mistake in the user's input (suite, profile, path, flag).

    The CLI prints ``str(error)`` on one line and exits with ``exit_code`` (2 by default);
    nothing already computed is touched.
    """

    exit_code = 2


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest choice, or ``""`` when none is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def unknown_name_message(kind: str, name: str, choices: Iterable[str]) -> str:
    """The standard text for an unknown plugin name, e.g. ``unknown head 'quantom'; did you mean ...``."""
    choices = sorted(choices)
    return f"unknown {kind} '{name}'{did_you_mean(name, choices)} (allowed: {', '.join(choices)})"
