"""From a PennyLane circuit on a batch to one parametrised Qiskit template plus a value matrix.

The circuit is traced once on the whole broadcast batch, decomposed into the gates
pennylane-qiskit can translate (``QISKIT_OPERATION_MAP``), and every gate parameter that varies
across the batch (it has a batch axis) becomes a Qiskit ``Parameter``; constant parameters
(trained weights) stay numbers. The result is one template circuit, transpiled once, and a
``(B, P)`` matrix of parameter values: a single Estimator PUB runs the whole batch (one
parameter binding per item), never a Python loop of circuits.

ZNE folding happens on the logical template (``U (U^dagger U)^k``) with barriers between the
segments, so the transpiler optimises each segment but cannot cancel a fold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Template:
    """A parametrised circuit for a batch: ``circuit`` with ``values[b]`` bound is item ``b``."""

    circuit: object  # qiskit.QuantumCircuit
    values: np.ndarray  # (B, P), columns in the order of ``circuit.parameters``
    observables: list  # SparsePauliOp per measured expectation value (logical qubits)
    batch_size: int


def _as_numpy(value):
    import torch

    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=float)


def trace(circuit, inputs, weights, n_wires: int) -> Template:
    """Trace ``circuit(inputs, weights)`` (``inputs`` of shape ``(B, n)``) into a ``Template``."""
    import pennylane as qml
    from pennylane_qiskit.converter import QISKIT_OPERATION_MAP, mp_to_pauli
    from qiskit import QuantumCircuit, QuantumRegister
    from qiskit.circuit import ParameterVector

    inputs, weights = _as_numpy(inputs), _as_numpy(weights)
    batch = inputs.shape[0] if inputs.ndim == 2 else 1
    tape = qml.tape.make_qscript(circuit)(inputs, weights)
    [tape], _ = qml.transforms.decompose(tape, gate_set=set(QISKIT_OPERATION_MAP))
    varying = [np.asarray(p) for op in tape.operations for p in op.parameters if np.ndim(p) == 1]
    names = ParameterVector("x", len(varying))
    register = QuantumRegister(n_wires)
    qc = QuantumCircuit(register)
    columns: list[np.ndarray] = []
    for op in tape.operations:
        params = []
        for p in op.parameters:
            if np.ndim(p) == 1:
                params.append(names[len(columns)])
                columns.append(np.asarray(p, dtype=float))
            else:
                params.append(float(np.asarray(p)))
        gate = QISKIT_OPERATION_MAP[op.name](*params)
        qc.append(gate, [register[w] for w in op.wires.labels])
    values = np.stack(columns, axis=-1) if columns else np.zeros((batch, 0))
    observables = [mp_to_pauli(mp, n_wires) for mp in tape.measurements]
    return Template(qc, values, observables, batch)


def folded(circuit, scale: int):
    """``U (U^dagger U)^k`` for ``scale = 2k + 1``, with barriers between the segments."""
    if scale < 1 or scale % 2 == 0:
        raise ValueError(f"scale must be an odd integer >= 1 (got {scale})")
    out = circuit.copy()
    inverse = circuit.inverse()
    for _ in range((scale - 1) // 2):
        out.barrier()
        out.compose(inverse, inplace=True)
        out.barrier()
        out.compose(circuit, inplace=True)
    return out


def pubs(template: Template, isa_circuits: list, rows: slice) -> list:
    """One Estimator PUB per transpiled circuit (scale): all observables x the bindings in ``rows``.

    Observables have shape ``(1, n)`` and values ``(b, 1, P)``, so results broadcast to ``(b, n)``.
    """
    out = []
    for isa in isa_circuits:
        observables = [[obs.apply_layout(isa.layout) for obs in template.observables]]
        values = template.values[rows]
        if values.shape[1] == 0:
            out.append((isa, observables))
        else:
            out.append((isa, observables, values[:, None, :]))
    return out


def expectations(result, n_rows: int) -> np.ndarray:
    """``(n_rows, n)`` expectation values from one PUB result (tiled when the PUB had no parameters)."""
    evs = np.asarray(result.data.evs, dtype=float)
    if evs.ndim == 2 and evs.shape[0] == 1 and n_rows != 1:
        evs = np.repeat(evs, n_rows, axis=0)
    return evs.reshape(n_rows, -1)
