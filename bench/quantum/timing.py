"""Circuit timing, apart from everything else: forward and forward+backward on one batch."""

from __future__ import annotations

import statistics
import time

import torch

from bench.quantum.layer import QuantumLayer


def time_circuit(
    layer: QuantumLayer, batch: torch.Tensor, repeats: int, backward: bool = True
) -> dict[str, float]:
    """Median seconds of one forward (no grad) and, if ``backward``, one forward+backward (grad of
    the weights) on ``batch``, after one untimed warm-up forward (which builds the device).
    Executions spent here are not counted in ``layer.circuit_executions``."""
    executions = layer.circuit_executions
    forward, backward_times = [], []
    for i in range(repeats + 1):
        start = time.perf_counter()
        with torch.no_grad():
            layer(batch)
        if i:
            forward.append(time.perf_counter() - start)
    for _ in range(repeats if backward else 0):
        layer.weights.grad = None
        start = time.perf_counter()
        layer(batch).sum().backward()
        backward_times.append(time.perf_counter() - start)
    layer.weights.grad = None
    layer.circuit_executions = executions
    fwd = statistics.median(forward)
    out = {
        "circuit_forward_per_batch_s": fwd,
        "circuit_latency_s": fwd / max(len(batch), 1),
        "timing_batch_size": float(len(batch)),
    }
    if backward:
        out["circuit_forward_backward_per_batch_s"] = statistics.median(backward_times)
    return out
