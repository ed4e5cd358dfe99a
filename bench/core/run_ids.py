"""Run ids and other timestamps in file names: ``YYYYMMDD-HHMMSS`` in UTC, sortable as text."""

from __future__ import annotations

from datetime import UTC, datetime

RUN_ID_FORMAT = "%Y%m%d-%H%M%S"
"""``strftime`` format of a run id (the run's start, UTC), e.g. ``20261203-141958``."""


def timestamp_id(when: datetime | None = None) -> str:
    """``when`` (default: now) in UTC as ``RUN_ID_FORMAT``."""
    return (when or datetime.now(UTC)).astimezone(UTC).strftime(RUN_ID_FORMAT)
