"""The driver: plan, run pending cells through an executor, commit each record, write the report.

Only this module writes the results store. A failing cell is stored with its error and the
run goes on; Ctrl-C stops after committing what finished (re-run the same command to
resume). The exit code is 0 when no cell failed, 1 when any did, 130 when interrupted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.core.provenance import provenance
from bench.core.registry import EXECUTORS
from bench.plan.budget import check_budget
from bench.plan.grid import Cell
from bench.plan.planner import PlannedCell, plan
from bench.results.record import Record
from bench.results.store import ResultsStore
from bench.run.preflight import preflight
from bench.run.tasks import backbone_tasks, group_cells, run_backbone_task, run_group
from bench.spec.suite import Suite


@dataclass(frozen=True)
class RunOptions:
    reports_root: Path = Path("reports")
    cache_dir: Path = Path(".cache")
    executor: str = "sequential"
    workers: int = 1
    force: bool = False
    report: bool = True


def suite_dir(suite: Suite, options: RunOptions) -> Path:
    return options.reports_root / suite.name


def checkpoints_dir(suite: Suite, options: RunOptions) -> Path:
    """Where every ok cell's checkpoint goes (see ``bench.cell.checkpoint``)."""
    return suite_dir(suite, options) / "checkpoints"


def jobs_path(suite: Suite, options: RunOptions) -> Path:
    """The suite's IBM job ledger (``bench.quantum.ledger``), next to its results store."""
    return suite_dir(suite, options) / "jobs.sqlite"


def open_store(suite: Suite, options: RunOptions) -> ResultsStore:
    return ResultsStore(suite_dir(suite, options) / "results.sqlite")


def _skipped(p: PlannedCell) -> Record:
    c = p.cell
    return Record(
        key=c.key,
        status="skipped",
        dataset=c.dataset.label,
        head=c.head.label,
        n_qubits=c.n_qubits,
        n_layers=c.n_layers,
        backend=c.backend,
        seed=c.seed,
        spec=c.spec,
        trained_on=c.trained_on,
        control=c.control,
        treatment=c.treatment,
        error=p.reason,
        provenance={**provenance(), "suite_hash": c.suite.hash},
        protocol=c.suite.backbone.protocol,
    )


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

    records = store.get([c.key for c in expand(suite)])
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


def run_suite(suite: Suite, suite_path: Path, options: RunOptions, console: Console | None = None) -> int:
    """Run every pending cell of ``suite``; return the process exit code."""
    console = console or Console(stderr=True)
    preflight(suite, suite_path, options)
    started, t0 = datetime.now(UTC), time.perf_counter()
    run_id = started.strftime("%Y%m%d-%H%M%S")
    store = open_store(suite, options)
    planned = plan(suite, store, options.force)
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
    executor = EXECUTORS.get(options.executor)(options.workers)
    groups = group_cells(
        todo, str(options.cache_dir), str(checkpoints_dir(suite, options)), str(jobs_path(suite, options))
    )
    failed = interrupted = 0
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        prep = backbone_tasks(todo, str(options.cache_dir))
        prep_bar = progress.add_task("backbones", total=len(prep), visible=bool(prep))
        cells_bar = progress.add_task("cells", total=len(todo), visible=bool(todo))
        epochs_bar = progress.add_task("epochs", total=1, visible=executor.supports_progress and bool(todo))

        def on_epoch(done: int, total: int) -> None:
            progress.update(epochs_bar, completed=done, total=total)

        def commit(record: Record) -> None:
            nonlocal failed
            store.put(record, run_id)
            failed += record.status == "failed"
            progress.advance(cells_bar)
            progress.console.print(_describe(record))

        if executor.supports_progress:
            fn = partial(run_group, on_epoch=on_epoch, on_record=commit)
        else:
            fn = run_group
        try:
            for _ in executor.run(run_backbone_task, prep):
                progress.advance(prep_bar)
            for _, records in executor.run(fn, groups):
                if not executor.supports_progress:
                    for record in records:
                        commit(record)
        except KeyboardInterrupt:
            interrupted = 1
    summary = _summary(suite, suite_path, run_id, started, time.perf_counter() - t0, store, planned)
    store.put_run(run_id, started.isoformat(timespec="seconds"), summary)
    if options.report:
        interrupted |= _report_or_interrupted(suite, suite_path, store, run_id, summary, options, console)
    store.close()
    if interrupted:
        console.print("[yellow]interrupted[/]: finished cells are saved; re-run the same command to resume")
        return 130
    return 1 if failed else 0


def _report_or_interrupted(suite, suite_path, store, run_id, summary, options, console) -> bool:
    """Write the run's report; Ctrl-C while writing it is reported in one line (the results are
    already committed) and returns ``True``."""
    try:
        paths = write_run_report(suite, suite_path, store, run_id, summary, options)
    except KeyboardInterrupt:
        console.print(
            f"[yellow]interrupted while writing the report[/]: results are saved; "
            f"`python -m bench report {suite_path}` writes it again"
        )
        return True
    console.print(f"report: {paths['md']}  {paths['html']}")
    return False


def _summary(suite, suite_path, run_id, started, wall_s, store, planned) -> dict:
    status = store.status_of()
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
