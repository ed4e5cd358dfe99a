"""Implementations of the CLI sub-commands (argument parsing lives in ``bench.cli``)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import numpy as np
from rich.console import Console
from rich.table import Table

from bench.errors import UserError
from bench.runner import RunOptions, open_store, run_suite, write_run_report
from bench.suite import load_suite


def _options(args: argparse.Namespace, **extra) -> RunOptions:
    return RunOptions(reports_root=args.reports_dir, cache_dir=args.cache_dir, **extra)


def run(args: argparse.Namespace) -> int:
    from bench.registry import EXECUTORS

    suite = load_suite(args.suite)
    if args.executor not in EXECUTORS:
        raise UserError(f"--executor: unknown executor '{args.executor}' (allowed: {', '.join(EXECUTORS.names())})")
    if args.workers < 1:
        raise UserError(f"--workers: must be >= 1 (got {args.workers})")
    options = _options(args, executor=args.executor, workers=args.workers, force=args.force,
                       report=not args.no_report)
    return run_suite(suite, args.suite, options)


def plan(args: argparse.Namespace) -> int:
    from bench.planning import plan as plan_cells

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
    return 0


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
    from bench.cache import Cache
    from bench.checkpoint import cell_checkpoint_path, export_checkpoint, load_checkpoint, read_checkpoint
    from bench.predict import choose_simulator, find_cell, predict_file
    from bench.runner import checkpoints_dir

    suite, options = load_suite(args.suite), _options(args)
    cell = find_cell(suite, args.cell)
    root = checkpoints_dir(suite, options)
    path = cell_checkpoint_path(root, cell.key)
    if not path.exists():
        try:
            export_checkpoint(cell, Cache(options.cache_dir), root)
        except FileNotFoundError:
            raise UserError(f"{args.suite}: cell {cell.key} has no checkpoint in {root} and its trained "
                            f"model is not in the cache {options.cache_dir} (run the suite first)") from None
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
    console.print(f"cell: {cell.key}\nbackbone protocol: {loaded.meta['protocol']}; circuit on: {simulator}\n"
                  f"file: {args.file}", soft_wrap=True)
    console.print(table)
    return 0


def backends(args: argparse.Namespace) -> int:
    from bench.registry import SIMULATORS

    table = Table(title="backends")
    for column in ("name", "device", "diff method", "status"):
        table.add_column(column)
    for name in SIMULATORS.names():
        sim = SIMULATORS.get(name)
        reason = sim.probe()
        table.add_row(name, sim.device, sim.diff_method, f"unavailable: {reason}" if reason else "available")
    Console(width=200).print(table)
    return 0


def benchmark(args: argparse.Namespace) -> int:
    from bench.benchmark import run_benchmark

    timings = run_benchmark(args.backends, args.qubits, args.layers, args.batch, args.repeats, not args.no_loop)
    table = Table(title=f"quantum head training step: {args.qubits} qubits, {args.layers} layers, batch {args.batch}")
    for column in ("backend", "mode", "median s/step", "loop / batched"):
        table.add_column(column)
    batched = {t.backend: t.seconds for t in timings if t.mode == "batched"}
    for t in timings:
        ratio = f"{t.seconds / batched[t.backend]:.1f}x" if t.mode == "loop" else ""
        table.add_row(t.backend, t.mode, f"{t.seconds:.4f}", ratio)
    Console(width=200).print(table)
    return 0


def options(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bench.docs import BEGIN, END, options_markdown

    text = options_markdown()
    if not args.update_readme:
        print(text)
        return 0
    readme = Path(__file__).resolve().parent.parent / "README.md"
    current = readme.read_text()
    start, stop = current.index(BEGIN), current.index(END) + len(END)
    readme.write_text(current[:start] + text + current[stop:])
    print(f"updated {readme}")
    return 0
