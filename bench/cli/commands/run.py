"""``python -m bench run SUITE``: execute a suite's pending cells (executors, run history, schedulers)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from bench.cli import views
from bench.cli.common import add_folders, add_selection, run_options
from bench.cli.output import emit
from bench.core.errors import UserError
from bench.run.options import env_scheduler
from bench.run.worker_server import start_worker_server


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``run`` to ``sub``."""
    run = sub.add_parser("run", help="run every pending cell of a suite, then write its report")
    run.add_argument("suite", type=Path, help="suite YAML file, e.g. suites/audio.yaml")
    add_folders(run)
    add_selection(run)
    run.add_argument(
        "--executor",
        default=os.environ.get("QHEAD_EXECUTOR", "auto"),
        help="auto (default, or $QHEAD_EXECUTOR: dask when --scheduler, --cluster or "
        "$DASK_SCHEDULER_ADDRESS is given, else the process pool when this machine has 2+ cores, else "
        "sequential), sequential (shows per-epoch progress), process or dask; records are identical "
        "whichever runs them (docs/cluster.md)",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes for the process pool or a Dask LocalCluster; the most workers an "
        "adaptive --cluster scales to (default: min(2, cores))",
    )
    run.add_argument(
        "--scheduler",
        default=None,
        help="run on the Dask cluster of this scheduler, e.g. tcp://10.0.0.5:8786 "
        "(default with --executor dask: $DASK_SCHEDULER_ADDRESS, else a LocalCluster)",
    )
    run.add_argument(
        "--cluster",
        default=None,
        help="start Dask workers as batch jobs through dask-jobqueue: slurm, pbs or sge",
    )
    run.add_argument(
        "--cluster-config",
        type=Path,
        default=None,
        help="YAML file of the dask-jobqueue cluster's options for --cluster (default: dask's own "
        "jobqueue config, e.g. ~/.config/dask/jobqueue.yaml)",
    )
    run.add_argument(
        "--dashboard",
        default=":8787",
        help="address of the Dask dashboard of a cluster the run starts (default :8787; 'none': off)",
    )
    run.add_argument(
        "--worker-timeout",
        type=float,
        default=300.0,
        metavar="S",
        help="Dask: stop the run (exit 4, finished cells kept) when it has had no live worker for S "
        "seconds (default 300); the clock stops while dask-jobqueue jobs wait in the batch queue. Also "
        "how long an existing scheduler may take to have a first worker",
    )
    run.add_argument(
        "--stuck-timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="a worker without a heartbeat for S seconds (stopped, frozen) is reported and killed "
        "(process pool) or dropped (a Dask cluster the run starts); its cell runs again elsewhere "
        "(default 120)",
    )
    run.add_argument("--force", action="store_true", help="re-run cells already in the store")
    run.add_argument("--no-report", action="store_true", help="skip writing the report at the end")
    run.add_argument(
        "--new-run",
        action="store_true",
        help="start a new run that recomputes every cell (default: resume the latest run, reusing "
        "finished cells); earlier runs are kept",
    )
    run.add_argument(
        "--changed-only",
        action="store_true",
        help="with --new-run: recompute only cells whose spec, package versions or git SHA differ from "
        "their latest record; reuse the rest into the new run",
    )
    run.add_argument(
        "--json", action="store_true", help="print a machine-readable summary to stdout at the end"
    )
    run.add_argument(
        "--no-wait",
        action="store_true",
        help="refuse (exit 2) instead of waiting when another run holds the store's lock",
    )


def run(args: argparse.Namespace) -> int:
    """Run the suite's pending cells, write its report; the exit code of the run."""
    from bench.core.registry import EXECUTORS

    executor, workers = choose_executor(args)
    if executor not in EXECUTORS:
        allowed = ", ".join(["auto", *EXECUTORS.names()])
        raise UserError(f"--executor: unknown executor '{args.executor}' (allowed: {allowed})")
    if workers < 1:
        raise UserError(f"--workers: must be >= 1 (got {workers})")
    reason = EXECUTORS.get(executor).probe()
    if reason:
        raise UserError(f"--executor {executor}: {reason}")
    if executor == "dask" and args.scheduler:  # before anything else: a wrong address is one line, at once
        from bench.run.dask_executor import check_speaks_dask

        check_speaks_dask(args.scheduler)
    if local_workers(executor, args):  # the server's imports overlap loading and planning the suite
        start_worker_server(dask=executor == "dask")
    options = run_options(
        args,
        executor=executor,
        workers=workers,
        executor_options=executor_options(executor, args),
        force=args.force,
        report=not args.no_report,
        new_run=args.new_run or args.changed_only,
        changed_only=args.changed_only,
        wait=not args.no_wait,
    )
    from bench.api import run_suite

    with views.RunView() as view:
        outcome = run_suite(args.suite, options, on_event=view)
    if args.json:
        emit(json.dumps(outcome.to_json(), indent=2))
    return outcome.exit_code


def choose_executor(args: argparse.Namespace) -> tuple[str, int]:
    """``(executor, workers)``: ``auto`` is dask when a Dask cluster is named, else the process pool
    with 2+ cores, else sequential. Dask options with another executor are a user error."""
    if args.workers is not None and args.workers < 1:  # 0 must not silently mean "the default"
        raise UserError(f"--workers: must be >= 1 (got {args.workers})")
    workers = args.workers if args.workers is not None else min(2, os.cpu_count() or 1)
    named = args.scheduler or args.cluster or args.cluster_config
    if args.executor == "auto":
        if named or env_scheduler():
            return "dask", workers
        return ("process" if workers > 1 else "sequential"), workers
    if named and args.executor != "dask":
        flag = "--scheduler" if args.scheduler else "--cluster"
        raise UserError(f"{flag}: needs --executor dask (got --executor {args.executor})")
    return args.executor, workers


def local_workers(executor: str, args: argparse.Namespace) -> bool:
    """Whether ``executor`` starts worker processes on this machine (the pool, a LocalCluster)."""
    remote = args.scheduler or args.cluster or env_scheduler()
    return executor == "process" or (executor == "dask" and not remote)


def executor_options(executor: str, args: argparse.Namespace) -> dict:
    """Constructor options of ``executor`` from the command line (the bounded waits included)."""
    for flag, value in (("--worker-timeout", args.worker_timeout), ("--stuck-timeout", args.stuck_timeout)):
        if not value > 0:
            raise UserError(f"{flag}: must be > 0 seconds (got {value:g})")
    waits = {"stuck_timeout": args.stuck_timeout}
    if executor == "dask":
        return {**dask_options(args), **waits, "worker_timeout": args.worker_timeout}
    return waits if executor == "process" else {}


def dask_options(args: argparse.Namespace) -> dict:
    """The Dask executor's options: ``--scheduler``, ``--cluster``, ``--cluster-config``, ``--dashboard``."""
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
