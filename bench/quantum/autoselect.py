"""Which exact simulator trains a head: the fastest one for the circuit width, from measured timings.

``python -m bench calibrate`` times one training step's circuit work (forward + backward of the
``QuantumLayer`` on a batch) on every available exact simulator for a range of qubit counts and
writes the medians to the trainer-timings table (``trainer-timings.json``, found by
``bench.spec.profile_files.trainer_timings_file``; the shipped one is package data), with the
machine and versions that produced them. ``fastest_trainer(n)`` reads that table: among the
simulators available here, the one with the lowest time at width ``n``, interpolated log-linearly
between measured widths and
extrapolated beyond them from each simulator's last measured growth rate (no data falls back to
``default.qubit``). Reading a committed table, not timing on the fly, keeps the choice
- and therefore every cell key - identical across runs on the same installation; re-run the
command on a new machine to re-decide. The record of every cell says which simulator trained it.
"""

from __future__ import annotations

import functools
import json
import math
import os
import statistics
from pathlib import Path

from bench.core.files import write_text_atomic
from bench.spec.profile_files import trainer_timings_file

FALLBACK = "default.qubit"


@functools.cache
def _table(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def _available(names: list[str]) -> list[str]:
    from bench.core.registry import SIMULATORS

    return [n for n in names if n in SIMULATORS and SIMULATORS.get(n).probe() is None]


def _time_at(per_width: dict[str, float], n_qubits: int) -> float | None:
    """Seconds at ``n_qubits``: log-linear between the two nearest measured widths (so beyond the
    measured range each simulator keeps its own exponential growth rate); a single width is used as is."""
    if not per_width:
        return None
    points = sorted((int(w), float(t)) for w, t in per_width.items())
    if len(points) == 1:
        return points[0][1]
    below = [p for p in points if p[0] <= n_qubits][-1:] or [points[0]]
    above = [p for p in points if p[0] > n_qubits][:1] or [points[-1]]
    (w0, t0), (w1, t1) = (points[-2], points[-1]) if below[0][0] == points[-1][0] else (below[0], above[0])
    if w0 == w1:
        return t0
    rate = (math.log(t1) - math.log(t0)) / (w1 - w0)
    return math.exp(math.log(t0) + rate * (n_qubits - w0))


def fastest_trainer(n_qubits: int, path: str | Path | None = None) -> str:
    """The available exact simulator with the lowest measured training-step time at this width
    (``path``: the timing table; default ``trainer_timings_file()``)."""
    seconds = _table(str(path or trainer_timings_file())).get("seconds", {})
    candidates = _available(sorted(seconds))
    timed = [
        (t, name != FALLBACK, name)
        for name in candidates
        if (t := _time_at(seconds[name], n_qubits)) is not None
    ]
    return min(timed)[2] if timed else FALLBACK


def measure(
    simulators: list[str], qubits: list[int], n_layers: int = 2, batch: int = 64, repeats: int = 3
) -> dict[str, dict[str, float]]:
    """Median forward+backward seconds per batch, ``{simulator: {qubits: seconds}}`` (available only)."""
    import torch

    from bench.core.registry import SIMULATORS
    from bench.quantum.layer import QuantumLayer
    from bench.quantum.timing import time_circuit

    out: dict[str, dict[str, float]] = {}
    for name in _available(simulators):
        for n in qubits:
            layer = QuantumLayer(n, n_layers, SIMULATORS.get(name), torch.Generator().manual_seed(0))
            gen = torch.Generator().manual_seed(1)
            x = torch.rand(batch, n, generator=gen, dtype=torch.float64) * torch.pi
            key = "circuit_forward_backward_per_batch_s"
            samples = [time_circuit(layer, x, 1)[key] for _ in range(repeats)]
            out.setdefault(name, {})[str(n)] = statistics.median(samples)
    return out


def write_table(seconds: dict, path: str | Path, settings: dict) -> Path:
    """Write the timing table with the provenance of the machine that measured it."""
    from bench.core.provenance import provenance

    path = Path(path)
    info = provenance()
    keep = ("cpu", "cpu_count", "gpu", "version.pennylane", "version.pennylane-lightning", "version.torch")
    machine = {k: info[k] for k in keep if k in info}
    machine["OMP_NUM_THREADS"] = os.environ.get("OMP_NUM_THREADS", "unset")
    body = {"settings": settings, "machine": machine, "seconds": seconds}
    write_text_atomic(path, json.dumps(body, indent=2, sort_keys=True) + "\n")
    _table.cache_clear()
    return path
