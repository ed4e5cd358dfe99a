"""Compiling a PennyLane circuit into fused blocks for the torch state-vector backend.

The circuit is *not* written twice. The first call of a QNode records the ansatz's PennyLane
tape once on symbolic inputs and weights (``bench.quantum.torch.trace``) and compiles its gates
into a short program of fused, batched blocks:

* ``product``  - every single-qubit gate before the first entangling gate, multiplied per wire
  into one 2x2 matrix; the state is the product of their first columns (the input encoding is
  never a matrix-vector product on the full state);
* ``local``    - the single-qubit gates between two entangling blocks, fused per wire into one
  2x2, then applied in chunks of up to ``CHUNK`` wires (one Kronecker matrix per chunk, one
  matmul on a reshaped view of the state);
* ``perm``     - consecutive parameter-free permutation gates (a CNOT ring) as one gather;
* ``diag``     - consecutive diagonal gates (IsingZZ, CZ, ...) as one phase per basis state,
  ``exp(i (angles @ pattern))``.

<Z> of every wire is one matmul of the probabilities with a sign table. Gradients come from
torch autograd (backprop) through those operations, for a whole ``(B, n)`` batch per call, on
any torch device (``cuda`` when ``device: cuda``) in complex128 (default) or complex64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bench.quantum.torch import gates
from bench.quantum.torch.trace import ParamProgram, TracedOp, trace

CHUNK = 4
"""Wires per Kronecker chunk of a ``local`` block: 16x16 matrices balance flops and kernel count."""


@dataclass
class LocalBlock:
    """Per-wire single-qubit gates; ``product`` when it prepares the state from |0...0>."""

    steps: list[list[TracedOp]]  # steps[k] = the k-th gate on each wire that has one
    product: bool


@dataclass
class PermBlock:
    index: np.ndarray


@dataclass
class DiagBlock:
    patterns: list[np.ndarray] = field(default_factory=list)
    params: list = field(default_factory=list)
    constant: np.ndarray | None = None


class Program:
    """A compiled circuit: its blocks, its parameter program and the sign table of its <Z> observables
    (run by ``bench.quantum.torch.run.bind``)."""

    def __init__(self, circuit: Callable, n_wires: int, n_inputs: int, weight_shape: tuple[int, ...]):
        traced = trace(circuit, n_inputs, weight_shape, set(gates.GATE_SET))
        self.n_wires = n_wires
        self.blocks = _blocks(traced.ops, n_wires)
        exprs = [p for op in traced.ops for p in op.params]
        for block in self.blocks:
            if isinstance(block, DiagBlock):
                exprs.extend(block.params)
        self.params = ParamProgram(exprs)
        self.signs = gates.z_signs(traced.observables, n_wires)


def _blocks(ops: tuple[TracedOp, ...], n_wires: int) -> list:
    """Group the tape into ``LocalBlock`` / ``PermBlock`` / ``DiagBlock`` (see the module docstring)."""
    blocks: list = []
    pending: dict[int, list[TracedOp]] = {}

    def flush() -> None:
        first = not any(isinstance(b, LocalBlock) and b.product for b in blocks)
        if pending or first:
            depth = max((len(v) for v in pending.values()), default=0)
            steps = [[g[k] for _, g in sorted(pending.items()) if k < len(g)] for k in range(depth)]
            blocks.append(LocalBlock(steps, product=first))
        pending.clear()

    for op in ops:
        if op.name in gates.IGNORED or op.name == "Identity":
            continue
        if len(op.wires) == 1:
            pending.setdefault(op.wires[0], []).append(op)
            continue
        flush()
        _append_multi(blocks, op, n_wires)
    flush()
    return blocks


def _append_multi(blocks: list, op: TracedOp, n_wires: int) -> None:
    last = blocks[-1] if blocks else None
    if op.name in gates.DIAGONAL_PARAMETRIC:
        diag = last if isinstance(last, DiagBlock) else DiagBlock()
        diag.patterns.append(gates.phase_pattern(op.name, op.wires, n_wires))
        diag.params.append(op.params[0])
        if diag is not last:
            blocks.append(diag)
        return
    if op.matrix is None:
        raise ValueError(f"torch.statevector cannot compile gate {op.name} on wires {list(op.wires)}")
    perm = gates.permutation_of(op.matrix, op.wires, n_wires)
    if perm is not None:
        if isinstance(last, PermBlock):
            last.index = last.index[perm]
        else:
            blocks.append(PermBlock(perm))
        return
    phase = gates.constant_phase(op.matrix, op.wires, n_wires)
    if phase is None:
        raise ValueError(f"torch.statevector: gate {op.name} is neither a permutation nor diagonal")
    diag = last if isinstance(last, DiagBlock) else DiagBlock()
    diag.constant = phase if diag.constant is None else diag.constant + phase
    if diag is not last:
        blocks.append(diag)
