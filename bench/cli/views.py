"""Every piece of terminal rendering of the CLI (rich): tables, notes, the run's events.

Commands compute with the library and hand the results here; nothing outside ``bench.cli`` imports
rich. ``console()`` is the one place a rich ``Console`` is made.

Output settings (``configure``, from ``--quiet``, ``--verbose``, ``--log-file``): when stderr is
not a terminal (piped, a log, a CI job) the run prints one unwrapped line per event and no bars;
``quiet`` keeps failures, warnings and where the results are; a finished phase is a line without
bars (and with ``verbose``); a log file gets every event as one timestamped plain-text line,
whatever the level.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.box import HEAVY_HEAD
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from bench.api import events

TABLE_WIDTH = 240
"""Width of stdout output: wide tables are not wrapped to a narrow terminal (output is often piped)."""


@dataclass(frozen=True)
class OutputSettings:
    """How much the CLI prints (see the module docstring)."""

    quiet: bool = False
    verbose: bool = False
    log_file: Path | None = None


SETTINGS = OutputSettings()


def configure(quiet: bool = False, verbose: bool = False, log_file: Path | None = None) -> None:
    """Set the output settings of this process (``python -m bench`` calls it once per command)."""
    global SETTINGS
    SETTINGS = OutputSettings(quiet, verbose, Path(log_file) if log_file else None)


def console(*, stderr: bool = False) -> Console:
    """The console output goes to: stdout at ``TABLE_WIDTH``, or stderr at the terminal's width;
    stderr that is not a terminal gets unwrapped lines (``soft_wrap``)."""
    if not stderr:
        return Console(width=TABLE_WIDTH)
    err = Console(stderr=True)
    return err if err.is_terminal else Console(stderr=True, soft_wrap=True, width=TABLE_WIDTH)


def log_line(text: str, markup: bool = False) -> None:
    """Append ``text`` (rich ``markup`` stripped when set) with a UTC timestamp to the
    ``--log-file``, if any."""
    if SETTINGS.log_file is None:
        return
    plain = Text.from_markup(text).plain if markup else text
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        with open(SETTINGS.log_file, "a", encoding="utf-8") as fh:
            fh.write(f"{stamp} {' '.join(plain.split())}\n")
    except OSError as exc:
        from bench.core.errors import UserError

        raise UserError(f"--log-file: cannot write {SETTINGS.log_file} ({exc.strerror})") from None


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[str]], **kwargs) -> Table:
    """A rich table of ``columns`` and ``rows`` (each a sequence of strings)."""
    out = Table(title=title, **kwargs)
    for column in columns:
        out.add_column(column)
    for row in rows:
        out.add_row(*row)
    return out


_RICH_SYNTAX = re.compile(r"[\[\n\r\t]|:\S*?:")
"""What rich would read as markup or an emoji code, or lay out over several lines."""


def plain_table(
    out: Console, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]
) -> str | None:
    """The text ``out.print(table(title, columns, rows))`` writes, drawn directly: rich lays a table out
    at about 1 ms a row (10 s for a 10k-cell plan). ``None`` when rich must draw it: a console with
    colours or without UTF-8, no rows, a string rich would interpret or measure differently
    (markup, an emoji code, a line break, a non-ASCII character), or a table wider than the console
    or narrower than its title."""
    strings = [title, *columns, *(c for row in rows for c in row)]
    if out.color_system is not None or out.legacy_windows or not out.encoding.lower().startswith("utf"):
        return None
    if not rows or not all(c.isascii() for c in strings) or any(_RICH_SYNTAX.search(c) for c in strings):
        return None
    widths = [max(len(c) for c in column) for column in zip(columns, *rows, strict=True)]
    total = sum(widths) + 3 * len(widths) + 1
    if total > out.width or len(title) > total:
        return None
    box = HEAVY_HEAD

    def rule(left: str, line: str, cross: str, right: str) -> str:
        return left + cross.join(line * (w + 2) for w in widths) + right

    def line(cells: Sequence[str], edge: str, bar: str) -> str:
        padded = (c.ljust(w) for c, w in zip(cells, widths, strict=True))
        return f"{edge} " + f" {bar} ".join(padded) + f" {edge}"

    pad = total - len(title)
    lines = [" " * (pad // 2) + title + " " * (pad - pad // 2)]
    lines.append(rule(box.top_left, box.top, box.top_divider, box.top_right))
    lines.append(line(columns, box.head_left, box.head_vertical))
    lines.append(rule(box.head_row_left, box.head_row_horizontal, box.head_row_cross, box.head_row_right))
    lines += [line(row, box.mid_left, box.mid_vertical) for row in rows]
    lines.append(rule(box.bottom_left, box.bottom, box.bottom_divider, box.bottom_right))
    return "\n".join(lines) + "\n"


def show_runs(suite_name: str, rows: Sequence) -> None:
    """The ``runs`` table of ``bench.runs_overview`` (``RunOverview`` rows)."""
    columns = (
        "run",
        "started",
        "state",
        "policy",
        "git SHA",
        "versions",
        "machine",
        "ok/failed/skipped/reused",
    )
    lines = []
    for r in rows:
        versions = " ".join(f"{p}={v}" for p, v in r.versions.items() if v != "not installed")
        if r.changes:
            versions += "\nchanged: " + "; ".join(r.changes)
        cells = f"{r.ok}/{r.failed}/{r.skipped}/{r.reused}"
        lines.append((r.run_id, r.started, r.state, r.policy, r.git_sha, versions, r.machine, cells))
    console().print(table(f"{suite_name}: {len(rows)} runs (oldest first)", columns, lines))


def show_comparison(result) -> None:
    """A ``bench.compare`` result: its table, what changed, the regressions flagged."""
    from bench.api import comparison_frame

    frame = comparison_frame(result)
    rows = ([str(v) for v in row] for row in frame.itertuples(index=False))
    out = console()
    out.print(
        table(
            f"{result.suite}: run {result.run} vs baseline {result.baseline}",
            list(map(str, frame.columns)),
            rows,
        )
    )
    machine = "same machine" if result.same_machine else "different machines"
    out.print(
        f"changed (baseline -> run): {'; '.join(result.changes) or 'nothing'}; {machine}", soft_wrap=True
    )
    for line in result.regressions:
        out.print(f"REGRESSION {line}", soft_wrap=True, markup=False)
    n = len(result.regressions)
    out.print(f"{n} regression(s) flagged" if n else "no regression flagged")


def show_plan(suite_name: str, planned: Sequence) -> None:
    """The ``plan`` table (one row per planned cell) and the count of each state."""
    out = console()
    rows = [(p.cell.key, p.state, p.reason) for p in planned]
    title, columns = f"{suite_name}: {len(planned)} cells", ("cell", "state", "reason")
    text = plain_table(out, title, columns, rows)
    if text is None:
        out.print(table(title, columns, rows))
    else:
        out.file.write(text)
    counts = {s: sum(p.state == s for p in planned) for s in ("done", "pending", "retry", "skip")}
    out.print(", ".join(f"{k}: {v}" for k, v in counts.items()))


def show_plan_overview(overview) -> None:
    """Everything ``plan`` prints of a ``bench.plan_overview``: the cells, the grid's size, the
    wall-time estimate, the IBM cost (when the suite has IBM cells) and the seeds needed."""
    planned = overview.plan
    show_plan(planned.suite.name, planned.cells)
    show_grid_cost(overview.grid)
    show_estimate(overview.estimate.describe(overview.executor))
    for line in overview.hours.describe():
        show_estimate(line)
    budget = overview.budget
    if budget.costs:
        show_cost(budget.costs, budget.spent_s, budget.cap_s, budget.verdict)
    show_seeds_needed(overview.pilot, overview.effects_pp)


def show_estimate(line: str) -> None:
    """``plan``'s wall-time estimate of the pending cells (``bench.plan.estimate.Estimate.describe``)."""
    console().print(line, soft_wrap=True, markup=False, highlight=False)


def show_grid_cost(cost) -> None:
    """The size of a suite's grid (``bench.plan.grid.GridCost``) as one ``cost:`` line."""
    console().print(f"cost: {cost.describe()}")


def show_cost(costs: Sequence, spent: float, cap: float | None, verdict: str) -> None:
    """The IBM cost estimate of the cells a run would execute (``PlanOverview.budget``), the spend,
    the cap and the verdict."""
    columns = ("cell", "backend", "jobs", "circuits", "shots/circuit", "shots", "est. QPU s")
    rows = []
    for c in costs:
        p = c.pending
        per = p.shots // p.circuits if p.circuits else 0
        backend = c.backend + (" (rehearsal)" if c.rehearsal else "")
        rows.append(
            (
                c.key.split("#")[0],
                backend,
                str(p.jobs),
                f"{p.circuits:,}",
                f"{per:,}",
                f"{p.shots:,}",
                f"{p.qpu_seconds:.1f}",
            )
        )
    out = console()
    out.print(
        table(
            "IBM cost estimate (jobs not yet submitted; earlier jobs are fetched, not re-paid)", columns, rows
        )
    )
    total = sum((c.pending for c in costs[1:]), costs[0].pending)
    cap_text = "none" if cap is None else f"{cap:g} s"
    out.print(
        f"total: {total.circuits:,} circuits, {total.shots:,} shots, "
        f"~{total.qpu_seconds:.1f} QPU s estimated; {spent:.1f} s already spent; "
        f"budget cap: {cap_text}"
    )
    out.print(verdict)


def show_prediction(prediction) -> None:
    """``predict``'s notes, its header lines and the most probable classes with their probabilities
    (a ``bench.Prediction``)."""
    out = Table(box=None)
    out.add_column("class")
    out.add_column("probability", justify="right")
    for name, p in prediction.ranked:
        out.add_row(name, f"{p:.4f}")
    con = console()
    for line in prediction.notes:
        con.print(f"note: {line}", soft_wrap=True)
    header = (
        f"cell: {prediction.cell}\nbackbone protocol: {prediction.protocol}; "
        f"circuit on: {prediction.simulator}\nfile: {prediction.file}"
    )
    con.print(header, soft_wrap=True)
    con.print(out)


def show_backends(listing) -> None:
    """The ``backends`` table of a ``bench.BackendListing``: name, kind, role, details, status."""
    where = ", ".join(map(str, listing.profile_dirs))
    rows = ((b.name, b.kind, b.role, b.details, b.status) for b in listing.backends)
    title = f"backends (built-in simulators, then profiles from {where})"
    console().print(table(title, ("name", "kind", "role", "details", "status"), rows))


def show_calibration(timings) -> None:
    """``calibrate``'s median seconds per simulator and width (a ``bench.SimulatorTimings``)."""
    seconds = timings.seconds
    rows = ((str(n), *(f"{seconds[name][str(n)]:.4f}" for name in seconds)) for n in timings.qubits)
    title = f"forward+backward per batch of {timings.batch}, {timings.layers} layers (median s)"
    console().print(table(title, ("qubits", *seconds), rows))


def show_trainer_timings(written) -> None:
    """``calibrate --write``: where the table went and the trainer ``train_on=auto`` now picks per width."""
    picks = ", ".join(f"q{n}: {name}" for n, name in written.picks.items())
    print(f"wrote {written.path}; train_on=auto now picks: {picks}")


def show_step_benchmark(step) -> None:
    """``benchmark``: each backend's batched and per-sample-loop training step, with their ratio
    (a ``bench.StepBenchmark``)."""
    timings = step.timings
    batched = {t.backend: t.seconds for t in timings if t.mode == "batched"}
    rows = (
        (
            t.backend,
            t.mode,
            f"{t.seconds:.4f}",
            f"{t.seconds / batched[t.backend]:.1f}x" if t.mode == "loop" else "",
        )
        for t in timings
    )
    title = f"quantum head training step: {step.qubits} qubits, {step.layers} layers, batch {step.batch}"
    console().print(table(title, ("backend", "mode", "median s/step", "loop / batched"), rows))


def show_width_table(result, batch: int, layers: int) -> None:
    """``benchmark --widths``: seconds per step per width and backend, the ratio, skips, CUDA crossover."""
    reference, fast = result.backends[0], "torch.statevector"
    with_ratio = fast in result.backends and fast != reference
    columns = ["qubits", *result.backends] + ([f"{reference} / {fast}"] if with_ratio else [])
    rows = []
    for n in result.widths:
        cells = [str(n), *(f"{result.seconds[b][n]:.4f}" for b in result.backends)]
        ratio = result.ratio(reference, fast, n)
        if with_ratio:
            cells.append(f"{ratio:.2f}x" if ratio else "")
        rows.append(cells)
    title = (
        f"quantum head training step (fwd+bwd+Adam), batch {batch}, {layers} layers, "
        f"strongly-entangling, {result.threads} torch thread(s): median s/step"
    )
    out = console()
    out.print(table(title, columns, rows))
    for name, reason in result.skipped.items():
        out.print(f"{name}: not timed ({reason})")
    if "torch.statevector:cuda" in result.backends:
        cross = result.crossover()
        out.print(f"CUDA crossover: torch.statevector on CUDA beats CPU from {cross or 'no measured'} qubits")


def show_peer_table(text: str) -> None:
    """``benchmark --peers``: the peer table, already formatted (``bench.timing.peers.format_table``)."""
    console().print(text, markup=False, highlight=False, soft_wrap=True)


def show_executor_benchmark(result) -> None:
    """``benchmark --executors``: wall and CPU time per executor, speed-ups, whether records agree
    (a ``bench.ExecutorBenchmark``)."""
    timings, identical, cores = result.timings, result.identical, result.cores
    by_name = {t.executor: t for t in timings}
    seq = by_name["sequential"].seconds
    columns = ("executor", "workers", "wall s", "speed-up", "CPU s", "max load (1 min)")
    rows = (
        (
            t.executor,
            str(t.workers),
            f"{t.seconds:.1f}",
            f"{seq / t.seconds:.2f}x",
            f"{t.cpu_seconds:.1f}",
            f"{t.load:.2f}",
        )
        for t in timings
    )
    out = console()
    out.print(table(f"{timings[0].cells} cells, cold cache, {cores} cores", columns, rows))
    if "dask" in by_name and "process" in by_name:
        ratio = by_name["dask"].seconds / by_name["process"].seconds
        out.print(f"dask / process wall time: {ratio:.3f} ({(ratio - 1) * 100:+.1f} %)")
    out.print(
        "records identical across executors" if identical else "[red]records DIFFER across executors[/]"
    )


def show_sweep_point(out: Console, p) -> None:
    """One measured (or stored) ``bench.timing.sweep.SweepPoint``: status, key, forward time or reason."""
    what = f"forward {p.forward_s:.4g} s/batch" if p.status == "ok" else p.reason
    out.print(f"{p.status:7s} {p.key}  {what}")


def show_statistics_check(check) -> None:
    """``stats-check``: the rule, one line per regime and the pass/fail summary (a
    ``bench.StatisticsCheck``)."""
    print(f"rule: {check.rule}; planted effects in pp; FPR = share of null studies called better or worse")
    for line in check.lines:
        print(line)
    print(check.summary)


def show_repair(outcome, suite_path) -> None:
    """``repair``: the store was healthy, or what was kept and lost and where the damaged file went
    (a ``bench.RepairOutcome``)."""
    path, result = outcome.path, outcome.result
    if result is None:
        print(f"{path}: the results store is healthy; nothing to repair (nothing changed)")
        return
    problems = f" ({'; '.join(result.problems)})" if result.problems else ""
    lost = "an unknown number" if result.lost_unknown else str(result.lost_records)
    print(
        f"repaired {path}: kept {result.kept_records} records of {result.kept_runs} runs, lost "
        f"{lost}{problems}; damaged file moved to {result.moved_to}; "
        f"`python -m bench run {suite_path}` re-runs what was lost"
    )


class RunView:
    """Renders a run's events (``bench.run.events``) on stderr: a line per cell, progress bars per phase.

    Use as a context manager around the run, and pass the view as the run's ``on_event`` callback;
    leaving the context stops the bars even when the run raised.
    """

    QUIET_EVENTS = (events.CellFailed, events.Notice, events.ReportWritten, events.Interrupted)
    """What ``--quiet`` still shows."""

    def __init__(self, out: Console | None = None, settings: OutputSettings | None = None) -> None:
        self.console = out or console(stderr=True)
        self.settings = settings or SETTINGS
        self.progress: Progress | None = None
        self.bars: dict[str, int] = {}
        self.finished: set[str] = set()

    def __enter__(self) -> RunView:
        return self

    def __exit__(self, *exc) -> None:
        self.stop_bars()

    def __call__(self, event: events.RunEvent) -> None:
        """Render one event (and log it, see the module docstring)."""
        match event:
            case events.PhaseStarted() | events.PhaseProgress():
                self.phase_line(event)
                if self.console.is_terminal and not self.settings.quiet:
                    self.show_phase(event)
            case events.ExecutionEnded():
                self.stop_bars()
            case _:
                text, options = self.lines(event)
                log_line(text, markup=options.get("markup", True))
                if not self.settings.quiet or isinstance(event, self.QUIET_EVENTS):
                    self.print(text, options)

    def phase_line(self, event: events.PhaseStarted | events.PhaseProgress) -> None:
        """A phase that completes is a log line, and a printed one with ``--verbose`` or without bars."""
        if not isinstance(event, events.PhaseProgress) or event.completed < event.total:
            return
        if event.phase in self.finished:
            return
        self.finished.add(event.phase)
        text = f"{event.phase.strip()}: {event.completed}/{event.total} done"
        log_line(text)
        no_bars = not self.console.is_terminal  # a pipe or a log: the line stands for the bar
        if not self.settings.quiet and (self.settings.verbose or no_bars):
            self.print(text, {"soft_wrap": True, "markup": False, "highlight": False})

    def lines(self, event: events.RunEvent) -> tuple[str, dict]:
        """``(text, print keyword arguments)`` of an event shown as a line."""
        wrap = {"soft_wrap": True}
        match event:
            case events.RunPlanned():
                text = (
                    f"[bold]{event.suite}[/]: {event.cells} cells - {event.done} done, "
                    f"{event.to_run} to run, {event.skipped} skipped"
                )
                return text, {}
            case events.Notice():
                return event.text, {"soft_wrap": True, "markup": False, "highlight": False}
            case events.ExecutorStarted():
                return event.description, {}
            case events.CellFinished():
                return f"[green]ok[/] {event.key.split('#')[0]}  acc={event.test_accuracy:.3f}", {}
            case events.CellFailed():
                return f"[red]{event.status}[/] {escape(event.key.split('#')[0])}  {escape(event.error)}", {}
            case events.ReportStep():
                return event.text, {"soft_wrap": True, "markup": False, "highlight": False}
            case events.ReportWritten():
                return f"report: {event.md}  {event.html}", {}
            case events.Interrupted(during_report=True):
                text = (
                    f"[yellow]interrupted while writing the report[/] ({event.signal}): every result is "
                    f"saved; `python -m bench report {event.suite_path}` writes the report again"
                )
                return text, wrap
            case events.Interrupted():
                text = (
                    f"[yellow]interrupted ({event.signal})[/]: finished cells are saved in run "
                    f"{event.run_id}; `bench run SUITE` (without --new-run) resumes it"
                )
                return text, wrap
        return repr(event), {"markup": False}

    def print(self, text: str, options: dict) -> None:
        """Print a line above the bars while they run, else on the console."""
        (self.progress.console if self.progress else self.console).print(text, **options)

    def show_phase(self, event: events.PhaseStarted | events.PhaseProgress) -> None:
        """Add a phase's bar, or move it."""
        if self.progress is None:
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("remaining"),
                TimeRemainingColumn(),
            )
            self.progress = Progress(*columns, console=self.console, transient=False)
            self.progress.start()
        if isinstance(event, events.PhaseStarted):
            self.bars[event.phase] = self.progress.add_task(event.phase, total=event.total)
        elif event.phase in self.bars:
            self.progress.update(self.bars[event.phase], completed=event.completed, total=event.total)

    def stop_bars(self) -> None:
        """Stop the bars (they stay on screen); later lines print below them."""
        if self.progress is not None:
            self.progress.stop()
            self.progress, self.bars = None, {}


def show_seeds_needed(pilot, effects_pp: Sequence[float]) -> None:
    """The seeds (units) each effect of ``effects_pp`` needs at the pilot's spread
    (``bench.history.pilot.Pilot``)."""
    out = console()
    if pilot.run_id is None:
        out.print(
            "seeds needed: no pilot run (no run of this suite with treatment-vs-control pairs over 2+ seeds "
            "in the store); run the suite once, then plan prints the seeds a 1 and a 2 pp effect need"
        )
        return
    rows = []
    for n in pilot.needs:
        unit = "seeds" if n.unit == "seed" else f"{n.unit} units"
        cells = ["> 100,000" if math.isinf(v) else f"{int(v)} {unit}" for v in n.needed]
        rows.append((n.comparison, str(n.units), f"{n.sd_pp:.2f}", *cells))
    title = f"Seeds needed for 80 % power at α = 0.05, at the spread of pilot run {pilot.run_id}"
    columns = ("comparison", "pilot units", "sd of unit Δ (pp)", *(f"for {e:g} pp" for e in effects_pp))
    out.print(table(title + " (a spread from few seeds is itself rough)", columns, rows))
