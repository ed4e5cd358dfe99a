"""``python -m bench benchmark``: time a quantum-head training step, per width, or a suite per executor."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bench.cli import views
from bench.core.exit_codes import ExitCode
from bench.core.registry import EXECUTORS


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``benchmark`` to ``sub``."""
    bench = sub.add_parser(
        "benchmark",
        help="time one quantum-head training step: batched vs per-sample loop; "
        "with --executors, a suite run sequentially vs on N workers",
    )
    bench.add_argument("--qubits", type=int, default=8, help="circuit width (default 8)")
    bench.add_argument("--layers", type=int, default=2, help="variational layers (default 2)")
    bench.add_argument("--batch", type=int, default=64, help="inputs per training step (default 64)")
    bench.add_argument(
        "--repeats", type=int, default=None, help="repeats per measurement (default 3; 1 with --executors)"
    )
    bench.add_argument(
        "--executors",
        nargs="*",
        default=None,
        choices=EXECUTORS.in_order(),
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
    bench.add_argument(
        "--peers",
        action="store_true",
        help="instead: torch.statevector against other simulators (PennyLane+JAX jit, tensorcircuit-ng, "
        "qulacs, torchquantum-ng, PennyLane torch, lightning adjoint), one subprocess each, interleaved "
        "rounds, one thread; widths from --widths (default 2 4 8 12 16); peers not installed are skipped",
    )
    bench.add_argument(
        "--peers-python",
        default=None,
        help="the Python of the peers' venv (default $QHEAD_PEERS_PYTHON, else this Python); "
        "benchmarks/peers-venv.sh builds one",
    )
    bench.add_argument(
        "--ansatz", default="strongly-entangling", help="ansatz of --peers (default strongly-entangling)"
    )
    bench.add_argument("--rounds", type=int, default=3, help="interleaved rounds of --peers (default 3)")
    bench.add_argument(
        "--budget", type=float, default=20.0, help="--peers: seconds per step above which a peer is retired"
    )


def run(args: argparse.Namespace) -> int:
    """One of the three benchmarks, printed as a table; 1 when executors' records differ."""
    from bench.timing.step_benchmark import run_benchmark

    if args.executors is not None:
        return executor_benchmark(args)
    if args.peers:
        return peer_benchmark(args)
    if args.widths:
        return width_benchmark(args)
    backends = args.backends or ["default.qubit", "lightning.qubit", "torch.statevector"]
    timings = run_benchmark(
        backends, args.qubits, args.layers, args.batch, args.repeats or 3, not args.no_loop
    )
    views.show_step_benchmark(timings, args.qubits, args.layers, args.batch)
    return 0


def peer_benchmark(args: argparse.Namespace) -> int:
    """``--peers``: torch.statevector against the other simulators, per width (``bench.timing.peers``)."""
    from bench.timing.peers import format_table, run_peers

    widths = args.widths or [2, 4, 8, 12, 16]
    table = run_peers(
        widths, None, args.peers_python, args.ansatz, args.layers, args.batch, args.rounds,
        args.repeats or 3, args.budget,
    )  # fmt: skip
    views.show_peer_table(format_table(table))
    return ExitCode.OK


def width_benchmark(args: argparse.Namespace) -> int:
    """``--widths``: the batched step per width and backend, side by side."""
    from bench.timing.step_benchmark import width_table

    backends = args.backends or ["default.qubit", "torch.statevector"]
    table = width_table(backends, args.widths, args.layers, args.batch, args.repeats or 3, args.threads)
    views.show_width_table(table, args.batch, args.layers)
    return 0


def executor_benchmark(args: argparse.Namespace) -> int:
    """``--executors``: a suite run cold on each executor; 1 when their records differ."""
    from bench.timing.executor_benchmark import EXECUTORS, run_executor_benchmark

    executors = args.executors or list(EXECUTORS)
    if "sequential" not in executors:
        executors.insert(0, "sequential")  # the reference every speed-up is relative to
    timings, identical = run_executor_benchmark(executors, args.workers, args.repeats or 1, args.suite)
    views.show_executor_benchmark(timings, identical, os.cpu_count())
    return ExitCode.OK if identical else ExitCode.CELL_FAILED
