"""What a run did: its summary (``RunSummary``, stored with the run) and the outcome a caller gets back."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from bench.core.exit_codes import ExitCode

COUNTS = ("cells_total", "cells_ok", "cells_failed", "cells_skipped", "cells_reused", "cells_run_now")
"""The cell counts of a summary, in the order ``run --json`` prints them."""


@dataclass
class RunSummary:
    """One run's summary, as the store keeps it (``ResultsStore.finish_run``) and the report shows it.

    Counts are over the suite's planned cells: ``cells_ok``/``failed``/``skipped`` have a record of
    that status in the run, ``cells_reused`` were done before this invocation (resumed or copied
    from an earlier run), ``cells_run_now`` were executed by it. Times are UTC ISO 8601.
    """

    suite: str
    suite_path: str
    suite_hash: str
    backbone_protocol: str
    run_id: str
    started: str
    finished: str
    wall_s: float
    cells_total: int
    cells_ok: int
    cells_failed: int
    cells_skipped: int
    cells_reused: int
    cells_run_now: int
    provenance: dict[str, Any] = field(default_factory=dict)
    policy: str = ""
    """How the run began: ``resume``, ``new`` or ``changed-only`` (``bench.history.runs``)."""
    executor: str = ""
    """The executor that ran the cells (``sequential``, ``process``, ``dask``); "" in older runs."""
    workers: int = 0
    """Its workers (1 for sequential); 0 in older runs. With ``wall_s`` it calibrates ``plan``'s estimate."""

    def to_dict(self) -> dict[str, Any]:
        """The stored form (JSON-serialisable), keys in field order."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RunSummary:
        """A summary from its stored form; keys it does not know are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in names})


@dataclass
class RunOutcome:
    """What one run invocation did: its exit code, summary and report paths (empty without a report)."""

    exit_code: ExitCode
    summary: RunSummary
    reports: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``run --json`` document: exit code, run id, counts, wall time, report paths."""
        s = self.summary
        return {
            "exit_code": int(self.exit_code),
            "suite": s.suite,
            "run_id": s.run_id,
            "policy": s.policy,
            "started": s.started,
            "finished": s.finished,
            "wall_s": s.wall_s,
            **{k: getattr(s, k) for k in COUNTS},
            "reports": self.reports,
        }
