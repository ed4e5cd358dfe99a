"""The driver: plan, run pending cells through an executor, commit each record, write the report.

Only this module writes the results store, holding the store's run lock (``bench.run.lock``)
from start to end. Each invocation writes into one run (``bench.history.runs``: the latest run
resumed, or a new one with ``new_run``). A failing cell is stored with its error and the run
goes on; Ctrl-C, SIGTERM or SIGHUP stop after committing what finished (re-run ``bench run SUITE``
without ``--new-run`` to resume). The exit code is 0 when no cell failed, 1 when any did, 130 when
interrupted by Ctrl-C, 143 by SIGTERM, 129 by SIGHUP (``bench.run.interrupts``).

A re-run with nothing to compute imports no torch, PennyLane or pandas: the cell and task modules
are imported when a cell runs, the report and trends code only when a page is rewritten.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bench.core.errors import UserError, os_error_line
from bench.core.exit_codes import ExitCode
from bench.core.files import replace_symlink
from bench.core.hashing import canonical_json
from bench.core.provenance import provenance
from bench.core.registry import DATASETS, EXECUTORS
from bench.history.pilot import record_pilot
from bench.history.runs import begin_run, copy_reused, plan_reuse
from bench.plan.budget import check_budget
from bench.plan.grid import Cell, expand
from bench.plan.planner import PlannedCell, plan
from bench.results.record import Record
from bench.results.store import ResultsStore
from bench.run import events, report_inputs
from bench.run.events import EventCallback
from bench.run.executors import Executor, RunStopped, TaskError
from bench.run.interrupts import interrupt_exit_code, interruption_name
from bench.run.lock import run_lock
from bench.run.options import RunOptions, open_store
from bench.run.outcome import RunOutcome, RunSummary
from bench.run.preflight import preflight
from bench.spec.suite import Suite

if TYPE_CHECKING:
    from bench.run.tasks import CellTask


def _skipped(p: PlannedCell) -> Record:
    from bench.cell.run import blank_record

    record = blank_record(p.cell, "skipped", p.reason)
    record.provenance = {**provenance(), "suite_hash": p.cell.suite.hash}
    return record


def _committed(record: Record) -> events.CellFinished | events.CellFailed:
    """The event of a committed cell record."""
    if record.status == "ok":
        return events.CellFinished(record.key, record.metrics["test_accuracy"])
    return events.CellFailed(record.key, record.status, record.error or "")


def write_run_report(
    suite: Suite,
    suite_path: Path,
    store: ResultsStore,
    run_id: str,
    summary: dict,
    options: RunOptions,
    per_fold: bool = False,
    on_event: EventCallback = events.ignore,
    say: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """(Re)generate ``reports/<suite>/<run_id>/index.{md,html}`` from the store; the image
    diagnostics arrays (``bench.cell.diagnostics``) are computed first, into ``<run_id>/diagnostics/``.

    Tables, figures and verdicts aggregate over folds x seeds; ``per_fold`` reports every fold as
    a dataset of its own instead (``bench.report.frame.per_fold``). With ``say`` (the driver's
    runs), a report whose inputs are unchanged (``bench.run.report_inputs``) is not rewritten and
    ``say`` is told so in one line."""
    cells = expand(suite)
    if options.only:  # `report --only` (and a subset run's report): the selected cells only
        from bench.plan.select import select_cells

        cells = select_cells(cells, options.only, options.with_controls)
    records = store.get([c.key for c in cells], run_id=store_run_id(store, run_id))
    layout = options.layout(suite)
    out_dir = layout.report(run_id)
    digest = report_inputs.inputs_digest(records, report_inputs.suite_bytes(suite_path), str(per_fold))
    if say is not None and report_inputs.current(out_dir, digest):
        say(report_inputs.UNCHANGED)
        replace_symlink(layout.latest, run_id)
        return {"md": out_dir / "index.md", "html": out_dir / "index.html"}
    from bench.cell.diagnostics import image_diagnostics
    from bench.report import write_report
    from bench.report.frame import per_fold as by_fold

    summary = {**summary, **suite_summary(suite, store, run_id)}
    if any(DATASETS.get(d.name).modality == "image" for d in suite.datasets):
        on_event(events.ReportStep("report: image diagnostics (misclassified images, Grad-CAM)"))
    diagnostics = image_diagnostics(
        suite, records, options.cache_dir, layout.checkpoints, out_dir / "diagnostics"
    )
    on_event(events.ReportStep(f"report: tables, statistics and figures of {len(records)} records"))
    paths = write_report(by_fold(records) if per_fold else records, out_dir, summary, diagnostics)
    report_inputs.mark(out_dir, digest)
    replace_symlink(layout.latest, run_id)
    return paths


def suite_summary(suite: Suite, store: ResultsStore, run_id: str) -> dict:
    """What a report says about the suite and the run besides the cells: the description, the
    settings as loaded (YAML, every default explicit) and the run's true start (a resumed run keeps
    the time it was first started)."""
    import yaml

    settings = yaml.safe_dump(suite.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    out = {"description": suite.description.strip(), "settings_yaml": settings}
    info = store.run(run_id)
    if info is not None and info.started:
        out["started"] = datetime.fromisoformat(info.started).isoformat(timespec="seconds")
    return out


def store_run_id(store: ResultsStore, run_id: str) -> str | None:
    """``run_id`` when the store has that run, else ``None`` (the store's latest view)."""
    return run_id if store.run(run_id) is not None else None


def run_suite(
    suite: Suite, suite_path: Path, options: RunOptions, on_event: EventCallback = events.ignore
) -> int:
    """Run every pending cell of ``suite``; return the process exit code."""
    return run_suite_outcome(suite, suite_path, options, on_event).exit_code


def run_suite_outcome(
    suite: Suite, suite_path: Path, options: RunOptions, on_event: EventCallback = events.ignore
) -> RunOutcome:
    """``run_suite`` under the store's run lock, then the suite's trends page; returns the outcome.
    Progress is reported to ``on_event`` (``bench.run.events``); nothing is printed."""
    preflight(suite, suite_path, options)
    if options.only:  # a pattern matching nothing is refused before a run is registered
        from bench.plan.select import select_cells

        select_cells(expand(suite), options.only, options.with_controls)

    def say(line: str) -> None:
        on_event(events.Notice(line))

    with run_lock(options.layout(suite).lock, options.wait, say):
        outcome = _run_locked(suite, suite_path, options, on_event)
        if options.report and outcome.exit_code != interrupt_exit_code():  # stopped: the next run rewrites it
            on_event(events.ReportStep("report: trends page of every run in the store"))
            outcome.reports.update(write_trends_page(suite, suite_path, options, say))
    return outcome


def write_trends_page(
    suite: Suite, suite_path: Path, options: RunOptions, say: Callable[[str], None] | None = None
) -> dict[str, str]:
    """Rewrite ``reports/<suite>/trends/index.{md,html}`` from every run in the store; with
    ``say``, not when its inputs (every run's id, state, provenance and record stamp) are unchanged."""
    folder = options.layout(suite).trends
    with open_store(suite, options, read_only=True, suite_path=suite_path) as store:
        runs = store.run_list()  # a run's stamp changes with any record of it: no record is read here
        ids = [(r.run_id, r.state, r.started, r.provenance, store.run_stamp(r.run_id)) for r in runs]
        digest = report_inputs.inputs_digest([], canonical_json(ids))
        if say is not None and report_inputs.current(folder, digest):
            say(f"trends page unchanged: {folder}")
            return {f"trends_{k[6:]}": str(folder / k) for k in report_inputs.PAGES}
        from bench.history.trends import write_trends

        paths = write_trends(store, suite.name, folder)
    report_inputs.mark(folder, digest)
    return {f"trends_{k}": str(v) for k, v in paths.items()}


def _start(suite: Suite, suite_path: Path, options: RunOptions, started: datetime):
    """Open the store, begin or resume the run, plan its cells and copy the reusable ones in."""
    store = open_store(suite, options, suite_path=suite_path)
    try:
        run = begin_run(store, options.new_run, options.changed_only, started)
        planned, reuse = plan_reuse(store, run, selected(plan(suite, None), options), options.force)
        copy_reused(store, run, reuse)
    except BaseException:
        store.close()
        raise
    return store, run, planned


def selected(planned: list[PlannedCell], options: RunOptions) -> list[PlannedCell]:
    """The planned cells ``options.only`` selects (``bench.plan.select``; all without patterns)."""
    if not options.only:
        return planned
    from bench.plan.select import select_cells

    keys = {c.key for c in select_cells([p.cell for p in planned], options.only, options.with_controls)}
    return [p for p in planned if p.cell.key in keys]


def _run_locked(suite: Suite, suite_path: Path, options: RunOptions, on_event: EventCallback) -> RunOutcome:
    started, t0 = datetime.now(UTC), time.perf_counter()
    store, run, planned = _start(suite, suite_path, options, started)
    with store:
        return _run_in_store(store, run, planned, suite, suite_path, options, on_event, (started, t0))


def _run_in_store(store, run, planned, suite, suite_path, options, on_event, clock) -> RunOutcome:
    """Run the planned cells into ``run`` of the open ``store``, then its report; ``clock`` is the
    run's ``(start time, perf_counter at start)``."""
    (started, t0), run_id = clock, run.run_id
    check_budget(suite, suite_path, planned, options.layout(suite).jobs)
    for p in planned:
        if p.state == "skip":
            store.put(_skipped(p), run_id)
    todo: list[Cell] = [p.cell for p in planned if p.state in ("pending", "retry")]
    counts = {s: sum(p.state == s for p in planned) for s in ("done", "pending", "retry", "skip")}
    to_run = counts["pending"] + counts["retry"]
    on_event(events.RunPlanned(suite.name, run_id, len(planned), counts["done"], to_run, counts["skip"]))
    executor = make_executor(options)
    failed = 0

    def commit(record: Record) -> None:
        nonlocal failed
        store.put(record, run_id)
        failed += record.status == "failed"
        on_event(_committed(record))

    try:
        interrupted = execute(executor, todo, suite, options, on_event, commit, run.fresh_after)
    except RunStopped:  # a bounded wait ran out: keep what finished, mark the run, say why (exit 4)
        summary = _summary(suite, suite_path, run_id, started, time.perf_counter() - t0, store, planned)
        summary.policy = run.policy
        store.finish_run(run_id, "incomplete", summary.to_dict())
        store.close()
        raise
    finally:
        on_event(events.ExecutionEnded())
    summary = _summary(suite, suite_path, run_id, started, time.perf_counter() - t0, store, planned)
    summary.policy = run.policy
    summary.executor = options.executor
    summary.workers = 1 if options.executor == "sequential" else options.workers
    subset = bool(options.only) and len(planned) < len(expand(suite))  # a run of part of the suite
    state = "incomplete" if interrupted or subset else _state(summary)
    store.finish_run(run_id, state, summary.to_dict())
    try:
        paths = _report_unless_interrupted(
            suite, suite_path, store, run_id, summary.to_dict(), options, on_event
        )
        if paths:  # beside the report: the seeds-needed pilot `plan` prints, kept (bench.history.pilot)
            record_pilot(store)
    finally:
        store.close()
    signal_name = interruption_name()
    if paths is None:
        on_event(events.Interrupted(run_id, str(suite_path), during_report=True, signal=signal_name))
        return RunOutcome(interrupt_exit_code(), summary, {})
    if interrupted:
        on_event(events.Interrupted(run_id, str(suite_path), during_report=False, signal=signal_name))
        return RunOutcome(interrupt_exit_code(), summary, {k: str(v) for k, v in paths.items()})
    code = ExitCode.CELL_FAILED if failed else ExitCode.OK
    return RunOutcome(code, summary, {k: str(v) for k, v in paths.items()})


def _state(summary: RunSummary) -> str:
    """``complete`` when every planned cell has a record in the run."""
    recorded = summary.cells_ok + summary.cells_failed + summary.cells_skipped
    return "complete" if recorded == summary.cells_total else "incomplete"


def _report_unless_interrupted(suite, suite_path, store, run_id, summary, options, on_event) -> dict | None:
    """Write the run's report (when ``options.report``) and print where it is; its paths (``{}``
    without a report), or ``None`` when Ctrl-C stopped it (results are committed before it)."""
    if not options.report:
        return {}
    try:
        paths = write_run_report(
            suite,
            suite_path,
            store,
            run_id,
            summary,
            options,
            say=lambda line: on_event(events.Notice(line)),
            on_event=on_event,
        )
    except KeyboardInterrupt:
        return None
    except OSError as exc:  # disk full, read-only, I/O error: every file written so far is whole
        kept = (
            f"while writing the report of run {run_id}: every result is saved and the previous report "
            f"is unchanged; `python -m bench report {suite_path}` writes it again"
        )
        raise UserError(os_error_line(exc, kept)) from None
    on_event(events.ReportWritten(str(paths["md"]), str(paths["html"])))
    return paths


def make_executor(options: RunOptions) -> Executor:
    """The executor ``options`` name, built with its options (``RunOptions.executor_options``)."""
    return EXECUTORS.get(options.executor)(options.workers, **options.executor_options)


def shared_dirs(suite: Suite, options: RunOptions) -> list[Path]:
    """Directories every worker writes to and must see as the driver does: cache and suite folder."""
    return [options.cache_dir.resolve(), options.layout(suite).folder.resolve()]


def execute(
    executor: Executor,
    cells: list[Cell],
    suite: Suite,
    options: RunOptions,
    on_event: EventCallback,
    commit: Callable[[Record], None],
    fresh_after: float | None = None,
) -> bool:
    """Run ``cells`` (and their backbones) through ``executor``; ``commit`` each record the moment
    it arrives (``fresh_after``: a new run's cache cut-off, ``bench.results.cache``). Returns True
    when interrupted (Ctrl-C): what finished is committed, the executor cancels the rest and closes
    what it started. Phases and their progress go to ``on_event``."""
    if not cells:
        return False
    if options.executor == "process":  # the workers' warm server imports while this process does
        from bench.run.worker_server import start_worker_server

        start_worker_server()
    from bench.run.tasks import BackboneTask, CellTask, FeaturesTask, task_graph

    on_epoch = None
    if executor.supports_progress:

        def on_epoch(done: int, total: int) -> None:
            on_event(events.PhaseProgress("epochs", done, total))

    graph = task_graph(
        cells,
        str(options.cache_dir.resolve()),
        str(options.layout(suite).checkpoints.resolve()),
        str(options.layout(suite).jobs.resolve()),
        on_epoch,
        fresh_after,
    )
    phases = {FeaturesTask: "features", BackboneTask: "backbones", CellTask: "cells"}
    totals = {phase: sum(isinstance(n.arg, kind) for n in graph) for kind, phase in phases.items()}
    for phase, total in totals.items():
        on_event(events.PhaseStarted(phase, total))
    if on_epoch is not None:
        on_event(events.PhaseStarted("epochs", 1))
    completed = dict.fromkeys(totals, 0)
    try:
        executor.start(shared_dirs(suite, options))
        on_event(events.ExecutorStarted(executor.describe()))
        with closing(executor.run_graph(graph)) as results:
            for node, result in results:
                if isinstance(node.arg, CellTask):
                    commit(_cell_record(node.arg, result))
                phase = phases[type(node.arg)]
                completed[phase] += 1
                on_event(events.PhaseProgress(phase, completed[phase], totals[phase]))
    except KeyboardInterrupt:
        return True
    finally:
        executor.close()
    return False


def _cell_record(task: CellTask, result: Record | TaskError) -> Record:
    from bench.cell.run import failed_record

    if isinstance(result, TaskError):
        result = failed_record(task.cell, result.reason)
        result.provenance = {**provenance(), "suite_hash": task.cell.suite.hash}
    return result


def _summary(suite, suite_path, run_id, started, wall_s, store, planned) -> RunSummary:
    status = store.status_of(run_id)
    keys = [p.cell.key for p in planned]
    states = [status.get(k) for k in keys]
    done_before = sum(p.state == "done" for p in planned)
    return RunSummary(
        suite=suite.name,
        suite_path=str(suite_path),
        suite_hash=suite.hash,
        backbone_protocol=suite.backbone.protocol,
        run_id=run_id,
        started=started.isoformat(timespec="seconds"),
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        wall_s=round(wall_s, 2),
        cells_total=len(keys),
        cells_ok=states.count("ok"),
        cells_failed=states.count("failed"),
        cells_skipped=states.count("skipped"),
        cells_reused=done_before,
        cells_run_now=sum(s in ("ok", "failed") for s in states) - done_before,
        provenance=provenance(),
    )
