"""The driver: plan, run pending cells through an executor, commit each record, write the report.

Only this module writes the results store, holding the store's run lock (``bench.run.lock``)
from start to end. Each invocation writes into one run (``bench.history.runs``: the latest run
resumed, or a new one with ``new_run``). A failing cell is stored with its error and the run
goes on; Ctrl-C stops after committing what finished (re-run ``bench run SUITE`` without
``--new-run`` to resume). The exit code is 0 when no cell failed, 1 when any did, 130 when
interrupted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.cell.run import blank_record, failed_record
from bench.core.provenance import provenance
from bench.core.registry import EXECUTORS
from bench.history.runs import begin_run, copy_reused, plan_reuse
from bench.plan.budget import check_budget
from bench.plan.grid import Cell
from bench.plan.planner import PlannedCell, plan
from bench.results.record import Record
from bench.results.store import ResultsStore
from bench.run.executors import Executor, TaskError
from bench.run.lock import run_lock
from bench.run.options import RunOptions, checkpoints_dir, jobs_path, open_store, suite_dir
from bench.run.preflight import preflight
from bench.run.tasks import BackboneTask, CellTask, FeaturesTask, task_graph
from bench.spec.suite import Suite


@dataclass
class RunOutcome:
    """What one ``bench run`` did: exit code, the run's summary, report paths (may be empty)."""

    exit_code: int
    summary: dict = field(default_factory=dict)
    reports: dict[str, str] = field(default_factory=dict)


def _skipped(p: PlannedCell) -> Record:
    record = blank_record(p.cell, "skipped", p.reason)
    record.provenance = {**provenance(), "suite_hash": p.cell.suite.hash}
    return record


def _describe(record: Record) -> str:
    if record.status == "ok":
        return f"[green]ok[/] {record.key.split('#')[0]}  acc={record.metrics['test_accuracy']:.3f}"
    return f"[red]{record.status}[/] {record.key.split('#')[0]}  {record.error}"


def write_run_report(
    suite: Suite, suite_path: Path, store: ResultsStore, run_id: str, summary: dict, options: RunOptions
) -> dict[str, Path]:
    """(Re)generate ``reports/<suite>/<run_id>/index.{md,html}`` from the store; the image
    diagnostics arrays (``bench.cell.diagnostics``) are computed first, into ``<run_id>/diagnostics/``."""
    from bench.cell.diagnostics import image_diagnostics
    from bench.plan.grid import expand
    from bench.report import write_report
    from bench.report.images import image_sections

    records = store.get([c.key for c in expand(suite)], run_id=store_run_id(store, run_id))
    out_dir = suite_dir(suite, options) / run_id
    diagnostics = image_diagnostics(
        suite, records, options.cache_dir, checkpoints_dir(suite, options), out_dir / "diagnostics"
    )
    sections = image_sections(records, diagnostics, out_dir / "figures")
    paths = write_report(records, out_dir, summary, sections)
    latest = suite_dir(suite, options) / "latest"
    latest.unlink(missing_ok=True)
    latest.symlink_to(run_id, target_is_directory=True)
    return paths


def store_run_id(store: ResultsStore, run_id: str) -> str | None:
    """``run_id`` when the store has that run, else ``None`` (the store's latest view)."""
    return run_id if store.run(run_id) is not None else None


def run_suite(suite: Suite, suite_path: Path, options: RunOptions, console: Console | None = None) -> int:
    """Run every pending cell of ``suite``; return the process exit code."""
    return run_suite_outcome(suite, suite_path, options, console).exit_code


def run_suite_outcome(
    suite: Suite, suite_path: Path, options: RunOptions, console: Console | None = None
) -> RunOutcome:
    """``run_suite`` under the store's run lock, then the suite's trends page; returns the outcome."""
    console = console or Console(stderr=True)
    preflight(suite, suite_path, options)
    say = partial(console.print, soft_wrap=True, markup=False, highlight=False)
    with run_lock(suite_dir(suite, options) / "run.lock", options.wait, say):
        outcome = _run_locked(suite, suite_path, options, console)
        if options.report and outcome.exit_code != 130:  # Ctrl-C: stop now, the next run rewrites it
            outcome.reports.update(write_trends_page(suite, suite_path, options))
    return outcome


def write_trends_page(suite: Suite, suite_path: Path, options: RunOptions) -> dict[str, str]:
    """Rewrite ``reports/<suite>/trends/index.{md,html}`` from every run in the store."""
    from bench.history.trends import write_trends

    store = open_store(suite, options, read_only=True, suite_path=suite_path)
    try:
        paths = write_trends(store, suite.name, suite_dir(suite, options) / "trends")
    finally:
        store.close()
    return {f"trends_{k}": str(v) for k, v in paths.items()}


def _start(suite: Suite, suite_path: Path, options: RunOptions, started: datetime):
    """Open the store, begin or resume the run, plan its cells and copy the reusable ones in."""
    store = open_store(suite, options, suite_path=suite_path)
    try:
        run = begin_run(store, options.new_run, options.changed_only, started)
        planned, reuse = plan_reuse(store, run, plan(suite, None), options.force)
        copy_reused(store, run, reuse)
    except BaseException:
        store.close()
        raise
    return store, run, planned


def _run_locked(suite: Suite, suite_path: Path, options: RunOptions, console: Console) -> RunOutcome:
    started, t0 = datetime.now(UTC), time.perf_counter()
    store, run, planned = _start(suite, suite_path, options, started)
    run_id = run.run_id
    try:
        check_budget(suite, suite_path, planned, jobs_path(suite, options))
    except Exception:
        store.close()
        raise
    for p in planned:
        if p.state == "skip":
            store.put(_skipped(p), run_id)
    todo: list[Cell] = [p.cell for p in planned if p.state in ("pending", "retry")]
    counts = {s: sum(p.state == s for p in planned) for s in ("done", "pending", "retry", "skip")}
    console.print(
        f"[bold]{suite.name}[/]: {len(planned)} cells - {counts['done']} done, "
        f"{counts['pending'] + counts['retry']} to run, {counts['skip']} skipped"
    )
    executor = make_executor(options)
    failed = 0
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:

        def commit(record: Record) -> None:
            nonlocal failed
            store.put(record, run_id)
            failed += record.status == "failed"
            progress.console.print(_describe(record))

        interrupted = execute(executor, todo, suite, options, progress, commit, run.fresh_after)
    summary = _summary(suite, suite_path, run_id, started, time.perf_counter() - t0, store, planned)
    summary["policy"] = run.policy
    store.finish_run(run_id, "incomplete" if interrupted else _state(summary), summary)
    paths = _report_unless_interrupted(suite, suite_path, store, run_id, summary, options, console)
    store.close()
    if paths is None:
        console.print(
            "[yellow]interrupted while writing the report[/]: every result is saved; "
            f"`python -m bench report {suite_path}` writes the report again",
            soft_wrap=True,
        )
        return RunOutcome(130, summary, {})
    code = 130 if interrupted else (1 if failed else 0)
    if interrupted:
        console.print(
            f"[yellow]interrupted[/]: finished cells are saved in run {run_id}; "
            "`bench run SUITE` (without --new-run) resumes it",
            soft_wrap=True,
        )
    return RunOutcome(code, summary, {k: str(v) for k, v in paths.items()})


def _state(summary: dict) -> str:
    """``complete`` when every planned cell has a record in the run."""
    recorded = summary["cells_ok"] + summary["cells_failed"] + summary["cells_skipped"]
    return "complete" if recorded == summary["cells_total"] else "incomplete"


def _report_unless_interrupted(suite, suite_path, store, run_id, summary, options, console) -> dict | None:
    """Write the run's report (when ``options.report``) and print where it is; its paths (``{}``
    without a report), or ``None`` when Ctrl-C stopped it (results are committed before it)."""
    if not options.report:
        return {}
    try:
        paths = write_run_report(suite, suite_path, store, run_id, summary, options)
    except KeyboardInterrupt:
        return None
    console.print(f"report: {paths['md']}  {paths['html']}")
    return paths


def make_executor(options: RunOptions) -> Executor:
    """The executor ``options`` name, built with its options (``RunOptions.executor_options``)."""
    return EXECUTORS.get(options.executor)(options.workers, **options.executor_options)


def shared_dirs(suite: Suite, options: RunOptions) -> list[Path]:
    """Directories every worker writes to and must see as the driver does: cache and suite folder."""
    return [options.cache_dir.resolve(), suite_dir(suite, options).resolve()]


def execute(
    executor: Executor,
    cells: list[Cell],
    suite: Suite,
    options: RunOptions,
    progress: Progress,
    commit: Callable[[Record], None],
    fresh_after: float | None = None,
) -> bool:
    """Run ``cells`` (and their backbones) through ``executor``; ``commit`` each record the moment
    it arrives (``fresh_after``: a new run's cache cut-off, ``bench.results.cache``). Returns True
    when interrupted (Ctrl-C): what finished is committed, the executor cancels the rest and closes
    what it started."""
    if not cells:
        return False
    on_epoch = None
    if executor.supports_progress:

        def on_epoch(done: int, total: int) -> None:
            progress.update(epochs_bar, completed=done, total=total)

    graph = task_graph(
        cells,
        str(options.cache_dir.resolve()),
        str(checkpoints_dir(suite, options).resolve()),
        str(jobs_path(suite, options).resolve()),
        on_epoch,
        fresh_after,
    )
    prep_bars = {
        kind: progress.add_task(label, total=sum(isinstance(n.arg, kind) for n in graph))
        for kind, label in ((FeaturesTask, "features"), (BackboneTask, "backbones"))
    }
    cells_bar = progress.add_task("cells", total=len(cells))
    epochs_bar = progress.add_task("epochs", total=1, visible=on_epoch is not None)
    try:
        executor.start(shared_dirs(suite, options))
        progress.console.print(executor.describe())
        with closing(executor.run_graph(graph)) as results:
            for node, result in results:
                if type(node.arg) in prep_bars:
                    progress.advance(prep_bars[type(node.arg)])
                    continue
                commit(_cell_record(node.arg, result))
                progress.advance(cells_bar)
    except KeyboardInterrupt:
        return True
    finally:
        executor.close()
    return False


def _cell_record(task: CellTask, result: Record | TaskError) -> Record:
    if isinstance(result, TaskError):
        result = failed_record(task.cell, result.reason)
        result.provenance = {**provenance(), "suite_hash": task.cell.suite.hash}
    return result


def _summary(suite, suite_path, run_id, started, wall_s, store, planned) -> dict:
    status = store.status_of(run_id)
    keys = [p.cell.key for p in planned]
    states = [status.get(k) for k in keys]
    done_before = sum(p.state == "done" for p in planned)
    return {
        "suite": suite.name,
        "suite_path": str(suite_path),
        "suite_hash": suite.hash,
        "backbone_protocol": suite.backbone.protocol,
        "run_id": run_id,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_s": round(wall_s, 2),
        "cells_total": len(keys),
        "cells_ok": states.count("ok"),
        "cells_failed": states.count("failed"),
        "cells_skipped": states.count("skipped"),
        "cells_reused": done_before,
        "cells_run_now": sum(s in ("ok", "failed") for s in states) - done_before,
        "provenance": provenance(),
    }
