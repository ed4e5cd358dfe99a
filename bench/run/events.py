"""What a run reports while it goes: typed events handed to a callback, never printed here.

The driver (``bench.run.driver``) calls ``on_event(event)`` with one of the dataclasses below; a
view renders them (the CLI: ``bench.cli.views.RunView``), a notebook may collect or ignore them.
A callback must not raise; it runs in the driver's thread, between commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RunPlanned:
    """The run's cells are planned: ``cells`` in all, ``done`` already recorded, ``to_run``, ``skipped``."""

    suite: str
    run_id: str
    cells: int
    done: int
    to_run: int
    skipped: int


@dataclass(frozen=True)
class Notice:
    """A line to show the user as is (e.g. waiting for another run's lock)."""

    text: str


@dataclass(frozen=True)
class ExecutorStarted:
    """The executor is up; ``description`` says what it is (kind, workers, dashboard)."""

    description: str


@dataclass(frozen=True)
class PhaseStarted:
    """A phase of the task graph begins: ``phase`` is ``features``, ``backbones``, ``cells`` or
    ``epochs`` (per-epoch training progress, only from executors that report it); ``total`` units."""

    phase: str
    total: int


@dataclass(frozen=True)
class PhaseProgress:
    """Progress within ``phase``: ``completed`` of ``total`` units (``total`` may change, e.g. epochs)."""

    phase: str
    completed: int
    total: int


@dataclass(frozen=True)
class CellFinished:
    """A cell's record was committed with status ``ok``."""

    key: str
    test_accuracy: float


@dataclass(frozen=True)
class CellFailed:
    """A cell's record was committed with another status (``error``: one line); the run goes on."""

    key: str
    status: str
    error: str


@dataclass(frozen=True)
class ExecutionEnded:
    """The executor is closed (or never started): no phase progress or cell event follows."""


@dataclass(frozen=True)
class ReportStep:
    """The report is being written: what it is doing now (image diagnostics, tables and figures, trends)."""

    text: str


@dataclass(frozen=True)
class ReportWritten:
    """The run's report was written to ``md`` and ``html``."""

    md: str
    html: str


@dataclass(frozen=True)
class Interrupted:
    """Ctrl-C, SIGTERM or SIGHUP (``signal``) stopped the run (``during_report``: while writing the
    report); what finished is saved."""

    run_id: str
    suite_path: str
    during_report: bool
    signal: str = "Ctrl-C"


RunEvent = (
    RunPlanned
    | Notice
    | ExecutorStarted
    | PhaseStarted
    | PhaseProgress
    | CellFinished
    | CellFailed
    | ExecutionEnded
    | ReportWritten
    | Interrupted
)
"""Every event a run reports."""

EventCallback = Callable[[RunEvent], None]
"""What ``run_suite_outcome`` calls with each event."""


def ignore(event: RunEvent) -> None:
    """The callback that drops every event (the default of the library)."""
