"""Implementations of the CLI sub-commands (argument parsing lives in ``bench.cli.parser``)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

import numpy as np
from rich.console import Console
from rich.table import Table

from bench.core.errors import UserError
from bench.run.options import RunOptions, open_store, store_path
from bench.run.worker_server import start_worker_server
from bench.spec.loader import load_suite


def _options(args: argparse.Namespace, **extra) -> RunOptions:
    return RunOptions(reports_root=args.reports_dir, cache_dir=args.cache_dir, **extra)


def run(args: argparse.Namespace) -> int:
    from bench.core.registry import EXECUTORS

    executor, workers = _choose_executor(args)
    if executor not in EXECUTORS:
        allowed = ", ".join(["auto", *EXECUTORS.names()])
        raise UserError(f"--executor: unknown executor '{args.executor}' (allowed: {allowed})")
    if workers < 1:
        raise UserError(f"--workers: must be >= 1 (got {workers})")
    reason = EXECUTORS.get(executor).probe()
    if reason:
        raise UserError(f"--executor {executor}: {reason}")
    if _local_workers(executor, args):  # the server's imports overlap loading and planning the suite
        start_worker_server(dask=executor == "dask")
    suite = load_suite(args.suite)
    options = _options(
        args,
        executor=executor,
        workers=workers,
        executor_options=_dask_options(args) if executor == "dask" else {},
        force=args.force,
        report=not args.no_report,
        new_run=args.new_run or args.changed_only,
        changed_only=args.changed_only,
        wait=not args.no_wait,
    )
    from bench.run.driver import run_suite_outcome

    outcome = run_suite_outcome(suite, args.suite, options)
    if args.json:
        print(json.dumps(run_json(outcome), indent=2))
    return outcome.exit_code


def run_json(outcome) -> dict:
    """The ``run --json`` document: exit code, run id, counts, wall time, report paths."""
    s = outcome.summary
    counts = ("cells_total", "cells_ok", "cells_failed", "cells_skipped", "cells_reused", "cells_run_now")
    return {
        "exit_code": outcome.exit_code,
        "suite": s.get("suite"),
        "run_id": s.get("run_id"),
        "policy": s.get("policy"),
        "started": s.get("started"),
        "finished": s.get("finished"),
        "wall_s": s.get("wall_s"),
        **{k: s.get(k) for k in counts},
        "reports": outcome.reports,
    }


def runs(args: argparse.Namespace) -> int:
    from bench.history.runs import run_rows

    suite, options = load_suite(args.suite), _options(args)
    store = _read_store(suite, args.suite, options)
    try:
        rows = run_rows(store)
    finally:
        store.close()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = Table(title=f"{suite.name}: {len(rows)} runs (oldest first)")
    for column in (
        "run",
        "started",
        "state",
        "policy",
        "git SHA",
        "versions",
        "machine",
        "ok/failed/skipped/reused",
    ):
        table.add_column(column)
    for r in rows:
        versions = " ".join(f"{p}={v}" for p, v in r["versions"].items() if v != "not installed")
        if r["changes"]:
            versions += "\nchanged: " + "; ".join(r["changes"])
        cells = f"{r['ok']}/{r['failed']}/{r['skipped']}/{r['reused']}"
        table.add_row(
            r["run_id"], r["started"], r["state"], r["policy"], r["git_sha"], versions, r["machine"], cells
        )
    Console(width=220).print(table)
    return 0


def compare(args: argparse.Namespace) -> int:
    from bench.history.compare import compare_runs, default_pair, previous_complete, write_compare_page
    from bench.history.runs import resolve_run

    if not args.threshold >= 0:
        raise UserError(f"--threshold: must be >= 0 percentage points (got {args.threshold})")
    if not args.factor > 1:
        raise UserError(f"--factor: must be > 1 (got {args.factor})")
    suite, options = load_suite(args.suite), _options(args)
    where = str(args.suite)
    store = _read_store(suite, args.suite, options)
    try:
        runs = store.run_list()
        default_base, default_run = default_pair(runs)
        run = resolve_run(runs, args.run, default_run, "run", where)
        base_default = previous_complete(runs, run) if args.run else default_base
        base = resolve_run(runs, args.baseline, base_default, "baseline", where)
        if base.run_id == run.run_id:
            raise UserError(f"{where}: --baseline and --run are the same run ({run.run_id})")
        result = compare_runs(store, suite.name, base, run, args.threshold, args.factor)
    finally:
        store.close()
    code = 3 if result.regressions else 0
    if args.json:
        print(json.dumps(result.to_json(), indent=2, default=str))
    else:
        _print_comparison(result)
    if not args.no_report:
        out = options.reports_root / suite.name / "compare" / f"{base.run_id}..{run.run_id}"
        try:
            paths = write_compare_page(result, out)
            print(f"report: {paths['md']}  {paths['html']}", file=sys.stderr)
        except OSError as exc:
            print(
                f"warning: could not write the comparison page under {out}: {exc.strerror}", file=sys.stderr
            )
    return code


def _print_comparison(result) -> None:
    from bench.history.compare import comparison_frame

    frame = comparison_frame(result)
    table = Table(title=f"{result.suite}: run {result.run} vs baseline {result.baseline}")
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*(str(v) for v in row))
    console = Console(width=240)
    console.print(table)
    changes = "; ".join(result.provenance_changes) or "none"
    machine = "same machine" if result.same_machine else "different machines"
    console.print(f"changed versions: {changes}; {machine}", soft_wrap=True)
    for line in result.regressions:
        console.print(f"REGRESSION {line}", soft_wrap=True, markup=False)
    n = len(result.regressions)
    console.print(f"{n} regression(s) flagged" if n else "no regression flagged")


def repair(args: argparse.Namespace) -> int:
    from bench.results.repair import repair_store
    from bench.run.lock import run_lock
    from bench.run.options import suite_dir

    suite, options = load_suite(args.suite), _options(args)
    path = store_path(suite, options)
    if not path.exists():
        raise UserError(f"{args.suite}: no results store at {path} (nothing to repair)")
    with run_lock(suite_dir(suite, options) / "run.lock", True, lambda line: print(line, file=sys.stderr)):
        result = repair_store(path)
    problems = f" ({'; '.join(result.problems)})" if result.problems else ""
    lost = "an unknown number" if result.lost_unknown else str(result.lost_records)
    print(
        f"repaired {path}: kept {result.kept_records} records of {result.kept_runs} runs, lost "
        f"{lost}{problems}; damaged file moved to {result.moved_to}; "
        f"`python -m bench run {args.suite}` re-runs what was lost"
    )
    return 0


def _read_store(suite, suite_path, options):
    """The suite's store opened read-only; a one-line error when there is none yet."""
    if not store_path(suite, options).exists():
        raise UserError(f"{suite_path}: no results yet for suite '{suite.name}' (run it first)")
    return open_store(suite, options, read_only=True, suite_path=suite_path)


def _choose_executor(args: argparse.Namespace) -> tuple[str, int]:
    """``(executor, workers)``: ``auto`` is dask when a Dask cluster is named, else the process pool
    with 2+ cores, else sequential. Dask options with another executor are a user error."""
    import os

    if args.workers is not None and args.workers < 1:  # 0 must not silently mean "the default"
        raise UserError(f"--workers: must be >= 1 (got {args.workers})")
    workers = args.workers if args.workers is not None else min(2, os.cpu_count() or 1)
    named = args.scheduler or args.cluster or args.cluster_config
    if args.executor == "auto":
        if named or os.environ.get("DASK_SCHEDULER_ADDRESS"):
            return "dask", workers
        return ("process" if workers > 1 else "sequential"), workers
    if named and args.executor != "dask":
        flag = "--scheduler" if args.scheduler else "--cluster"
        raise UserError(f"{flag}: needs --executor dask (got --executor {args.executor})")
    return args.executor, workers


def _local_workers(executor: str, args: argparse.Namespace) -> bool:
    """Whether ``executor`` starts worker processes on this machine (the pool, a LocalCluster)."""
    import os

    remote = args.scheduler or args.cluster or os.environ.get("DASK_SCHEDULER_ADDRESS")
    return executor == "process" or (executor == "dask" and not remote)


def _dask_options(args: argparse.Namespace) -> dict:
    if args.scheduler and args.cluster:
        raise UserError("--scheduler and --cluster: give one (an existing scheduler, or a cluster to start)")
    if args.cluster_config and not args.cluster:
        raise UserError("--cluster-config: needs --cluster slurm|pbs|sge")
    if args.cluster_config and not args.cluster_config.is_file():
        raise UserError(f"--cluster-config: no such file {args.cluster_config}")
    dashboard = None if str(args.dashboard).lower() in ("none", "off", "") else args.dashboard
    return {
        "scheduler": args.scheduler,
        "cluster": args.cluster,
        "cluster_config": args.cluster_config,
        "dashboard": dashboard,
    }


def plan(args: argparse.Namespace) -> int:
    from bench.plan.planner import plan as plan_cells
    from bench.run.preflight import preflight

    suite = load_suite(args.suite)
    preflight(suite, args.suite, _options(args), write=False)
    exists = store_path(suite, _options(args)).exists()
    store = open_store(suite, _options(args), read_only=True, suite_path=args.suite) if exists else None
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
    from bench.run.driver import write_run_report
    from bench.run.preflight import check_locations, check_report_target, run_locations

    suite = load_suite(args.suite)
    options = _options(args)
    check_locations(run_locations(suite, options)[:2])
    store = _read_store(suite, args.suite, options)
    runs = store.run_list()
    known = [r for r in runs if args.run_id is not None and r.run_id == args.run_id]
    if runs and (args.run_id is None or known):  # a run: its records, into its folder
        run = known[0] if known else runs[-1]
        summary, run_id = dict(run.summary) or {"suite": suite.name}, run.run_id
    else:  # a folder name that is no run: the store's current view (latest record per cell) there
        summary = {"suite": suite.name}
        run_id = args.run_id or datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    summary.update(run_id=run_id, suite_path=str(args.suite))
    try:
        check_report_target(options.reports_root / suite.name, run_id)
        paths = write_run_report(suite, args.suite, store, run_id, summary, options)
    finally:
        store.close()
    print(f"report: {paths['md']}  {paths['html']}")
    return 0


def predict(args: argparse.Namespace) -> int:
    from bench.cell.checkpoint import cell_checkpoint_path, load_checkpoint, regenerate_command
    from bench.cell.predict import choose_simulator, find_cell, predict_file
    from bench.results.cache import Cache
    from bench.run.options import checkpoints_dir

    if args.top < 1:
        raise UserError(f"--top: must be >= 1 (got {args.top})")
    suite, options = load_suite(args.suite), _options(args)
    cell = find_cell(suite, args.cell)
    root = checkpoints_dir(suite, options)
    path = cell_checkpoint_path(root, cell.key)
    verified = _verified_checkpoint(cell, Cache(options.cache_dir), root, args.suite)
    simulator, note = choose_simulator(verified.meta, args.backend)
    loaded = load_checkpoint(path, simulator) if simulator != verified.simulator else verified
    probs = predict_file(loaded, args.file)
    if not np.all(np.isfinite(probs)):
        raise UserError(
            f"{path}: the model gives non-finite probabilities for {args.file} "
            f"(no prediction printed; regenerate the checkpoint with `{regenerate_command(args.suite)}`)"
        )
    table = Table(box=None)
    table.add_column("class")
    table.add_column("probability", justify="right")
    for i in np.argsort(-probs, kind="stable")[: args.top]:
        table.add_row(loaded.class_names[i], f"{probs[i]:.4f}")
    console = Console(width=200)
    for line in [*verified.notes, note]:
        if line:
            console.print(f"note: {line}", soft_wrap=True)
    console.print(
        f"cell: {cell.key}\nbackbone protocol: {loaded.meta['protocol']}; circuit on: {simulator}\n"
        f"file: {args.file}",
        soft_wrap=True,
    )
    console.print(table)
    return 0


def _verified_checkpoint(cell, cache, root, suite_path):
    """``ensure_checkpoint``, with a checkpoint that is missing and not in the cache said plainly."""
    from bench.cell.checkpoint import (
        DamagedCheckpoint,
        cell_checkpoint_path,
        ensure_checkpoint,
        regenerate_command,
    )

    path = cell_checkpoint_path(root, cell.key)
    existed = path.exists()
    try:
        return ensure_checkpoint(cell, cache, root, suite_path)
    except UserError:
        if not existed:
            raise UserError(
                f"{suite_path}: cell {cell.key} has no checkpoint in {root} and its trained "
                f"model is not in the cache {cache.root} (run the suite first)"
            ) from None
        raise
    except DamagedCheckpoint as exc:
        raise UserError(f"{exc}; regenerate it with `{regenerate_command(suite_path)}`") from None


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
    from bench.quantum.autoselect import fastest_trainer, measure, write_table
    from bench.spec.profile_files import trainer_timings_file

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
            args.output or trainer_timings_file(),
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

    if args.executors is not None:
        return _executor_benchmark(args)
    if args.widths:
        return _benchmark_widths(args)
    backends = args.backends or ["default.qubit", "lightning.qubit", "torch.statevector"]
    timings = run_benchmark(
        backends, args.qubits, args.layers, args.batch, args.repeats or 3, not args.no_loop
    )
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
    table = width_table(backends, args.widths, args.layers, args.batch, args.repeats or 3, args.threads)
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


def _executor_benchmark(args: argparse.Namespace) -> int:
    import os

    from bench.timing.executor_benchmark import EXECUTORS, run_executor_benchmark

    executors = args.executors or list(EXECUTORS)
    if "sequential" not in executors:
        executors.insert(0, "sequential")  # the reference every speed-up is relative to
    timings, identical = run_executor_benchmark(executors, args.workers, args.repeats or 1, args.suite)
    by_name = {t.executor: t for t in timings}
    seq = by_name["sequential"].seconds
    table = Table(title=f"{timings[0].cells} cells, cold cache, {os.cpu_count()} cores")
    for column in ("executor", "workers", "wall s", "speed-up", "CPU s", "max load (1 min)"):
        table.add_column(column)
    for t in timings:
        speedup = f"{seq / t.seconds:.2f}x"
        table.add_row(
            t.executor, str(t.workers), f"{t.seconds:.1f}", speedup, f"{t.cpu_seconds:.1f}", f"{t.load:.2f}"
        )
    console = Console(width=200)
    console.print(table)
    if "dask" in by_name and "process" in by_name:
        ratio = by_name["dask"].seconds / by_name["process"].seconds
        console.print(f"dask / process wall time: {ratio:.3f} ({(ratio - 1) * 100:+.1f} %)")
    console.print(
        "records identical across executors" if identical else "[red]records DIFFER across executors[/]"
    )
    return 0 if identical else 1


def options(args: argparse.Namespace) -> int:
    from bench.cli.options_doc import OPTIONS_PAGE, options_markdown

    text = options_markdown()
    if not args.write:
        print(text, end="")
        return 0
    OPTIONS_PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {OPTIONS_PAGE}")
    return 0
