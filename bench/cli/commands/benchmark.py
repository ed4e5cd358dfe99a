"""``python -m bench benchmark``: time a quantum-head training step, per width, or a suite per executor."""

from __future__ import annotations

import argparse
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
    """One of the four benchmarks, printed as a table; 1 when executors' records differ."""
    from bench.api import benchmark_executors, benchmark_peers, benchmark_step, benchmark_widths

    if args.executors is not None:
        result = benchmark_executors(
            args.executors, workers=args.workers, repeats=args.repeats or 1, suite=args.suite
        )
        views.show_executor_benchmark(result)
        return result.exit_code
    if args.peers:
        peers = benchmark_peers(
            args.widths, python=args.peers_python, ansatz=args.ansatz, layers=args.layers,
            batch=args.batch, rounds=args.rounds, repeats=args.repeats or 3, budget_s=args.budget,
        )  # fmt: skip
        views.show_peer_table(peers.text)
        return ExitCode.OK
    if args.widths:
        table = benchmark_widths(
            args.widths, args.backends, layers=args.layers, batch=args.batch,
            repeats=args.repeats or 3, threads=args.threads,
        )  # fmt: skip
        views.show_width_table(table, args.batch, args.layers)
        return ExitCode.OK
    step = benchmark_step(
        args.backends, qubits=args.qubits, layers=args.layers, batch=args.batch,
        repeats=args.repeats or 3, loop=not args.no_loop,
    )  # fmt: skip
    views.show_step_benchmark(step)
    return ExitCode.OK
