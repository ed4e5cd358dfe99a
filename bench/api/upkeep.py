"""Upkeep: salvage a damaged results store (``python -m bench repair``), check the verdict's
statistics (``python -m bench stats-check``), and the option reference (``python -m bench options``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.api.suites import PathLike, folders
from bench.core.errors import UserError
from bench.core.exit_codes import ExitCode
from bench.spec.loader import load_suite

if TYPE_CHECKING:
    from bench.results.repair import RepairResult
    from bench.stats.calibration import RegimeResult


@dataclass(frozen=True)
class RepairOutcome:
    """What ``repair`` did to the store at ``path``: nothing when it was healthy, else the salvage."""

    path: Path
    result: RepairResult | None  # kept/lost records and runs, where the damaged file went; None: healthy

    @property
    def healthy(self) -> bool:
        return self.result is None


def repair(
    suite: PathLike,
    *,
    reports_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
    on_notice: Callable[[str], None] = lambda line: None,
) -> RepairOutcome:
    """Rebuild the suite's results store from its readable records, under the run lock (waiting
    for a run that holds it; ``on_notice`` gets the waiting line); the damaged file is moved aside.
    A healthy store is left as it is. ``UserError`` when the suite has no store."""
    from bench.results.repair import damage, repair_store
    from bench.run.lock import run_lock

    spec, options = load_suite(suite), folders(reports_dir, cache_dir)
    layout = options.layout(spec)
    if not layout.store.exists():
        raise UserError(f"{suite}: no results store at {layout.store} (nothing to repair)")
    with run_lock(layout.lock, True, on_notice):
        if damage(layout.store) is None:
            return RepairOutcome(layout.store, None)
        return RepairOutcome(layout.store, repair_store(layout.store))


@dataclass(frozen=True)
class StatisticsCheck:
    """The calibration of the verdict's paired test on simulated studies, per regime."""

    rule: str  # "current" (the report's test) or "legacy"
    replicates: int  # null studies per regime (half as many per planted effect)
    regimes: list[RegimeResult]  # FPR with its Monte-Carlo interval, coverage, power
    lines: list[str]  # the printed table, one line per regime
    summary: str  # pass/fail over all regimes with the Monte-Carlo sizes

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.regimes)

    @property
    def exit_code(self) -> ExitCode:
        """``OK`` when every regime passes, else ``CELL_FAILED`` (a failed benchmark check)."""
        return ExitCode.OK if self.passed else ExitCode.CELL_FAILED


def check_statistics(
    rule: str = "current", *, replicates: int = 2000, seed: int = 0, quick: bool = False
) -> StatisticsCheck:
    """``bench.stats.calibration`` on every regime (``quick``: the 4 regimes CI runs, else all 48):
    ``replicates`` simulated null studies per regime (>= 10), deterministic for ``seed``
    (docs/statistics.md)."""
    from bench.stats import calibration

    if replicates < 10:
        raise UserError(f"--replicates: must be >= 10 (got {replicates})")
    if rule not in calibration.RULES:
        raise UserError(f"--rule: unknown rule '{rule}' (allowed: {', '.join(calibration.RULES)})")
    regimes = list(calibration.QUICK_REGIMES) if quick else calibration.default_regimes()
    results = calibration.calibrate(regimes, rule, replicates, seed=seed)
    summary = calibration.summary_line(results, replicates, max(1, replicates // 2))
    return StatisticsCheck(rule, replicates, results, calibration.report_lines(results), summary)


def option_reference() -> str:
    """The reference of every suite key, backend-profile and sweep option and every plugin option,
    with defaults, as Markdown (``docs/options.md`` is this text)."""
    from bench.api.reference import options_markdown

    return options_markdown()


def write_option_reference(path: PathLike | None = None) -> Path:
    """Write ``option_reference()`` to ``path`` (default: ``docs/options.md`` of this checkout),
    replaced atomically; returns the path."""
    from bench.api.reference import OPTIONS_PAGE
    from bench.core.files import write_text_atomic

    out = Path(path) if path is not None else OPTIONS_PAGE
    write_text_atomic(out, option_reference())
    return out
