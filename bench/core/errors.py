"""User-facing errors: one line, no traceback, non-zero exit (see ``bench.cli.parser``)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from bench.core.exit_codes import ExitCode


class UserError(Exception):
    """A mistake in the user's input (suite, profile, path, flag).

    The CLI prints ``str(error)`` on one line and exits with ``exit_code`` (2 by default);
    nothing already computed is touched.
    """

    exit_code = ExitCode.USER_ERROR


def did_you_mean(name: str, choices: Iterable[str], preferred: Iterable[str] = ()) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest choice, or ``""`` when none is close.

    A name that begins several choices (``lightning`` of ``lightning.gpu``, ``lightning.qubit``)
    suggests the first of them in ``preferred`` (the choice a user most likely means, e.g. the
    simulator that runs everywhere), else the shortest; otherwise the closest by spelling."""
    choices, preferred = list(choices), list(preferred)
    extending = sorted(c for c in choices if c.lower().startswith(name.lower()) and c != name)
    if name and extending:
        rank = {c: i for i, c in enumerate(preferred)}
        best = min(extending, key=lambda c: (rank.get(c, len(rank)), len(c)))
        return f"; did you mean '{best}'?"
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def unknown_name_message(kind: str, name: str, choices: Iterable[str], preferred: Iterable[str] = ()) -> str:
    """The standard text for an unknown plugin name, e.g. ``unknown head 'quantom'; did you mean ...``
    (``preferred``: see ``did_you_mean``)."""
    choices = sorted(choices)
    hint = did_you_mean(name, choices, preferred)
    return f"unknown {kind} '{name}'{hint} (allowed: {', '.join(choices)})"


KEPT = (
    "nothing saved before is lost: finished cells stay in the results store and published files "
    "(reports, checkpoints, cache entries) keep their previous version"
)


def os_error_line(exc: OSError, kept: str = KEPT) -> str:
    """One line for a failed file operation: the path, the system's reason with its code
    (``ENOSPC``, ``EACCES``, ``EROFS``, ``EIO``, ...) and what was kept."""
    import errno

    path = exc.filename if exc.filename is not None else "(unknown path)"
    if exc.filename2 is not None:
        path = f"{path} -> {exc.filename2}"
    code = errno.errorcode.get(exc.errno or 0, "")
    reason = f"{exc.strerror or exc} ({code})" if code else f"{exc.strerror or exc}"
    return f"{path}: {reason}; {kept}"
