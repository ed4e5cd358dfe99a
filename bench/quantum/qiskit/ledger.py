"""The job ledger: every IBM job id, written the moment the job is submitted.

One SQLite file per suite (``reports/<suite>/jobs.sqlite``), shared by all its runs. A row is
committed right after ``submit`` returns, before waiting for the result, so a run killed while
jobs are queued loses nothing: the next run finds the job ids of the cell and fetches their
results instead of resubmitting (and paying again). Reported usage (quantum seconds) is added
to the row when the result arrives. Workers in other processes may write concurrently (WAL,
one short transaction per write).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    cell_key TEXT NOT NULL,
    job_index INTEGER NOT NULL,
    job_id TEXT NOT NULL,
    backend TEXT NOT NULL,
    submitted TEXT NOT NULL,
    circuits INTEGER NOT NULL,
    shots INTEGER NOT NULL,
    estimated_seconds REAL NOT NULL,
    usage_seconds REAL,
    PRIMARY KEY (cell_key, job_index)
);
"""


@dataclass(frozen=True)
class JobRow:
    cell_key: str
    job_index: int
    job_id: str
    backend: str
    submitted: str
    circuits: int
    shots: int
    estimated_seconds: float
    usage_seconds: float | None

    @property
    def billed_seconds(self) -> float:
        """Reported usage when known, else the estimate made at submission."""
        return self.usage_seconds if self.usage_seconds is not None else self.estimated_seconds


class JobLedger:
    """Durable record of submitted jobs, keyed by (cell key, job index within the cell)."""

    def __init__(self, path: str | Path):
        from bench.results.store import durable_connection

        self.path = Path(path)
        self._db = durable_connection(self.path, _SCHEMA)

    def jobs_of(self, cell_key: str) -> dict[int, JobRow]:
        """The jobs already submitted for ``cell_key``, by job index."""
        rows = self._db.execute("SELECT * FROM jobs WHERE cell_key = ? ORDER BY job_index", (cell_key,))
        return {row[1]: JobRow(*row) for row in rows.fetchall()}

    def record_submission(
        self,
        cell_key: str,
        job_index: int,
        job_id: str,
        backend: str,
        circuits: int,
        shots: int,
        estimated_seconds: float,
    ) -> None:
        """Commit a just-submitted job (call before waiting for its result)."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (
                    cell_key,
                    job_index,
                    job_id,
                    backend,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    circuits,
                    shots,
                    estimated_seconds,
                ),
            )

    def record_usage(self, job_id: str, seconds: float) -> None:
        """Store the usage (quantum seconds) the service reported for ``job_id``."""
        with self._db:
            self._db.execute("UPDATE jobs SET usage_seconds = ? WHERE job_id = ?", (seconds, job_id))

    def spent_seconds(self, exclude_cell: str | None = None) -> float:
        """QPU seconds of every recorded job (usage, or the estimate while unknown)."""
        rows = self._db.execute(
            "SELECT SUM(COALESCE(usage_seconds, estimated_seconds)) FROM jobs WHERE cell_key != ?",
            (exclude_cell or "",),
        ).fetchone()
        return float(rows[0] or 0.0)

    def close(self) -> None:
        self._db.close()
