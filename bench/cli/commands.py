"""Implementations of the CLI sub-commands (argument parsing lives in ``bench.cli.parser``)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import numpy as np
from rich.console import Console
from rich.table import Table

from bench.core.errors import UserError
from bench.run.driver import RunOptions, open_store, run_suite, write_run_report
from bench.spec.loader import load_suite


def _options(args: argparse.Namespace, **extra) -> RunOptions:
    return RunOptions(reports_root=args.reports_dir, cache_dir=args.cache_dir, **extra)


def run(args: argparse.Namespace) -> int:
    from bench.core.registry import EXECUTORS

    suite = load_suite(args.suite)
    import os

    cores = os.cpu_count() or 1
    executor, workers = args.executor, args.workers or min(2, cores)
    if executor == "auto":
        executor = "process" if workers > 1 else "sequential"
    if executor not in EXECUTORS:
        allowed = ", ".join(["auto", *EXECUTORS.names()])
        raise UserError(f"--executor: unknown executor '{args.executor}' (allowed: {allowed})")
    if workers < 1:
        raise UserError(f"--workers: must be >= 1 (got {workers})")
    options = _options(args, executor=executor, workers=workers, force=args.force, report=not args.no_report)
    return run_suite(suite, args.suite, options)


def plan(args: argparse.Namespace) -> int:
    from bench.plan.planner import plan as plan_cells

    suite = load_suite(args.suite)
    db = _options(args).reports_root / suite.name / "results.sqlite"
    store = open_store(suite, _options(args)) if db.exists() else None
    planned = plan_cells(suite, store)
    table = Table(title=f"{suite.name}: {len(planned)} cells")
    for column in ("cell", "state", "reason"):
        table.add_column(column)
    for p in planned:
        table.add_row(p.cell.key, p.state, p.reason)
    console = Console(width=200)
    console.print(table)
    counts = {s: sum(p.state == s for p in planned) for s in ("done", "pending", "retry", "skip")}
    console.print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    _print_cost(console, suite, args.suite, planned, _options(args).reports_root / suite.name / "jobs.sqlite")
    return 0


def _print_cost(console: Console, suite, suite_path, planned, jobs_path) -> None:
    """The IBM cost estimate of the cells a run would execute, and whether the budget allows it."""
    from bench.plan.budget import check_budget, pending_costs, spent_seconds

    costs = pending_costs(planned, jobs_path)
    if not costs:
        return
    table = Table(title="IBM cost estimate (jobs not yet submitted; earlier jobs are fetched, not re-paid)")
    for column in ("cell", "backend", "jobs", "circuits", "shots/circuit", "shots", "est. QPU s"):
        table.add_column(column)
    for c in costs:
        per = c.pending.shots // c.pending.circuits if c.pending.circuits else 0
        backend = c.backend + (" (rehearsal)" if c.rehearsal else "")
        p = c.pending
        table.add_row(
            c.key.split("#")[0],
            backend,
            str(p.jobs),
            f"{p.circuits:,}",
            f"{per:,}",
            f"{p.shots:,}",
            f"{p.qpu_seconds:.1f}",
        )
    console.print(table)
    total = sum((c.pending for c in costs[1:]), costs[0].pending)
    spent, cap = spent_seconds(jobs_path), suite.budget.max_qpu_seconds
    cap_text = "none" if cap is None else f"{cap:g} s"
    console.print(
        f"total: {total.circuits:,} circuits, {total.shots:,} shots, "
        f"~{total.qpu_seconds:.1f} QPU s estimated; {spent:.1f} s already spent; "
        f"budget cap: {cap_text}"
    )
    try:
        check_budget(suite, suite_path, planned, jobs_path)
        console.print("budget: a run would proceed")
    except UserError as exc:
        console.print(f"budget: a run would refuse to start: {exc}")


def report(args: argparse.Namespace) -> int:
    suite = load_suite(args.suite)
    options = _options(args)
    if not (options.reports_root / suite.name / "results.sqlite").exists():
        raise UserError(f"{args.suite}: no results yet for suite '{suite.name}' (run it first)")
    store = open_store(suite, options)
    runs = store.runs()
    summary = dict(runs[-1]) if runs else {"suite": suite.name}
    run_id = args.run_id or datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    summary.update(run_id=run_id, suite_path=str(args.suite))
    paths = write_run_report(suite, args.suite, store, run_id, summary, options)
    print(f"report: {paths['md']}  {paths['html']}")
    return 0


def predict(args: argparse.Namespace) -> int:
    from bench.cell.checkpoint import (
        cell_checkpoint_path,
        export_checkpoint,
        load_checkpoint,
        read_checkpoint,
    )
    from bench.cell.predict import choose_simulator, find_cell, predict_file
    from bench.results.cache import Cache
    from bench.run.driver import checkpoints_dir

    suite, options = load_suite(args.suite), _options(args)
    cell = find_cell(suite, args.cell)
    root = checkpoints_dir(suite, options)
    path = cell_checkpoint_path(root, cell.key)
    if not path.exists():
        try:
            export_checkpoint(cell, Cache(options.cache_dir), root)
        except FileNotFoundError:
            raise UserError(
                f"{args.suite}: cell {cell.key} has no checkpoint in {root} and its trained "
                f"model is not in the cache {options.cache_dir} (run the suite first)"
            ) from None
    simulator, note = choose_simulator(read_checkpoint(path), args.backend)
    loaded = load_checkpoint(path, simulator)
    probs = predict_file(loaded, args.file)
    table = Table(box=None)
    table.add_column("class")
    table.add_column("probability", justify="right")
    for i in np.argsort(-probs, kind="stable")[: max(args.top, 1)]:
        table.add_row(loaded.class_names[i], f"{probs[i]:.4f}")
    console = Console(width=200)
    if note:
        console.print(f"note: {note}")
    console.print(
        f"cell: {cell.key}\nbackbone protocol: {loaded.meta['protocol']}; circuit on: {simulator}\n"
        f"file: {args.file}",
        soft_wrap=True,
    )
    console.print(table)
    return 0


def backends(args: argparse.Namespace) -> int:
    from bench.core.registry import SIMULATORS
    from bench.quantum.resolve import probe_profile
    from bench.spec.profile_files import load_all, profile_dirs, profile_files

    dirs = profile_dirs()
    where = ", ".join(map(str, dirs))
    table = Table(title=f"backends (built-in simulators, then profiles from {where})")
    for column in ("name", "kind", "role", "details", "status"):
        table.add_column(column)
    for name in SIMULATORS.names():
        sim = SIMULATORS.get(name)
        reason = sim.probe()
        status = f"unavailable: {reason}" if reason else "available"
        table.add_row(name, "exact (built-in)", "trains", f"{sim.device}, {sim.diff_method}", status)
    files = profile_files(dirs)
    for name, profile in load_all(dirs).items():
        if isinstance(profile, UserError):
            table.add_row(name, "?", "?", str(files[name]), f"invalid: {profile}")
            continue
        reason = probe_profile(profile)
        role = "evaluate-only" if profile.evaluate_only else "trains"
        status = f"unavailable: {reason}" if reason else "available"
        table.add_row(name, profile.kind, role, profile.summary(), status)
    Console(width=220).print(table)
    return 0


def calibrate(args: argparse.Namespace) -> int:
    from bench.core.registry import SIMULATORS
    from bench.quantum.autoselect import TIMINGS_FILE, fastest_trainer, measure, write_table

    names = args.simulators or SIMULATORS.names()
    seconds = measure(names, args.qubits, args.layers, args.batch, args.repeats)
    table = Table(title=f"forward+backward per batch of {args.batch}, {args.layers} layers (median s)")
    table.add_column("qubits")
    for name in seconds:
        table.add_column(name)
    for n in args.qubits:
        table.add_row(str(n), *(f"{seconds[name][str(n)]:.4f}" for name in seconds))
    Console(width=200).print(table)
    if args.write:
        path = write_table(
            seconds,
            args.output or TIMINGS_FILE,
            {"batch": args.batch, "n_layers": args.layers, "repeats": args.repeats},
        )
        print(
            f"wrote {path}; train_on=auto now picks: "
            + ", ".join(f"q{n}: {fastest_trainer(n, path)}" for n in args.qubits)
        )
    return 0


def sweep(args: argparse.Namespace) -> int:
    from bench.timing.sweep import run_sweep_command

    return run_sweep_command(args)


def benchmark(args: argparse.Namespace) -> int:
    from bench.timing.step_benchmark import run_benchmark

    if args.widths:
        return _benchmark_widths(args)
    backends = args.backends or ["default.qubit", "lightning.qubit", "torch.statevector"]
    timings = run_benchmark(backends, args.qubits, args.layers, args.batch, args.repeats, not args.no_loop)
    table = Table(
        title=f"quantum head training step: {args.qubits} qubits, {args.layers} layers, batch {args.batch}"
    )
    for column in ("backend", "mode", "median s/step", "loop / batched"):
        table.add_column(column)
    batched = {t.backend: t.seconds for t in timings if t.mode == "batched"}
    for t in timings:
        ratio = f"{t.seconds / batched[t.backend]:.1f}x" if t.mode == "loop" else ""
        table.add_row(t.backend, t.mode, f"{t.seconds:.4f}", ratio)
    Console(width=200).print(table)
    return 0


def _benchmark_widths(args: argparse.Namespace) -> int:
    from bench.timing.step_benchmark import width_table

    backends = args.backends or ["default.qubit", "torch.statevector"]
    table = width_table(backends, args.widths, args.layers, args.batch, args.repeats, args.threads)
    reference, fast = table.backends[0], "torch.statevector"
    out = Table(
        title=f"quantum head training step (fwd+bwd+Adam), batch {args.batch}, {args.layers} layers, "
        f"strongly-entangling, {table.threads} torch thread(s): median s/step"
    )
    out.add_column("qubits")
    for name in table.backends:
        out.add_column(name)
    if fast in table.backends and fast != reference:
        out.add_column(f"{reference} / {fast}")
    for n in table.widths:
        cells = [f"{table.seconds[b][n]:.4f}" for b in table.backends]
        ratio = table.ratio(reference, fast, n)
        if fast in table.backends and fast != reference:
            cells.append(f"{ratio:.2f}x" if ratio else "")
        out.add_row(str(n), *cells)
    console = Console(width=200)
    console.print(out)
    for name, reason in table.skipped.items():
        console.print(f"{name}: not timed ({reason})")
    if "torch.statevector:cuda" in table.backends:
        cross = table.crossover()
        console.print(
            f"CUDA crossover: torch.statevector on CUDA beats CPU from {cross or 'no measured'} qubits"
        )
    return 0


def options(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bench.cli.options_doc import BEGIN, END, options_markdown

    text = options_markdown()
    if not args.update_readme:
        print(text)
        return 0
    readme = Path(__file__).resolve().parents[2] / "README.md"
    current = readme.read_text()
    start, stop = current.index(BEGIN), current.index(END) + len(END)
    readme.write_text(current[:start] + text + current[stop:])
    print(f"updated {readme}")
    return 0
