"""``python -m bench benchmark --peers``: torch.statevector against the simulators a researcher would pick.

The workload (``bench.timing.peer_worker``): an ansatz (default AngleEmbedding +
StronglyEntanglingLayers), 2 layers, batch 64, forward + the gradient w.r.t. inputs and weights,
one thread. Every simulator runs in its own subprocess worker (``peer_worker.py``), started with
this project's Python for ``torch.statevector`` and with ``peers_python`` (``--peers-python`` or
``$QHEAD_PEERS_PYTHON``; default: this Python) for the peers, which therefore live in their own
venv (``benchmarks/peers-venv.sh`` builds one). At each width every worker is set up, checked
against torch.statevector (max |diff| of outputs and gradients), then timed in ``rounds``
interleaved rounds (peer order rotating each round) of ``steps`` steps; a figure is the median
over rounds of the per-round median, in CPU seconds per step. A peer missing from its Python, or
failing at a width, is listed as skipped with the reason; one whose warm step exceeds
``budget_s`` is timed once and not run at larger widths.

The FLOP bound: ``3 x layers x 2n x batch x 2**n x 8`` real flops (2n fused 2x2 gates per layer on
``2**n x batch`` amplitudes, one complex multiply-add of 8 flops per amplitude and gate, x3 for
the backward pass) at the core's measured one-thread complex128 matmul rate.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

OURS = "torch.statevector"
PEERS = (
    OURS,
    "torch.statevector:torch-kernel",
    "pennylane-jax-jit",
    "tensorcircuit-ng",
    "qulacs",
    "torchquantum-ng",
    "pennylane-torch",
    "lightning-adjoint",
)
"""Every simulator of the table; ``torch.statevector:torch-kernel`` is ours on its torch blocks."""

REQUIRES = {
    "pennylane-jax-jit": ("jax", "pennylane"),
    "tensorcircuit-ng": ("tensorcircuit", "jax"),
    "qulacs": ("qulacs",),
    "torchquantum-ng": ("torchquantum", "torch"),
    "pennylane-torch": ("pennylane", "torch"),
    "lightning-adjoint": ("pennylane_lightning", "torch"),
}
"""The modules a peer's Python must have (checked before it is started)."""

PEERS_PYTHON_VARIABLE = "QHEAD_PEERS_PYTHON"
WORKER = Path(__file__).with_name("peer_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def flops(n: int, layers: int, batch: int) -> float:
    """Real flops of one forward + backward step (see the module docstring)."""
    return 3.0 * layers * 2 * n * batch * 2**n * 8


@dataclass
class PeerTable:
    """CPU seconds per step ``seconds[peer][n]``; ``notes[peer][n]`` why a cell has no figure."""

    ansatz: str
    layers: int
    batch: int
    widths: list[int]
    peers: list[str]
    gflops: float  # one-thread complex128 matmul rate of this core
    seconds: dict[str, dict[int, float]] = field(default_factory=dict)
    agreement: dict[str, dict[int, float]] = field(default_factory=dict)
    notes: dict[str, dict[int, str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # peer -> why it did not run at all

    def ratio(self, peer: str, n: int) -> float | None:
        """Peer seconds / ours (> 1: the peer is slower)."""
        a, b = self.seconds.get(peer, {}).get(n), self.seconds.get(OURS, {}).get(n)
        return a / b if a and b else None

    def bound(self, n: int) -> float:
        """Seconds of the FLOP bound at width ``n``."""
        return flops(n, self.layers, self.batch) / (self.gflops * 1e9)

    def best_peer(self, n: int) -> str | None:
        """The fastest peer at ``n`` (ours on its torch blocks is not a peer)."""
        timed = {p: s[n] for p, s in self.seconds.items() if n in s and not p.startswith(OURS)}
        return min(timed, key=timed.get) if timed else None


class Worker:
    """One simulator in a subprocess, answering ``peer_worker`` requests."""

    def __init__(self, peer: str, python: str):
        env = os.environ | _thread_variables()
        env["PYTHONPATH"] = str(ROOT)
        self.peer = peer
        self.process = subprocess.Popen(
            [python, str(WORKER), peer, str(ROOT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )

    def ask(self, **request) -> dict:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        return json.loads(line) if line else {"skip": f"worker exited ({self.process.wait()})"}

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _thread_variables() -> dict[str, str]:
    from bench.timing.peer_worker import THREAD_VARIABLES

    return dict(THREAD_VARIABLES)


def peers_python(explicit: str | None = None) -> str:
    """``explicit``, else ``$QHEAD_PEERS_PYTHON``, else this interpreter."""
    return explicit or os.environ.get(PEERS_PYTHON_VARIABLE) or sys.executable


def missing_modules(python: str, modules: tuple[str, ...]) -> str | None:
    """Why ``python`` cannot run a peer needing ``modules`` (``None``: it can)."""
    code = "import importlib.util as u, sys; print(','.join(m for m in sys.argv[1:] if not u.find_spec(m)))"
    try:
        done = subprocess.run([python, "-c", code, *modules], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot run {python} ({exc})"
    missing = done.stdout.strip()
    if done.returncode != 0:
        return f"{python} failed ({done.stderr.strip().splitlines()[-1:]})"
    return f"not installed in {python}: {missing}" if missing else None


def start_workers(peers: list[str], python: str) -> tuple[dict[str, Worker], dict[str, str]]:
    """Workers of the runnable peers, and the reason of every other one."""
    workers, skipped = {}, {}
    for peer in peers:
        interpreter = sys.executable if peer.startswith(OURS) else python
        reason = missing_modules(interpreter, REQUIRES.get(peer, ()))
        if reason:
            skipped[peer] = reason
        else:
            workers[peer] = Worker(peer, interpreter)
    return workers, skipped


def run_peers(
    widths: list[int],
    peers: list[str] | None = None,
    python: str | None = None,
    ansatz: str = "strongly-entangling",
    layers: int = 2,
    batch: int = 64,
    rounds: int = 3,
    steps: int = 3,
    budget_s: float = 20.0,
) -> PeerTable:
    """Time every peer at every width (see the module docstring)."""
    peers = list(peers or PEERS)
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        raise ValueError(f"unknown peer '{unknown[0]}' (known: {', '.join(PEERS)})")
    if OURS not in peers:
        peers.insert(0, OURS)
    workers, skipped = start_workers(peers, peers_python(python))
    try:
        gflops = workers[OURS].ask(cmd="rate")["gflops"]
        table = PeerTable(ansatz, layers, batch, list(widths), peers, gflops, skipped=skipped)
        retired: dict[str, str] = {}
        for n in widths:
            _one_width(table, workers, retired, n, rounds, steps, budget_s)
    finally:
        for worker in workers.values():
            worker.close()
    return table


def _one_width(table: PeerTable, workers: dict, retired: dict, n: int, rounds: int, steps: int, budget_s):
    active, reference, plan = [], None, {}
    for peer, worker in workers.items():
        if peer in retired:
            table.notes.setdefault(peer, {})[n] = retired[peer]
            continue
        reply = worker.ask(cmd="setup", n=n, layers=table.layers, batch=table.batch, ansatz=table.ansatz)
        if "skip" not in reply:
            reply = worker.ask(cmd="check")  # also the warm-up (and jit compilation)
        if "skip" in reply:
            table.notes.setdefault(peer, {})[n] = reply["skip"]
            continue
        reference = reply if peer == OURS else reference
        if reference is not None:
            table.agreement.setdefault(peer, {})[n] = _max_diff(reply, reference)
        warm = worker.ask(cmd="time", steps=1)["seconds"][0]
        plan[peer] = (max(1, min(steps, int(budget_s / max(warm, 1e-9)))), rounds if warm < budget_s else 1)
        if warm > budget_s:
            retired[peer] = f"over the {budget_s:g} s budget per step from n = {n}"
        active.append(peer)
    per_round: dict[str, list[float]] = {p: [] for p in active}
    for r in range(rounds):
        order = active[r % len(active) :] + active[: r % len(active)] if active else []
        for peer in order:
            k, peer_rounds = plan[peer]
            if r < peer_rounds:
                per_round[peer].append(statistics.median(workers[peer].ask(cmd="time", steps=k)["seconds"]))
    for peer, values in per_round.items():
        table.seconds.setdefault(peer, {})[n] = statistics.median(values)


def _max_diff(reply: dict, reference: dict) -> float:
    import numpy as np

    diffs = [np.abs(np.asarray(reply[k]) - np.asarray(reference[k])).max() for k in ("out", "gx", "gw")]
    return float(max(diffs))


def format_table(table: PeerTable) -> str:
    """The table as text: CPU s per step and ratio peer / ours per width, the FLOP bound and ours / bound."""
    names = [p for p in table.peers if p in table.seconds or p in table.notes]
    lines = [
        f"{table.ansatz}, {table.layers} layers, batch {table.batch}, forward + backward w.r.t. inputs and "
        f"weights, one thread; CPU s per step (ratio peer / ours, > 1: the peer is slower); FLOP bound at "
        f"{table.gflops:.1f} GFLOP/s (one-thread complex128 matmul here)",
        "qubits | " + " | ".join(names) + " | best peer | bound s | ours / bound",
    ]
    for n in table.widths:
        cells = []
        for peer in names:
            s = table.seconds.get(peer, {}).get(n)
            if s is None:
                cells.append("skipped" if n in table.notes.get(peer, {}) else "-")
            elif peer == OURS:
                cells.append(f"{s:.3g}")
            else:
                cells.append(f"{s:.3g} ({table.ratio(peer, n):.2f}x)")
        best = table.best_peer(n)
        best_text = f"{best} {table.ratio(best, n):.2f}x" if best else "-"
        ours = table.seconds.get(OURS, {}).get(n)
        vs_bound = f"{ours / table.bound(n):.1f}x" if ours else "-"
        lines.append(f"{n} | " + " | ".join(cells) + f" | {best_text} | {table.bound(n):.3g} | {vs_bound}")
    worst = {p: max(d.values()) for p, d in table.agreement.items() if d}
    lines.append("max |diff| vs torch.statevector: " + ", ".join(f"{p} {v:.1e}" for p, v in worst.items()))
    for peer, reason in table.skipped.items():
        lines.append(f"skipped {peer}: {reason}")
    for peer, notes in table.notes.items():
        for reason in dict.fromkeys(notes.values()):
            at = [n for n, r in notes.items() if r == reason]
            lines.append(f"{peer} at n = {', '.join(map(str, at))}: {reason}")
    return "\n".join(lines)
