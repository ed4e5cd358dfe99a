"""The process exit codes every command uses (docs/scheduled-jobs.md)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a command's exit status means; a scheduler branches on these values."""

    OK = 0
    """Everything asked for was done."""
    CELL_FAILED = 1
    """At least one cell (or sweep point, or benchmark check) failed; the others were kept."""
    USER_ERROR = 2
    """Bad input, or the store cannot be used: one line on stderr, nothing computed was touched."""
    REGRESSION = 3
    """``compare`` flagged a regression."""
    WAIT_EXPIRED = 4
    """``run`` stopped because a bounded wait ran out (no live Dask worker for ``--worker-timeout``
    seconds); every finished cell is kept and the run is ``incomplete``: ``bench run SUITE`` resumes."""
    HANGUP = 129
    """SIGHUP (the terminal or ssh session closed), handled like Ctrl-C."""
    INTERRUPTED = 130
    """Ctrl-C (SIGINT) at any phase; what finished is already committed."""
    TERMINATED = 143
    """SIGTERM (a batch system's time limit, ``systemctl stop``, ``timeout``), handled like Ctrl-C."""
