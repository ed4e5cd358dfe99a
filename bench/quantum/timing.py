"""Circuit timing, apart from everything else: forward and forward+backward on one batch."""

from __future__ import annotations

import statistics
import time

import torch

from bench.quantum.layer import QuantumLayer


def time_circuit(layer: QuantumLayer, batch: torch.Tensor, repeats: int) -> dict[str, float]:
    """Median seconds of one forward (no grad) and one forward+backward (grad of the weights)
    on ``batch``, after one untimed warm-up forward (which builds the device). Executions spent here are not counted
    in ``layer.circuit_executions``."""
    executions = layer.circuit_executions
    forward, backward = [], []
    for i in range(repeats + 1):
        start = time.perf_counter()
        with torch.no_grad():
            layer(batch)
        if i:
            forward.append(time.perf_counter() - start)
    for _ in range(repeats):
        layer.weights.grad = None
        start = time.perf_counter()
        layer(batch).sum().backward()
        backward.append(time.perf_counter() - start)
    layer.weights.grad = None
    layer.circuit_executions = executions
    fwd = statistics.median(forward)
    return {
        "circuit_forward_per_batch_s": fwd,
        "circuit_forward_backward_per_batch_s": statistics.median(backward),
        "circuit_latency_s": fwd / max(len(batch), 1),
        "timing_batch_size": float(len(batch)),
    }
