"""``python -m bench run SUITE``: execute a suite's pending cells (executors, run history, schedulers)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from bench.cli import views
from bench.cli.common import add_folders, add_selection, run_options
from bench.cli.output import emit


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
    """Run the suite's pending cells, write its report (``bench.choose_executor``, then
    ``bench.run_suite`` rendered by ``views.RunView``); the exit code of the run."""
    from bench.api import choose_executor, run_suite

    choice = choose_executor(
        args.executor,
        workers=args.workers,
        scheduler=args.scheduler,
        cluster=args.cluster,
        cluster_config=args.cluster_config,
        dashboard=args.dashboard,
        worker_timeout=args.worker_timeout,
        stuck_timeout=args.stuck_timeout,
    )
    options = run_options(
        args,
        executor=choice.executor,
        workers=choice.workers,
        executor_options=choice.options,
        force=args.force,
        report=not args.no_report,
        new_run=args.new_run or args.changed_only,
        changed_only=args.changed_only,
        wait=not args.no_wait,
    )
    with views.RunView() as view:
        outcome = run_suite(args.suite, options, on_event=view)
    if args.json:
        emit(json.dumps(outcome.to_json(), indent=2))
    return outcome.exit_code
