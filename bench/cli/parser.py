"""Command line: ``python -m bench {run,runs,compare,repair,plan,report,predict,backends,calibrate,sweep,
benchmark,options} ...``.

User mistakes (``UserError``) print one line to stderr and exit 2 without a traceback. Exit codes
(docs/scheduled-jobs.md): 0 ok, 1 a cell failed, 2 bad input or the store cannot be used, 3 a
regression (``compare``), 130 interrupted (Ctrl-C at any phase: one line, what finished is
already committed).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bench.core.errors import UserError

DEFAULTS = {"reports": Path("reports"), "cache": Path(".cache")}


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--reports-dir",
        type=Path,
        default=DEFAULTS["reports"],
        help="where results.sqlite and reports go (default: reports/)",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=DEFAULTS["cache"],
        help="content-addressed cache of features, embeddings and trained heads (default: .cache/)",
    )


def _add_run(sub: argparse._SubParsersAction) -> None:
    """``run``: execute a suite's pending cells (executors, run history, scheduler options)."""
    run = sub.add_parser("run", help="run every pending cell of a suite, then write its report")
    run.add_argument("suite", type=Path, help="suite YAML file, e.g. suites/audio.yaml")
    _common(run)
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


def _add_history(sub: argparse._SubParsersAction) -> None:
    """``runs``, ``compare``, ``repair``: a suite's run history and its store."""
    runs = sub.add_parser(
        "runs", help="list the runs of a suite: id, date, git SHA, versions, machine, cells"
    )
    runs.add_argument("suite", type=Path)
    _common(runs)
    runs.add_argument("--json", action="store_true", help="print the list as JSON")

    compare = sub.add_parser(
        "compare",
        help="compare two runs of a suite: accuracy, predictions, runtime, failures (exit 3: regression)",
    )
    compare.add_argument("suite", type=Path)
    _common(compare)
    compare.add_argument(
        "--baseline", default=None, help="baseline run id (default: the previous complete run)"
    )
    compare.add_argument("--run", default=None, help="run id to check (default: the latest run)")
    compare.add_argument(
        "--threshold",
        type=float,
        default=1.0,
        help="accuracy regression threshold in percentage points: flagged when the whole 95 %% CI of the "
        "paired Δ lies below -threshold (default 1)",
    )
    compare.add_argument(
        "--factor",
        type=float,
        default=1.25,
        help="runtime regression factor: flagged when slower by more than this, same machine only "
        "(default 1.25)",
    )
    compare.add_argument("--json", action="store_true", help="print the comparison as JSON")
    compare.add_argument("--no-report", action="store_true", help="do not write reports/<suite>/compare/...")

    repair = sub.add_parser(
        "repair", help="salvage a damaged results store: keep every readable record, move the file aside"
    )
    repair.add_argument("suite", type=Path)
    _common(repair)


def _add_reading(sub: argparse._SubParsersAction) -> None:
    """``plan``, ``report``, ``predict``, ``backends``, ``options``: look without running cells."""
    plan = sub.add_parser("plan", help="list a suite's cells, which are done and which would be skipped")
    plan.add_argument("suite", type=Path)
    _common(plan)

    report = sub.add_parser("report", help="regenerate a suite's report from its results store")
    report.add_argument("suite", type=Path)
    _common(report)
    report.add_argument(
        "--run-id",
        default=None,
        help="a run id as `bench runs` lists them: report that run into reports/<suite>/<run-id>/ "
        "(default: the latest run); any other name: the store's latest record of every cell, "
        "into that folder",
    )

    predict = sub.add_parser(
        "predict", help="run a trained cell on your own wav or image file; print class probabilities"
    )
    predict.add_argument("suite", type=Path)
    predict.add_argument("file", type=Path, help="a wav/flac/ogg/mp3 file (audio suites) or an image file")
    predict.add_argument(
        "--cell",
        required=True,
        help="cell key as `python -m bench plan` lists it (the '#hash' part may be omitted)",
    )
    predict.add_argument(
        "--backend", default=None, help="simulator for the circuit (default: the cell's own)"
    )
    predict.add_argument("--top", type=int, default=10, help="show the K most probable classes (default 10)")
    _common(predict)

    sub.add_parser("backends", help="list built-in simulators and backend profiles, with availability")

    options = sub.add_parser("options", help="print the reference of every suite key and plugin option")
    options.add_argument("--write", action="store_true", help="rewrite docs/options.md")


def _add_timing(sub: argparse._SubParsersAction) -> None:
    """``calibrate``, ``sweep``, ``benchmark``: timing studies."""
    cal = sub.add_parser(
        "calibrate",
        help="time exact simulators per width; --write updates the table that "
        "train_on=auto picks the trainer from",
    )
    cal.add_argument("--qubits", type=int, nargs="+", default=[2, 4, 6, 8, 10, 12, 14, 16])
    cal.add_argument("--layers", type=int, default=2)
    cal.add_argument("--batch", type=int, default=64)
    cal.add_argument("--repeats", type=int, default=3)
    cal.add_argument("--simulators", nargs="*", default=None, help="default: every built-in simulator")
    cal.add_argument(
        "--write", action="store_true", help="rewrite the trainer-timings table in effect (docs/backends.md)"
    )
    cal.add_argument("--output", type=Path, default=None, help="write the table here instead")

    sweep = sub.add_parser("sweep", help="timing sweep: circuit time vs qubits and layers per backend")
    sweep.add_argument("suite", type=Path, help="sweep suite YAML, e.g. suites/timing.yaml")
    sweep.add_argument("--reports-dir", type=Path, default=DEFAULTS["reports"])
    sweep.add_argument("--force", action="store_true", help="re-measure points already in the store")

    bench = sub.add_parser(
        "benchmark",
        help="time one quantum-head training step: batched vs per-sample loop; "
        "with --executors, a suite run sequentially vs on N workers",
    )
    bench.add_argument("--qubits", type=int, default=8)
    bench.add_argument("--layers", type=int, default=2)
    bench.add_argument("--batch", type=int, default=64)
    bench.add_argument(
        "--repeats", type=int, default=None, help="repeats per measurement (default 3; 1 with --executors)"
    )
    bench.add_argument(
        "--executors",
        nargs="*",
        default=None,
        choices=["sequential", "process", "dask"],
        help="run a built-in 32-cell suite cold on each executor (default: all three); print the speed-ups",
    )
    bench.add_argument("--workers", type=int, default=2, help="workers of the parallel executors (default 2)")
    bench.add_argument("--suite", type=Path, default=None, help="suite for --executors (default: built in)")
    bench.add_argument(
        "--backends",
        nargs="*",
        default=None,
        help="default: default.qubit lightning.qubit torch.statevector (with --widths: default.qubit "
        "torch.statevector; the first is the reference of the ratio)",
    )
    bench.add_argument("--no-loop", action="store_true", help="skip the per-sample reference loop")
    bench.add_argument(
        "--widths",
        type=int,
        nargs="+",
        default=None,
        help="instead: time the batched step at each width on every backend, side by side with the ratio "
        "(plus torch.statevector on CUDA and lightning.gpu with the crossover width when a GPU is visible)",
    )
    bench.add_argument("--threads", type=int, default=1, help="torch threads for --widths (default 1)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="qhead-bench: fair quantum-head ablations"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    for add in (_add_run, _add_history, _add_reading, _add_timing):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        from bench.cli import commands

        return getattr(commands, args.command)(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            f"interrupted (Ctrl-C) during `{args.command}`: nothing finished is lost; "
            "re-run the same command to go on",
            file=sys.stderr,
        )
        return 130
