"""Which exact simulator trains a head: the fastest one for the circuit width, from measured timings.

``python -m bench calibrate`` times one training step's circuit work (forward + backward of the
``QuantumLayer`` on a batch) on every available exact simulator for a range of qubit counts and
writes the medians to ``backends/trainer-timings.json`` (with the machine and versions that
produced them). ``fastest_trainer(n)`` reads that table: among the simulators available here,
the one with the lowest time at the measured width nearest to ``n`` (ties and missing data fall
back to ``default.qubit``). Reading a committed table, not timing on the fly, keeps the choice
- and therefore every cell key - identical across runs on the same installation; re-run the
command on a new machine to re-decide. The record of every cell says which simulator trained it.
"""

from __future__ import annotations

import functools
import json
import os
import statistics
from pathlib import Path

from bench.quantum.profile_files import PACKAGE_PROFILES

TIMINGS_FILE = PACKAGE_PROFILES / "trainer-timings.json"
FALLBACK = "default.qubit"


@functools.cache
def _table(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def _available(names: list[str]) -> list[str]:
    from bench.registry import SIMULATORS

    return [n for n in names if n in SIMULATORS and SIMULATORS.get(n).probe() is None]


def _time_at(per_width: dict[str, float], n_qubits: int) -> float | None:
    if not per_width:
        return None
    widths = sorted(int(w) for w in per_width)
    nearest = min(widths, key=lambda w: (abs(w - n_qubits), -w))
    return float(per_width[str(nearest)])


def fastest_trainer(n_qubits: int, path: str | Path = TIMINGS_FILE) -> str:
    """The available exact simulator with the lowest measured training-step time at this width."""
    seconds = _table(str(path)).get("seconds", {})
    candidates = _available(sorted(seconds))
    timed = [(t, name != FALLBACK, name) for name in candidates
             if (t := _time_at(seconds[name], n_qubits)) is not None]
    return min(timed)[2] if timed else FALLBACK


def measure(simulators: list[str], qubits: list[int], n_layers: int = 2, batch: int = 64,
            repeats: int = 3) -> dict[str, dict[str, float]]:
    """Median forward+backward seconds per batch, ``{simulator: {qubits: seconds}}`` (available only)."""
    import torch

    from bench.quantum.layer import QuantumLayer
    from bench.quantum.timing import time_circuit
    from bench.registry import SIMULATORS

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
    from bench.provenance import provenance

    path = Path(path)
    info = provenance()
    keep = ("cpu", "cpu_count", "gpu", "version.pennylane", "version.pennylane-lightning", "version.torch")
    machine = {k: info[k] for k in keep if k in info}
    machine["OMP_NUM_THREADS"] = os.environ.get("OMP_NUM_THREADS", "unset")
    body = {"settings": settings, "machine": machine, "seconds": seconds}
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
    _table.cache_clear()
    return path
