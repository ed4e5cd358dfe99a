"""Batched gate kernels of the torch state-vector backend (numpy at compile time, torch at run time).

Conventions follow PennyLane: wire 0 is the most significant bit of a basis index. Single-qubit
gate builders take parameter tensors of shape ``(..., G)`` (``G`` gates at once, optionally a
batch axis in front) and return ``(..., G, 2, 2)`` complex matrices built from real cos/sin
parts, so a whole layer of rotations costs a few elementwise operations.

Multi-qubit gates never become matrices: parameter-free permutations (CNOT, SWAP, Toffoli, ...)
compose into one index permutation of the basis, and diagonal gates (IsingZZ, CZ, MultiRZ, CRZ,
ControlledPhaseShift) into one phase ``exp(i (theta @ pattern + constant))`` per basis state.
"""

from __future__ import annotations

import numpy as np

PARAMETRIC_1Q = ("RX", "RY", "RZ", "Rot", "PhaseShift", "U3")
CONSTANT_1Q = ("Hadamard", "PauliX", "PauliY", "PauliZ", "S", "T", "SX", "Identity")
DIAGONAL_PARAMETRIC = ("IsingZZ", "MultiRZ", "CRZ", "ControlledPhaseShift")
CONSTANT_MULTI = ("CNOT", "CZ", "SWAP", "Toffoli", "CCZ")
IGNORED = ("GlobalPhase",)  # no effect on expectation values
GATE_SET = frozenset(PARAMETRIC_1Q + CONSTANT_1Q + DIAGONAL_PARAMETRIC + CONSTANT_MULTI + IGNORED)
"""What a tape is decomposed into before compiling; PennyLane decomposes everything else."""


def _complex(re: list, im: list | None, like):
    """``(..., G, 2, 2)`` complex from four real parts (and four imaginary ones)."""
    import torch

    real = torch.stack(re, dim=-1)
    imag = torch.stack(im, dim=-1) if im is not None else torch.zeros_like(real)
    return torch.complex(real, imag).unflatten(-1, (2, 2))


def single_qubit_matrices(name: str, params: list):
    """Matrices of ``G`` gates ``name`` with parameter tensors ``params`` (one per gate parameter)."""
    import torch

    t = params[0]
    zero = torch.zeros_like(t)
    if name in ("RX", "RY", "RZ"):
        c, s = torch.cos(t / 2), torch.sin(t / 2)
        if name == "RX":
            return _complex([c, zero, zero, c], [zero, -s, -s, zero], t)
        if name == "RY":
            return _complex([c, -s, s, c], None, t)
        return _complex([c, zero, zero, c], [-s, zero, zero, s], t)
    if name == "PhaseShift":
        one = torch.ones_like(t)
        return _complex([one, zero, zero, torch.cos(t)], [zero, zero, zero, torch.sin(t)], t)
    if name == "Rot":
        phi, theta, omega = params
        c, s = torch.cos(theta / 2), torch.sin(theta / 2)
        a, b = (phi + omega) / 2, (phi - omega) / 2
        ca, sa, cb, sb = torch.cos(a), torch.sin(a), torch.cos(b), torch.sin(b)
        return _complex([ca * c, -cb * s, cb * s, ca * c], [-sa * c, -sb * s, -sb * s, sa * c], t)
    if name == "U3":
        theta, phi, delta = params
        c, s = torch.cos(theta / 2), torch.sin(theta / 2)
        re = [c, -torch.cos(delta) * s, torch.cos(phi) * s, torch.cos(phi + delta) * c]
        im = [zero, -torch.sin(delta) * s, torch.sin(phi) * s, torch.sin(phi + delta) * c]
        return _complex(re, im, t)
    raise KeyError(name)


def bit(index: np.ndarray, wire: int, n_wires: int) -> np.ndarray:
    """The value (0/1) of ``wire`` in each basis ``index``."""
    return (index >> (n_wires - 1 - wire)) & 1


def local_index(index: np.ndarray, wires: tuple[int, ...], n_wires: int) -> np.ndarray:
    """The basis index restricted to ``wires`` (first wire most significant)."""
    out = np.zeros_like(index)
    for w in wires:
        out = (out << 1) | bit(index, w, n_wires)
    return out


def with_local(index: np.ndarray, wires: tuple[int, ...], local: np.ndarray, n_wires: int) -> np.ndarray:
    """``index`` with the bits of ``wires`` replaced by ``local``."""
    out = index.copy()
    k = len(wires)
    for j, w in enumerate(wires):
        shift = n_wires - 1 - w
        value = (local >> (k - 1 - j)) & 1
        out = (out & ~(1 << shift)) | (value << shift)
    return out


def permutation_of(matrix: np.ndarray, wires: tuple[int, ...], n_wires: int) -> np.ndarray | None:
    """``p`` with ``new[i] = old[p[i]]`` for a permutation ``matrix`` on ``wires``; ``None`` if not one."""
    m = np.asarray(matrix)
    if not (np.allclose(np.abs(m).sum(axis=1), 1) and np.allclose(m[np.abs(m) > 1e-12], 1)):
        return None
    index = np.arange(2**n_wires)
    source_local = np.argmax(np.abs(m), axis=1)[local_index(index, wires, n_wires)]
    return with_local(index, wires, source_local, n_wires)


def constant_phase(matrix: np.ndarray, wires: tuple[int, ...], n_wires: int) -> np.ndarray | None:
    """Phase angle per basis state of a diagonal ``matrix`` on ``wires``; ``None`` if not diagonal."""
    m = np.asarray(matrix)
    if not np.allclose(m, np.diag(np.diag(m))):
        return None
    return np.angle(np.diag(m))[local_index(np.arange(2**n_wires), wires, n_wires)]


def phase_pattern(name: str, wires: tuple[int, ...], n_wires: int) -> np.ndarray:
    """Coefficient of the angle in the phase of each basis state for a diagonal parametric gate."""
    index = np.arange(2**n_wires)
    z = {w: 1 - 2 * bit(index, w, n_wires) for w in wires}
    if name in ("IsingZZ", "MultiRZ"):
        return -0.5 * np.prod([z[w] for w in wires], axis=0)
    control, target = wires
    if name == "CRZ":
        return bit(index, control, n_wires) * -0.5 * z[target]
    if name == "ControlledPhaseShift":
        return (bit(index, control, n_wires) * bit(index, target, n_wires)).astype(float)
    raise KeyError(name)


def z_signs(observables: tuple, n_wires: int) -> np.ndarray:
    """``(2**n, n_obs)``: the eigenvalue of each PauliZ-product observable on each basis state."""
    index = np.arange(2**n_wires)
    cols = [np.prod([1 - 2 * bit(index, w, n_wires) for w in wires], axis=0) for _, wires in observables]
    return np.stack(cols, axis=1).astype(float)


def kron_matrices(mats: list):
    """Kronecker product of ``(..., a, a)`` matrices, first one most significant."""
    out = mats[0]
    for m in mats[1:]:
        a, b = out.shape[-1], m.shape[-1]
        prod = out[..., :, None, :, None] * m[..., None, :, None, :]
        out = prod.reshape(*prod.shape[:-4], a * b, a * b)
    return out


def kron_vectors(vectors):
    """Product state ``(..., 2**n)`` of per-wire ``(..., n, 2)`` vectors, wire 0 most significant."""
    out = vectors[..., 0, :]
    for w in range(1, vectors.shape[-2]):
        out = (out[..., :, None] * vectors[..., w, None, :]).flatten(-2)
    return out
