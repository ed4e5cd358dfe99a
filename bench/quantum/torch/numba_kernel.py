"""The CPU kernel of ``torch.statevector``: a compiled ``Program`` as one ``torch.autograd.Function``.

``bind_numba(program, dtype)`` returns ``run(inputs, weights)`` like ``bench.quantum.torch.run.bind``, but the
whole circuit, forward and backward, is one autograd node whose work is done by numba loops:

* forward, group by group: the batch is cut into groups of ``L`` samples (``lanes``; a group's
  ``L * 2**n`` amplitudes stay in L2 cache) laid out lane-innermost, so a gate shared by every
  sample is one vectorised loop over ``2**n * L`` amplitudes and a per-sample gate a vectorised
  loop over the lanes; the product state from the per-wire vectors, then every block in place,
  then ``<Z>`` products from a sign table; the final states and the gate tables are kept for the
  backward pass;
* backward (adjoint method): from ``dL/d<Z>`` the gradient state ``G = 2 d * psi`` is walked back
  through the blocks, un-computing ``psi`` with each block's inverse (unitary: ``U^H``) and
  accumulating the gradient of every gate parameter on the way, so no intermediate state is stored.

Torch autograd only sees the few gathers of the parameter program (``ParamProgram``) and this
node, so a training step costs a handful of torch dispatches whatever the circuit. The program's
blocks are encoded once as flat arrays (``encode``). complex128 (float64 parameters) or
complex64 (float32 parameters); CPU only (``bench.quantum.torch.run.bind`` is the path for other devices).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import torch

from bench.quantum.torch.compile import DiagBlock, LocalBlock, PermBlock, Program

KINDS = {"const": 0, "RX": 1, "RY": 2, "RZ": 3, "PhaseShift": 4, "Rot": 5, "U3": 6}
PRODUCT, LOCAL, PERM, DIAG = 0, 1, 2, 3


@dataclass(frozen=True)
class Encoded:
    """A ``Program`` as flat arrays (the numba kernels' argument tuple is ``astuple`` order)."""

    n: int
    n_weight: int  # parameter columns < n_weight are weight-only, the others per sample
    g_kind: np.ndarray  # (G,) gate kind (KINDS)
    g_cols: np.ndarray  # (G, 3) parameter columns, -1 when unused
    g_const: np.ndarray  # (G, 2, 2) complex: the matrix of a constant gate
    c_wire: np.ndarray  # (C,) wire of each per-wire chain of gates
    c_range: np.ndarray  # (C, 2) gate range of each chain, in application order
    stages: np.ndarray  # (S, 3): type, a, b (chain range | perm row | diag row range)
    d_const: np.ndarray  # (S,) row of the constant phase of a DIAG stage in phases, or -1
    perms: np.ndarray  # (P, 2**n) new[i] = old[perm[i]]
    inverse: np.ndarray  # (P, 2**n)
    patterns: np.ndarray  # (K, 2**n) phase coefficient of each diagonal-gate angle
    d_cols: np.ndarray  # (K,) parameter column of each diagonal-gate angle
    phases: np.ndarray  # (Q, 2**n) constant phases
    signs: np.ndarray  # (n_obs, 2**n)
    c_batched: np.ndarray  # (C,) whether a chain depends on the inputs (else fused once per call)
    g_batched: np.ndarray  # (G,) whether a gate depends on the inputs

    def arrays(self) -> tuple:
        return (
            self.g_kind,
            self.g_cols,
            self.g_const,
            self.c_wire,
            self.c_range,
            self.stages,
            self.d_const,
            self.perms,
            self.inverse,
            self.patterns,
            self.d_cols,
            self.phases,
            self.signs,
            self.c_batched,
            self.g_batched,
        )


def encode(program: Program, n_weights: int | None = None) -> Encoded:
    """Flatten ``program``'s blocks into the arrays the kernels walk. The kernels read parameter
    column ``c`` as ``w[c]`` below ``n_weight`` and ``x[b, c - n_weight]`` above: with
    ``n_weights`` (the weights' size; only when every gate parameter is a bare input or weight,
    see ``direct``) ``w`` and ``x`` are the weights and inputs themselves, else the parameter
    program's ``(weight_params, input_params)``."""
    n = program.n_wires
    if n_weights is None:
        column, n_weight = program.params.column, program.params.n_weight_params
    else:
        column, n_weight = (lambda e: e[1] if e[0] == "w" else n_weights + e[1]), n_weights
    gates, chains, stages, d_const = [], [], [], []
    perms, patterns, d_cols, phases = [], [], [], []
    for block in program.blocks:
        if isinstance(block, LocalBlock):
            start = len(chains)
            wires = sorted({op.wires[0] for step in block.steps for op in step})
            for wire in wires:
                first = len(gates)
                gates += [op for step in block.steps for op in step if op.wires[0] == wire]
                chains.append((wire, first, len(gates)))
            stages.append((PRODUCT if block.product else LOCAL, start, len(chains)))
            d_const.append(-1)
        elif isinstance(block, PermBlock):
            stages.append((PERM, len(perms), len(perms) + 1))
            perms.append(block.index)
            d_const.append(-1)
        else:
            assert isinstance(block, DiagBlock)
            stages.append((DIAG, len(patterns), len(patterns) + len(block.params)))
            patterns += list(block.patterns)
            d_cols += [column(p) for p in block.params]
            d_const.append(-1 if block.constant is None else len(phases))
            if block.constant is not None:
                phases.append(block.constant)
    size = 2**n
    g_cols = np.full((len(gates), 3), -1, dtype=np.int64)
    g_const = np.zeros((len(gates), 2, 2), dtype=np.complex128)
    for g, op in enumerate(gates):
        g_cols[g, : len(op.params)] = [column(p) for p in op.params]
        if not op.params:
            g_const[g] = op.matrix
    perm_rows = np.array(perms, dtype=np.int64).reshape(-1, size)
    return Encoded(
        n=n,
        n_weight=n_weight,
        g_kind=np.array([KINDS[op.name] if op.params else 0 for op in gates], dtype=np.int64),
        g_cols=g_cols,
        g_const=g_const,
        c_wire=np.array([c[0] for c in chains], dtype=np.int64),
        c_range=np.array([c[1:] for c in chains], dtype=np.int64).reshape(-1, 2),
        stages=np.array(stages, dtype=np.int64).reshape(-1, 3),
        d_const=np.array(d_const, dtype=np.int64),
        perms=perm_rows,
        inverse=np.argsort(perm_rows, axis=1).astype(np.int64),
        patterns=np.array(patterns, dtype=np.float64).reshape(-1, size),
        d_cols=np.array(d_cols, dtype=np.int64),
        phases=np.array(phases, dtype=np.float64).reshape(-1, size),
        signs=np.ascontiguousarray(np.asarray(program.signs, dtype=np.float64).T),
        c_batched=np.array([(g_cols[a:b] >= n_weight).any() for _, a, b in chains], dtype=np.bool_),
        g_batched=(g_cols >= n_weight).any(axis=1),
    )


def direct(program: Program) -> bool:
    """Whether every gate parameter is a bare input ``x[i]`` or weight ``w[k]`` (no arithmetic):
    then the kernels read the inputs and weights themselves and torch runs no parameter program."""
    return all(e[0] in ("x", "w") for e in program.params.expressions)


def bind_numba(program: Program, dtype: str):
    """``run(inputs (B, n) or (n,), weights) -> (B, n_obs)`` (or ``(n_obs,)``) on the CPU."""
    rdtype = torch.float64 if dtype == "complex128" else torch.float32
    bare = direct(program)
    encoded: dict[int, Encoded] = {}
    evaluate = None

    def run(inputs, weights):
        nonlocal evaluate
        unbatched = inputs.ndim == 1
        x = inputs.reshape(1, -1) if unbatched else inputs
        on_cpu = inputs.device.type == "cpu"
        if not on_cpu or x.dtype != rdtype:
            x = x.to(device="cpu", dtype=rdtype)
        w = weights if weights.device.type == "cpu" and weights.dtype == rdtype else weights.to("cpu", rdtype)
        key = w.numel() if bare else -1
        if key not in encoded:
            enc = encode(program, key if bare else None)
            encoded[key] = (enc, enc.arrays())
        if bare:  # the weights as they are (flattened inside): no view node in the graph
            out = _Circuit.apply(w, x, *encoded[key])
        else:
            if evaluate is None:
                evaluate = program.params.bind(torch.device("cpu"), rdtype)
            w_params, x_params = evaluate(x, w.reshape(-1))
            batch = x.shape[0]
            w_params = x.new_zeros(0) if w_params is None else w_params
            x_params = x.new_zeros(batch, 0) if x_params is None else x_params.expand(batch, -1)
            out = _Circuit.apply(w_params, x_params, *encoded[key])
        out = out[0] if unbatched else out
        return out if on_cpu else out.to(inputs.device)

    return run


class _Circuit(torch.autograd.Function):
    """``(w_params (any shape, read flat), x_params (B, P_x)) -> <Z> (B, n_obs)`` with an adjoint
    backward."""

    @staticmethod
    def forward(ctx, w_params, x_params, enc: Encoded, arrays: tuple):
        w = np.ascontiguousarray(w_params.detach().numpy()).reshape(-1)
        x = np.ascontiguousarray(x_params.detach().numpy())
        size = x.shape[0] << enc.n
        states_re, states_im = np.empty(size, dtype=w.dtype), np.empty(size, dtype=w.dtype)
        out = np.empty((x.shape[0], enc.signs.shape[0]), dtype=w.dtype)
        tab, mr, mi = tables(enc, x.shape[0], w.dtype)
        _forward(w, x, enc.n, enc.n_weight, arrays, tab, mr, mi, states_re, states_im, out)
        ctx.enc, ctx.shape = enc, w_params.shape
        ctx.arrays = (arrays, w, x, tab, mr, mi, states_re, states_im)
        return torch.from_numpy(out)

    @staticmethod
    def backward(ctx, grad_out):
        arrays, w, x, tab, mr, mi, states_re, states_im = ctx.arrays
        enc = ctx.enc
        g = grad_out.detach().contiguous().numpy().astype(np.float64, copy=False)
        dw = np.zeros(w.shape[0], dtype=np.float64)
        dx = np.zeros(x.shape, dtype=np.float64)
        # each group's final state is un-computed in a copy, so the graph may be walked again
        _backward(w, x, enc.n, enc.n_weight, arrays, tab, mr, mi, states_re, states_im, g, dw, dx)
        cast = (dw.astype(w.dtype, copy=False), dx.astype(w.dtype, copy=False))
        return torch.from_numpy(cast[0]).reshape(ctx.shape), torch.from_numpy(cast[1]), None, None


_FLAGS = {"nsz", "arcp", "contract", "reassoc"}  # vectorised sums; no nnan/ninf: NaN stays NaN
_jit = numba.njit(cache=True, nogil=True, fastmath=_FLAGS)
_inline = numba.njit(cache=True, nogil=True, fastmath=_FLAGS, inline="always")
"""Small helpers are inlined: a call between numba functions costs about 0.1 us."""


@_inline
def _gate(kind, p0, p1, p2, c00, c01, c10, c11):
    """The 2x2 matrix ``(m00, m01, m10, m11)`` of one gate (PennyLane's definitions); ``c..`` is
    the matrix of a constant gate (``kind`` 0)."""
    if kind == 0:
        return c00, c01, c10, c11
    if kind == 1:  # RX
        c, s = np.cos(p0 / 2) + 0j, -1j * np.sin(p0 / 2)
        return c, s, s, c
    if kind == 2:  # RY
        c, s = np.cos(p0 / 2) + 0j, np.sin(p0 / 2) + 0j
        return c, -s, s, c
    if kind == 3:  # RZ
        return np.exp(-0.5j * p0), 0j, 0j, np.exp(0.5j * p0)
    if kind == 4:  # PhaseShift
        return 1 + 0j, 0j, 0j, np.exp(1j * p0)
    if kind == 5:  # Rot(phi, theta, omega) = RZ(omega) RY(theta) RZ(phi)
        c, s = np.cos(p1 / 2), np.sin(p1 / 2)
        ea, eb = np.exp(0.5j * (p0 + p2)), np.exp(0.5j * (p0 - p2))
        return c / ea, -eb * s, s / eb, ea * c
    c, s = np.cos(p0 / 2), np.sin(p0 / 2)  # U3(theta, phi, delta)
    return c + 0j, -np.exp(1j * p2) * s, np.exp(1j * p1) * s, np.exp(1j * (p1 + p2)) * c


@_inline
def _rotation_derivative(kind, m):
    """``d gate / d angle`` of a one-angle gate (``kind`` 1-4) from its matrix ``m``, without
    trigonometry: ``-i/2 P m`` for ``exp(-i angle P / 2)`` (``P`` = X, Y, Z), ``i |1><1| m``."""
    if kind == 1:
        return -0.5j * m[2], -0.5j * m[3], -0.5j * m[0], -0.5j * m[1]
    if kind == 2:
        return -0.5 * m[2], -0.5 * m[3], 0.5 * m[0], 0.5 * m[1]
    if kind == 3:
        return -0.5j * m[0], -0.5j * m[1], 0.5j * m[2], 0.5j * m[3]
    return 0j, 0j, 1j * m[2], 1j * m[3]


@_inline
def _gate_derivative(kind, j, p0, p1, p2):
    """``d gate / d parameter j`` as ``(d00, d01, d10, d11)``."""
    z = 0j
    if kind == 1:
        c, s = np.cos(p0 / 2) / 2 + 0j, np.sin(p0 / 2) / 2 + 0j
        return -s, -1j * c, -1j * c, -s
    if kind == 2:
        c, s = np.cos(p0 / 2) / 2 + 0j, np.sin(p0 / 2) / 2 + 0j
        return -s, -c, c, -s
    if kind == 3:
        return -0.5j * np.exp(-0.5j * p0), z, z, 0.5j * np.exp(0.5j * p0)
    if kind == 4:
        return z, z, z, 1j * np.exp(1j * p0)
    if kind == 5:
        c, s = np.cos(p1 / 2), np.sin(p1 / 2)
        ea, eb = np.exp(0.5j * (p0 + p2)), np.exp(0.5j * (p0 - p2))
        if j == 1:
            return -s / 2 / ea, -eb * c / 2, c / 2 / eb, -ea * s / 2
        sign = 1.0 if j == 0 else -1.0  # d/dphi, d/domega: a = (phi + omega) / 2, b = (phi - omega) / 2
        return -0.5j / ea * c, -0.5j * sign * eb * s, -0.5j * sign / eb * s, 0.5j * ea * c
    c, s = np.cos(p0 / 2), np.sin(p0 / 2)
    e1, e2, e12 = np.exp(1j * p1), np.exp(1j * p2), np.exp(1j * (p1 + p2))
    if j == 0:
        return -s / 2 + 0j, -e2 * c / 2, e1 * c / 2, -e12 * s / 2
    if j == 1:
        return z, z, 1j * e1 * s, 1j * e12 * c
    return z, -1j * e2 * s, z, 1j * e12 * c


@_inline
def _mul(a, b):
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
    )


@_inline
def _real_dot(a, b):
    """``Re(sum conj(a) * b)`` of two 2x2 matrices as tuples."""
    return (np.conj(a[0]) * b[0] + np.conj(a[1]) * b[1] + np.conj(a[2]) * b[2] + np.conj(a[3]) * b[3]).real


@_inline
def _dagger(a):
    return np.conj(a[0]), np.conj(a[2]), np.conj(a[1]), np.conj(a[3])


# Passing an array to a numba function costs ~12 ns (reference counting), so the per-sample code
# calls few helpers with arrays: ``_tables`` once per sample, then one kernel per block.


@_jit
def _tables(g_kind, g_cols, g_const, c_range, c_batched, g_batched, w, x, b, n_weight, first, gm, pv, fused):
    """Gate parameters ``pv (G, 3)``, gate matrices ``gm (G, 4)`` and fused chain matrices
    ``fused (C, 4)`` of sample ``b``: all of them when ``first``, else only those that depend on
    the inputs (the weight-only ones are the same for every sample)."""
    for g in range(g_kind.shape[0]):
        if not (first or g_batched[g]):
            continue
        for j in range(3):
            col = g_cols[g, j]
            if col < 0:
                pv[g, j] = 0.0
            else:
                pv[g, j] = w[col] if col < n_weight else x[b, col - n_weight]
        c = g_const[g]
        m = _gate(g_kind[g], pv[g, 0], pv[g, 1], pv[g, 2], c[0, 0], c[0, 1], c[1, 0], c[1, 1])
        gm[g, 0], gm[g, 1], gm[g, 2], gm[g, 3] = m
    for chain in range(c_range.shape[0]):
        if not (first or c_batched[chain]):
            continue
        f = (1 + 0j, 0j, 0j, 1 + 0j)
        for g in range(c_range[chain, 0], c_range[chain, 1]):
            f = _mul((gm[g, 0], gm[g, 1], gm[g, 2], gm[g, 3]), f)
        fused[chain, 0], fused[chain, 1], fused[chain, 2], fused[chain, 3] = f


@_inline
def _matrix(gm, g, b):
    """Gate ``g``'s matrix in sample ``b`` (``gm (G, 4, B)``)."""
    return gm[g, 0, b], gm[g, 1, b], gm[g, 2, b], gm[g, 3, b]


@_jit
def _chain_grads(tab, arrays, gate_acc, chain, left, b0, L, dw, dx, n_weight, before, grad_m):
    """Accumulate the parameter gradients of ``chain`` (its gates) in lanes ``b0 .. b0 + L - 1``
    from the gradient of its fused matrix, ``left (4, L)`` (consumed): gate ``i``'s is
    ``S^H G P^H`` (``P``: the gates before it, ``S``: those after), gate by gate with the lanes
    innermost. A weight-only gate's matrix gradient is summed into ``gate_acc`` (its parameters
    are the same for every sample: ``_gate_grads`` finishes them once). ``tab`` is ``(gm0, pv0,
    gm, pv)`` (``_lane_tables``); ``before, grad_m (4, L)`` are scratch."""
    gm = tab[2]
    g_kind, g_cols, g_batched = arrays[0], arrays[1], arrays[14]
    first, last = arrays[4][chain, 0], arrays[4][chain, 1]
    for g in range(last - 1, first - 1, -1):
        kind, batched = g_kind[g], g_batched[g]
        if kind != 0:
            for ln in range(L):
                before[0, ln], before[1, ln], before[2, ln], before[3, ln] = 1, 0, 0, 1
            for h in range(first, g):
                for ln in range(L):
                    p = (before[0, ln], before[1, ln], before[2, ln], before[3, ln])
                    p = _mul(_matrix(gm, h, b0 + ln), p)
                    before[0, ln], before[1, ln], before[2, ln], before[3, ln] = p
            for ln in range(L):
                q = (left[0, ln], left[1, ln], left[2, ln], left[3, ln])
                p = (before[0, ln], before[1, ln], before[2, ln], before[3, ln])
                grad_m[0, ln], grad_m[1, ln], grad_m[2, ln], grad_m[3, ln] = _mul(q, _dagger(p))
            if not batched:
                for e in range(4):
                    gate_acc[g, e] += grad_m[e, :L].sum()
            else:
                for j in range(3):
                    col = g_cols[g, j]
                    if col < 0:
                        continue
                    for ln in range(L):
                        b = b0 + ln
                        if kind <= 4:
                            d = _rotation_derivative(kind, _matrix(gm, g, b))
                        else:
                            pv = tab[3]
                            d = _gate_derivative(kind, j, pv[g, 0, b], pv[g, 1, b], pv[g, 2, b])
                        q = (grad_m[0, ln], grad_m[1, ln], grad_m[2, ln], grad_m[3, ln])
                        value = _real_dot(q, d)
                        if col < n_weight:
                            dw[col] += value
                        else:
                            dx[b, col - n_weight] += value
        for ln in range(L):
            q = (left[0, ln], left[1, ln], left[2, ln], left[3, ln])
            q = _mul(_dagger(_matrix(gm, g, b0 + ln)), q)
            left[0, ln], left[1, ln], left[2, ln], left[3, ln] = q


# The state of a group of ``L`` samples ("lanes") is one flat array per real part: amplitude ``a``
# of lane ``ln`` at ``a * L + ln``. A gate on a wire of stride ``s`` pairs the contiguous runs
# ``[base, base + s L)`` and ``[base + s L, base + 2 s L)``, so a gate shared by every sample is one
# vectorised loop of ``s L`` pairs (at 2 qubits and 64 samples: 128 pairs, not 64 loops of 2), and
# a per-sample gate one vectorised loop over the lanes. ``L`` keeps a group's states in L2 cache.

GROUP_AMPLITUDES = 2**14
"""A group holds at most this many amplitudes (``L * 2**n``; 4 arrays of it in the backward pass)."""


SLICED = 16
"""Pair loops over strides this long or longer index slices (vectorised); shorter ones index the
array directly (a slice per pair of 1-8 amplitudes costs more than the arithmetic)."""


def lanes(n: int, batch: int) -> int:
    """Samples per group at width ``n``."""
    return max(1, min(batch, GROUP_AMPLITUDES >> n))


@_jit
def _apply(re, im, m, stride, total):
    """``psi <- (m on the wire of stride ``stride``, lanes included) psi`` in place."""
    ar, br, cr, dr = m[0].real, m[1].real, m[2].real, m[3].real
    ai, bi, ci, di = m[0].imag, m[1].imag, m[2].imag, m[3].imag
    if stride < SLICED:
        for base in range(0, total, 2 * stride):
            for k in range(stride):
                i, j = np.uint64(base + k), np.uint64(base + k + stride)
                xr, xi, yr, yi = re[i], im[i], re[j], im[j]
                re[i] = ar * xr - ai * xi + br * yr - bi * yi
                im[i] = ar * xi + ai * xr + br * yi + bi * yr
                re[j] = cr * xr - ci * xi + dr * yr - di * yi
                im[j] = cr * xi + ci * xr + dr * yi + di * yr
        return
    for base in range(0, total, 2 * stride):
        r0, r1 = re[base : base + stride], re[base + stride : base + 2 * stride]
        i0, i1 = im[base : base + stride], im[base + stride : base + 2 * stride]
        for k in range(stride):
            xr, xi, yr, yi = r0[k], i0[k], r1[k], i1[k]
            r0[k] = ar * xr - ai * xi + br * yr - bi * yi
            i0[k] = ar * xi + ai * xr + br * yi + bi * yr
            r1[k] = cr * xr - ci * xi + dr * yr - di * yi
            i1[k] = cr * xi + ci * xr + dr * yi + di * yr


@_jit
def _apply_lanes(re, im, mr, mi, b0, stride, total, L):
    """``_apply`` with one matrix per lane: lane ``ln``'s is ``mr[:, b0 + ln] + 1j mi[:, b0 + ln]``."""
    for base in range(0, total, 2 * stride):
        for q in range(base, base + stride, L):
            r0, r1 = re[q : q + L], re[q + stride : q + stride + L]
            i0, i1 = im[q : q + L], im[q + stride : q + stride + L]
            for ln in range(L):
                c = b0 + ln
                ar, br, cr, dr = mr[0, c], mr[1, c], mr[2, c], mr[3, c]
                ai, bi, ci, di = mi[0, c], mi[1, c], mi[2, c], mi[3, c]
                xr, xi, yr, yi = r0[ln], i0[ln], r1[ln], i1[ln]
                r0[ln] = ar * xr - ai * xi + br * yr - bi * yi
                i0[ln] = ar * xi + ai * xr + br * yi + bi * yr
                r1[ln] = cr * xr - ci * xi + dr * yr - di * yi
                i1[ln] = cr * xi + ci * xr + dr * yi + di * yr


@_jit
def _unapply(re, im, gre, gim, m, stride, total):
    """Backward of ``_apply``: un-compute ``psi`` and the gradient state with ``m^H`` in place;
    returns ``dL/dm``, the sum over amplitude pairs of ``grad_after (x) conj(psi_before)``."""
    h = _dagger(m)
    ar, br, cr, dr = h[0].real, h[1].real, h[2].real, h[3].real
    ai, bi, ci, di = h[0].imag, h[1].imag, h[2].imag, h[3].imag
    s00r = s00i = s01r = s01i = s10r = s10i = s11r = s11i = 0.0
    if stride < SLICED:
        for base in range(0, total, 2 * stride):
            for k in range(stride):
                i, j = np.uint64(base + k), np.uint64(base + k + stride)
                xr, xi, yr, yi = re[i], im[i], re[j], im[j]
                pr = ar * xr - ai * xi + br * yr - bi * yi
                pi = ar * xi + ai * xr + br * yi + bi * yr
                qr = cr * xr - ci * xi + dr * yr - di * yi
                qi = cr * xi + ci * xr + dr * yi + di * yr
                re[i], im[i], re[j], im[j] = pr, pi, qr, qi
                ur, ui, vr, vi = gre[i], gim[i], gre[j], gim[j]
                s00r += ur * pr + ui * pi
                s00i += ui * pr - ur * pi
                s01r += ur * qr + ui * qi
                s01i += ui * qr - ur * qi
                s10r += vr * pr + vi * pi
                s10i += vi * pr - vr * pi
                s11r += vr * qr + vi * qi
                s11i += vi * qr - vr * qi
                gre[i] = ar * ur - ai * ui + br * vr - bi * vi
                gim[i] = ar * ui + ai * ur + br * vi + bi * vr
                gre[j] = cr * ur - ci * ui + dr * vr - di * vi
                gim[j] = cr * ui + ci * ur + dr * vi + di * vr
        return s00r + 1j * s00i, s01r + 1j * s01i, s10r + 1j * s10i, s11r + 1j * s11i
    for base in range(0, total, 2 * stride):
        r0, r1 = re[base : base + stride], re[base + stride : base + 2 * stride]
        i0, i1 = im[base : base + stride], im[base + stride : base + 2 * stride]
        g0, g1 = gre[base : base + stride], gre[base + stride : base + 2 * stride]
        h0, h1 = gim[base : base + stride], gim[base + stride : base + 2 * stride]
        for k in range(stride):
            xr, xi, yr, yi = r0[k], i0[k], r1[k], i1[k]
            pr = ar * xr - ai * xi + br * yr - bi * yi
            pi = ar * xi + ai * xr + br * yi + bi * yr
            qr = cr * xr - ci * xi + dr * yr - di * yi
            qi = cr * xi + ci * xr + dr * yi + di * yr
            r0[k], i0[k], r1[k], i1[k] = pr, pi, qr, qi
            ur, ui, vr, vi = g0[k], h0[k], g1[k], h1[k]
            s00r += ur * pr + ui * pi  # u conj(p)
            s00i += ui * pr - ur * pi
            s01r += ur * qr + ui * qi
            s01i += ui * qr - ur * qi
            s10r += vr * pr + vi * pi
            s10i += vi * pr - vr * pi
            s11r += vr * qr + vi * qi
            s11i += vi * qr - vr * qi
            g0[k] = ar * ur - ai * ui + br * vr - bi * vi
            h0[k] = ar * ui + ai * ur + br * vi + bi * vr
            g1[k] = cr * ur - ci * ui + dr * vr - di * vi
            h1[k] = cr * ui + ci * ur + dr * vi + di * vr
    return s00r + 1j * s00i, s01r + 1j * s01i, s10r + 1j * s10i, s11r + 1j * s11i


@_jit
def _unapply_lanes(re, im, gre, gim, mr, mi, b0, stride, total, L, acc):
    """``_unapply`` with one matrix per lane (as in ``_apply_lanes``, of ``m`` itself); ``dL/dm`` of
    every lane is added to ``acc (8, L)`` (real, imaginary parts of its 4 entries)."""
    for base in range(0, total, 2 * stride):
        for q in range(base, base + stride, L):
            r0, r1 = re[q : q + L], re[q + stride : q + stride + L]
            i0, i1 = im[q : q + L], im[q + stride : q + stride + L]
            g0, g1 = gre[q : q + L], gre[q + stride : q + stride + L]
            h0, h1 = gim[q : q + L], gim[q + stride : q + stride + L]
            for ln in range(L):  # m^H = (conj a, conj c; conj b, conj d)
                c = b0 + ln
                ar, br, cr, dr = mr[0, c], mr[2, c], mr[1, c], mr[3, c]
                ai, bi, ci, di = -mi[0, c], -mi[2, c], -mi[1, c], -mi[3, c]
                xr, xi, yr, yi = r0[ln], i0[ln], r1[ln], i1[ln]
                pr = ar * xr - ai * xi + br * yr - bi * yi
                pi = ar * xi + ai * xr + br * yi + bi * yr
                qr = cr * xr - ci * xi + dr * yr - di * yi
                qi = cr * xi + ci * xr + dr * yi + di * yr
                r0[ln], i0[ln], r1[ln], i1[ln] = pr, pi, qr, qi
                ur, ui, vr, vi = g0[ln], h0[ln], g1[ln], h1[ln]
                acc[0, ln] += ur * pr + ui * pi
                acc[1, ln] += ui * pr - ur * pi
                acc[2, ln] += ur * qr + ui * qi
                acc[3, ln] += ui * qr - ur * qi
                acc[4, ln] += vr * pr + vi * pi
                acc[5, ln] += vi * pr - vr * pi
                acc[6, ln] += vr * qr + vi * qi
                acc[7, ln] += vi * qr - vr * qi
                g0[ln] = ar * ur - ai * ui + br * vr - bi * vi
                h0[ln] = ar * ui + ai * ur + br * vi + bi * vr
                g1[ln] = cr * ur - ci * ui + dr * vr - di * vi
                h1[ln] = cr * ui + ci * ur + dr * vi + di * vr


@_jit
def _kron(re, im, pre_re, pre_im, vr, vi, n, L):
    """The product state of the per-wire, per-lane vectors ``vr, vi (n, 2, L)`` into ``re, im``;
    ``pre_*`` receive the partial products ``kron(v_0..v_{w-1})`` at offset ``(2**w - 1) L``."""
    for ln in range(L):
        re[ln], im[ln] = 1, 0
    size = 1
    for wire in range(n):
        pre_re[(size - 1) * L : (2 * size - 1) * L] = re[: size * L]
        pre_im[(size - 1) * L : (2 * size - 1) * L] = im[: size * L]
        v0r, v0i, v1r, v1i = vr[wire, 0], vi[wire, 0], vr[wire, 1], vi[wire, 1]
        for j in range(size - 1, -1, -1):
            a, c0, c1 = j * L, 2 * j * L, (2 * j + 1) * L
            for ln in range(L):
                ar, ai = re[a + ln], im[a + ln]
                re[c1 + ln], im[c1 + ln] = ar * v1r[ln] - ai * v1i[ln], ar * v1i[ln] + ai * v1r[ln]
                re[c0 + ln], im[c0 + ln] = ar * v0r[ln] - ai * v0i[ln], ar * v0i[ln] + ai * v0r[ln]
        size *= 2


@_jit
def _kron_grad(gre, gim, pre_re, pre_im, vr, vi, n, L, dv):
    """Backward of ``_kron``: consumes the gradient state, writes each wire's per-lane vector
    gradient into ``dv (n, 4, L)`` (real, imaginary parts of its 2 entries)."""
    size = 2 ** (n - 1)
    for wire in range(n - 1, -1, -1):
        v0r, v0i, v1r, v1i = vr[wire, 0], vi[wire, 0], vr[wire, 1], vi[wire, 1]
        d = dv[wire]
        d[:] = 0
        for j in range(size):
            p, c0, c1 = (size - 1 + j) * L, 2 * j * L, (2 * j + 1) * L
            for ln in range(L):
                pr, pi = pre_re[p + ln], -pre_im[p + ln]  # conj(prefix)
                ar, ai, cr, ci = gre[c0 + ln], gim[c0 + ln], gre[c1 + ln], gim[c1 + ln]
                d[0, ln] += ar * pr - ai * pi
                d[1, ln] += ar * pi + ai * pr
                d[2, ln] += cr * pr - ci * pi
                d[3, ln] += cr * pi + ci * pr
                gre[j * L + ln] = (
                    ar * v0r[ln] + ai * v0i[ln] + cr * v1r[ln] + ci * v1i[ln]
                )  # a conj(v0) + c conj(v1)
                gim[j * L + ln] = ai * v0r[ln] - ar * v0i[ln] + ci * v1r[ln] - cr * v1i[ln]
        size //= 2


@_jit
def _phase(arrays, stage, w, x, b0, L, n_weight, angle, theta):
    """Phase angle per basis state and lane of a DIAG stage into ``angle (2**n L)``."""
    stages, d_const, patterns, d_cols, phases = arrays[5], arrays[6], arrays[9], arrays[10], arrays[11]
    size = patterns.shape[1]
    row = d_const[stage]
    for a in range(size):
        base = phases[row, a] if row >= 0 else 0.0
        for ln in range(L):
            angle[a * L + ln] = base
    for k in range(stages[stage, 1], stages[stage, 2]):
        col = d_cols[k]
        for ln in range(L):
            theta[ln] = w[col] if col < n_weight else x[b0 + ln, col - n_weight]
        for a in range(size):
            p = patterns[k, a]
            for ln in range(L):
                angle[a * L + ln] += theta[ln] * p


@_jit
def _rotate(re, im, angle, sign):
    """``psi <- exp(sign i angle) psi`` elementwise."""
    for i in range(re.shape[0]):
        c, s = np.cos(angle[i]), sign * np.sin(angle[i])
        re[i], im[i] = re[i] * c - im[i] * s, re[i] * s + im[i] * c


@_jit
def _permute(re, im, index, L, out_re, out_im):
    """``out[a] = psi[index[a]]`` for every amplitude ``a`` (all lanes)."""
    for a in range(index.shape[0]):
        src, dst = index[a] * L, a * L
        for ln in range(L):
            out_re[dst + ln] = re[src + ln]
            out_im[dst + ln] = im[src + ln]


@_jit
def _lane_tables(arrays, w, x, n_weight, tab, mr, mi):
    """Per-sample tables into ``tab = (gm0, pv0, gm, pv)``: gate matrices ``gm (G, 4, B)``,
    parameters ``pv (G, 3, B)`` of the gates that depend on the inputs (``gm0, pv0``: those of
    sample 0, for the weight-only gates), and every chain's fused matrix as ``mr, mi (C, 4, B)``."""
    g_kind, g_cols, g_const, c_range, c_batched, g_batched = (
        arrays[0],
        arrays[1],
        arrays[2],
        arrays[4],
        arrays[13],
        arrays[14],
    )
    gm0, pv0, gm, pv = tab
    batch = x.shape[0]
    fused = np.empty((c_range.shape[0], 4), dtype=np.complex128)
    _tables(g_kind, g_cols, g_const, c_range, c_batched, g_batched, w, x, 0, n_weight, True, gm0, pv0, fused)
    for g in range(g_kind.shape[0]):
        if not g_batched[g]:  # a branch-free read in the lane loops: shared gates in every lane too
            for e in range(4):
                gm[g, e, :] = gm0[g, e]
            continue
        c = g_const[g]
        for b in range(batch):
            for j in range(3):
                col = g_cols[g, j]
                pv[g, j, b] = 0.0 if col < 0 else (w[col] if col < n_weight else x[b, col - n_weight])
            m = _gate(g_kind[g], pv[g, 0, b], pv[g, 1, b], pv[g, 2, b], c[0, 0], c[0, 1], c[1, 0], c[1, 1])
            gm[g, 0, b], gm[g, 1, b], gm[g, 2, b], gm[g, 3, b] = m
    for chain in range(c_range.shape[0]):
        if not c_batched[chain]:
            for e in range(4):
                mr[chain, e, :] = fused[chain, e].real
                mi[chain, e, :] = fused[chain, e].imag
            continue
        for b in range(batch):
            f = (1 + 0j, 0j, 0j, 1 + 0j)
            for g in range(c_range[chain, 0], c_range[chain, 1]):
                f = _mul(_matrix(gm, g, b), f)
            for e in range(4):
                mr[chain, e, b], mi[chain, e, b] = f[e].real, f[e].imag


def tables(enc: Encoded, batch: int, dtype) -> tuple:
    """Empty ``(gm0, pv0, gm, pv), mr, mi`` for ``_lane_tables``."""
    n_gates, n_chains = enc.g_kind.shape[0], enc.c_wire.shape[0]
    gm0, pv0 = np.empty((n_gates, 4), dtype=np.complex128), np.empty((n_gates, 3))
    gm, pv = np.empty((n_gates, 4, batch), dtype=np.complex128), np.empty((n_gates, 3, batch))
    mr, mi = np.empty((n_chains, 4, batch), dtype=dtype), np.empty((n_chains, 4, batch), dtype=dtype)
    return (gm0, pv0, gm, pv), mr, mi


@_jit
def _product_vectors(stages, c_wire, stage, mr, mi, b0, n, L, vr, vi):
    """The per-wire vectors of a PRODUCT stage for lanes ``b0 ..``: its chains' first columns
    (``|0>`` on other wires)."""
    vr[:, 0, :] = 1
    vr[:, 1, :] = 0
    vi[:] = 0
    for chain in range(stages[stage, 1], stages[stage, 2]):
        wire = c_wire[chain]
        for ln in range(L):
            vr[wire, 0, ln], vi[wire, 0, ln] = mr[chain, 0, b0 + ln], mi[chain, 0, b0 + ln]
            vr[wire, 1, ln], vi[wire, 1, ln] = mr[chain, 2, b0 + ln], mi[chain, 2, b0 + ln]


@_jit
def _forward(w, x, n, n_weight, arrays, tab, mr, mi, states_re, states_im, out):
    """Every stage on every group of samples (``states_*`` receive the final states, group by
    group in lane layout), then ``<Z>``; ``tab, mr, mi`` receive the gate tables (``_lane_tables``)."""
    c_wire, stages, perms, signs, c_batched = arrays[3], arrays[5], arrays[7], arrays[12], arrays[13]
    batch, size = x.shape[0], 2**n
    lmax = max(1, min(batch, GROUP_AMPLITUDES // size))
    dtype = states_re.dtype
    re, im = np.empty(size * lmax, dtype=dtype), np.empty(size * lmax, dtype=dtype)
    sre, sim = np.empty(size * lmax, dtype=dtype), np.empty(size * lmax, dtype=dtype)
    pre_re, pre_im = np.empty(size * lmax, dtype=dtype), np.empty(size * lmax, dtype=dtype)
    angle, theta = np.empty(size * lmax), np.empty(lmax)
    vr, vi = np.empty((n, 2, lmax), dtype=dtype), np.empty((n, 2, lmax), dtype=dtype)
    _lane_tables(arrays, w, x, n_weight, tab, mr, mi)
    for b0 in range(0, batch, lmax):
        L = min(lmax, batch - b0)
        total = size * L
        for stage in range(stages.shape[0]):
            kind = stages[stage, 0]
            if kind == PRODUCT:
                _product_vectors(stages, c_wire, stage, mr, mi, b0, n, L, vr, vi)
                _kron(re, im, pre_re, pre_im, vr, vi, n, L)
            elif kind == LOCAL:
                for chain in range(stages[stage, 1], stages[stage, 2]):
                    stride = (1 << (n - 1 - c_wire[chain])) * L
                    if c_batched[chain]:
                        _apply_lanes(re, im, mr[chain], mi[chain], b0, stride, total, L)
                    else:
                        _apply(re, im, _shared(mr, mi, chain), stride, total)
            elif kind == PERM:
                _permute(re, im, perms[stages[stage, 1]], L, sre, sim)
                re, sre, im, sim = sre, re, sim, im
            else:
                _phase(arrays, stage, w, x, b0, L, n_weight, angle, theta)
                _rotate(re[:total], im[:total], angle, 1.0)
        states_re[b0 * size : b0 * size + total] = re[:total]
        states_im[b0 * size : b0 * size + total] = im[:total]
        _expectations(re, im, signs, b0, L, size, theta, out)


@_inline
def _shared(mr, mi, chain):
    """The fused matrix of a weight-only chain (the same in every lane) as a complex tuple."""
    return (
        mr[chain, 0, 0] + 1j * mi[chain, 0, 0],
        mr[chain, 1, 0] + 1j * mi[chain, 1, 0],
        mr[chain, 2, 0] + 1j * mi[chain, 2, 0],
        mr[chain, 3, 0] + 1j * mi[chain, 3, 0],
    )


@_jit
def _expectations(re, im, signs, b0, L, size, acc, out):
    """``out[b0 + l, o] = <Z_o>`` of every lane (``acc (L)`` is scratch)."""
    for o in range(signs.shape[0]):
        if L == 1:  # a scalar sum (an accumulator in memory would serialise the loop)
            total = 0.0
            for a in range(size):
                total += (re[a] ** 2 + im[a] ** 2) * signs[o, a]
            out[b0, o] = total
            continue
        acc[:L] = 0
        for a in range(size):
            s = signs[o, a]
            for ln in range(L):
                acc[ln] += (re[a * L + ln] ** 2 + im[a * L + ln] ** 2) * s
        for ln in range(L):
            out[b0 + ln, o] = acc[ln]


@_jit
def _backward(w, x, n, n_weight, arrays, tab, mr, mi, states_re, states_im, grad_out, dw, dx):
    """Adjoint pass, group by group: each group's final state is un-computed in a copy (the
    tables are the forward pass's)."""
    g_kind, g_cols, c_wire, stages = arrays[0], arrays[1], arrays[3], arrays[5]
    inverse, signs, c_batched, g_batched = arrays[8], arrays[12], arrays[13], arrays[14]
    batch, size, n_gates, n_chains = x.shape[0], 2**n, g_kind.shape[0], c_wire.shape[0]
    lmax = max(1, min(batch, GROUP_AMPLITUDES // size))
    dtype = states_re.dtype
    re, im = np.empty(size * lmax, dtype=dtype), np.empty(size * lmax, dtype=dtype)
    gre, gim = np.empty(size * lmax, dtype=dtype), np.empty(size * lmax, dtype=dtype)
    sre, sim = np.empty(size * lmax, dtype=dtype), np.empty(size * lmax, dtype=dtype)
    sgre, sgim = np.empty(size * lmax, dtype=dtype), np.empty(size * lmax, dtype=dtype)
    pre_re, pre_im = np.empty(size * lmax, dtype=dtype), np.empty(size * lmax, dtype=dtype)
    angle, theta = np.empty(size * lmax), np.empty(lmax)
    vr, vi = np.empty((n, 2, lmax), dtype=dtype), np.empty((n, 2, lmax), dtype=dtype)
    dv, acc = np.empty((n, 4, lmax)), np.empty((8, lmax))
    left, before = np.empty((4, lmax), dtype=np.complex128), np.empty((4, lmax), dtype=np.complex128)
    grad_m = np.empty((4, lmax), dtype=np.complex128)
    grad_acc = np.zeros((n_chains, 4), dtype=np.complex128)  # weight-only chains, summed over samples
    gate_acc = np.zeros((n_gates, 4), dtype=np.complex128)  # weight-only gates, summed over samples
    for b0 in range(0, batch, lmax):
        L = min(lmax, batch - b0)
        total = size * L
        re[:total] = states_re[b0 * size : b0 * size + total]
        im[:total] = states_im[b0 * size : b0 * size + total]
        _gradient_state(re, im, signs, grad_out, b0, L, size, sre, gre, gim)
        for stage in range(stages.shape[0] - 1, -1, -1):
            kind = stages[stage, 0]
            if kind == PRODUCT:
                _product_vectors(stages, c_wire, stage, mr, mi, b0, n, L, vr, vi)
                _kron(re, im, pre_re, pre_im, vr, vi, n, L)
                _kron_grad(gre, gim, pre_re, pre_im, vr, vi, n, L, dv)
                for chain in range(stages[stage, 1], stages[stage, 2]):
                    wire = c_wire[chain]
                    for ln in range(L):
                        left[0, ln], left[1, ln] = dv[wire, 0, ln] + 1j * dv[wire, 1, ln], 0
                        left[2, ln], left[3, ln] = dv[wire, 2, ln] + 1j * dv[wire, 3, ln], 0
                    if c_batched[chain]:
                        _chain_grads(
                            tab, arrays, gate_acc, chain, left, b0, L, dw, dx, n_weight, before, grad_m
                        )
                    else:
                        for e in range(4):
                            grad_acc[chain, e] += left[e, :L].sum()
            elif kind == LOCAL:
                for chain in range(stages[stage, 2] - 1, stages[stage, 1] - 1, -1):
                    stride = (1 << (n - 1 - c_wire[chain])) * L
                    if c_batched[chain]:
                        acc[:] = 0
                        _unapply_lanes(re, im, gre, gim, mr[chain], mi[chain], b0, stride, total, L, acc)
                        for ln in range(L):
                            for e in range(4):
                                left[e, ln] = acc[2 * e, ln] + 1j * acc[2 * e + 1, ln]
                        _chain_grads(
                            tab, arrays, gate_acc, chain, left, b0, L, dw, dx, n_weight, before, grad_m
                        )
                    else:
                        g = _unapply(re, im, gre, gim, _shared(mr, mi, chain), stride, total)
                        for e in range(4):
                            grad_acc[chain, e] += g[e]
            elif kind == PERM:
                inv = inverse[stages[stage, 1]]
                _permute(re, im, inv, L, sre, sim)
                _permute(gre, gim, inv, L, sgre, sgim)
                re, sre, im, sim = sre, re, sim, im
                gre, sgre, gim, sgim = sgre, gre, sgim, gim
            else:
                _phase(arrays, stage, w, x, b0, L, n_weight, angle, theta)
                _diag_grad(
                    arrays,
                    stage,
                    w,
                    x,
                    b0,
                    L,
                    n_weight,
                    re[:total],
                    im[:total],
                    gre[:total],
                    gim[:total],
                    angle,
                    sre,
                    dw,
                    dx,
                )
    for chain in range(n_chains):  # weight-only chains: no gate reads the per-lane tables
        if not c_batched[chain]:
            left[:, 0] = grad_acc[chain]
            _chain_grads(tab, arrays, gate_acc, chain, left, 0, 1, dw, dx, n_weight, before, grad_m)
    _gate_grads(g_kind, g_cols, g_batched, tab[1], gate_acc, dw)


@_jit
def _gradient_state(re, im, signs, grad_out, b0, L, size, coef, gre, gim):
    """``G = 2 (sum_o dL/d<Z_o> Z_o) psi`` of one group (``coef (2**n L)`` is scratch)."""
    total = size * L
    coef[:total] = 0
    for o in range(signs.shape[0]):
        if L == 1:
            g = 2 * grad_out[b0, o]
            for a in range(size):
                coef[a] += g * signs[o, a]
            continue
        for a in range(size):
            s = 2 * signs[o, a]
            for ln in range(L):
                coef[a * L + ln] += s * grad_out[b0 + ln, o]
    for i in range(total):
        gre[i], gim[i] = coef[i] * re[i], coef[i] * im[i]


@_jit
def _gate_grads(g_kind, g_cols, g_batched, pv, gate_acc, dw):
    """The weight gradients of the weight-only gates from their summed matrix gradients."""
    for g in range(g_kind.shape[0]):
        if g_batched[g] or g_kind[g] == 0:
            continue
        for j in range(3):
            col = g_cols[g, j]
            if col < 0:
                continue
            d = _gate_derivative(g_kind[g], j, pv[g, 0], pv[g, 1], pv[g, 2])
            value = 0.0
            for e in range(4):
                value += (np.conj(gate_acc[g, e]) * d[e]).real
            dw[col] += value


@_jit
def _diag_grad(arrays, stage, w, x, b0, L, n_weight, re, im, gre, gim, angle, weight, dw, dx):
    """Backward of a DIAG stage (``angle`` holds its phases; ``weight`` is scratch)."""
    stages, patterns, d_cols = arrays[5], arrays[9], arrays[10]
    for i in range(re.shape[0]):
        weight[i] = gim[i] * re[i] - gre[i] * im[i]  # Re(conj(g) i psi)
    _rotate(re, im, angle, -1.0)
    _rotate(gre, gim, angle, -1.0)
    size = re.shape[0] // L
    for k in range(stages[stage, 1], stages[stage, 2]):
        col = d_cols[k]
        for ln in range(L):
            value = 0.0
            for a in range(size):
                value += weight[a * L + ln] * patterns[k, a]
            if col < n_weight:
                dw[col] += value
            else:
                dx[b0 + ln, col - n_weight] += value
