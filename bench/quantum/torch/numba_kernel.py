"""The CPU kernel of ``torch.statevector``: a compiled ``Program`` as one ``torch.autograd.Function``.

``bind_numba(program, dtype)`` returns ``run(inputs, weights)`` like ``bench.quantum.torch.run.bind``, but the
whole circuit, forward and backward, is one autograd node whose work is done by numba loops:

* forward, per sample: the product state from the per-wire vectors, then every block in place on
  that sample's ``2**n`` amplitudes (which stay in cache: at 16 qubits one sample is 1 MiB), then
  ``<Z>`` products from a sign table; the final states are kept for the backward pass;
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
        x = x.to(device="cpu", dtype=rdtype)
        w = weights.to(device="cpu", dtype=rdtype).reshape(-1)
        key = w.shape[0] if bare else -1
        if key not in encoded:
            encoded[key] = encode(program, w.shape[0] if bare else None)
        if bare:
            out = _Circuit.apply(w, x, encoded[key])
        else:
            if evaluate is None:
                evaluate = program.params.bind(torch.device("cpu"), rdtype)
            w_params, x_params = evaluate(x, w)
            batch = x.shape[0]
            w_params = x.new_zeros(0) if w_params is None else w_params
            x_params = x.new_zeros(batch, 0) if x_params is None else x_params.expand(batch, -1)
            out = _Circuit.apply(w_params, x_params, encoded[key])
        out = out[0] if unbatched else out
        return out.to(inputs.device)

    return run


class _Circuit(torch.autograd.Function):
    """``(w_params (P_w,), x_params (B, P_x)) -> <Z> (B, n_obs)`` with an adjoint backward."""

    @staticmethod
    def forward(ctx, w_params, x_params, enc: Encoded):
        w = w_params.detach().contiguous().numpy()
        x = x_params.detach().contiguous().numpy()
        shape = (x.shape[0], 2**enc.n)
        states_re, states_im = np.empty(shape, dtype=w.dtype), np.empty(shape, dtype=w.dtype)
        out = np.empty((x.shape[0], enc.signs.shape[0]), dtype=w.dtype)
        _forward(w, x, enc.n, enc.n_weight, enc.arrays(), states_re, states_im, out)
        ctx.enc, ctx.arrays = enc, (w, x, states_re, states_im)
        return torch.from_numpy(out)

    @staticmethod
    def backward(ctx, grad_out):
        w, x, states_re, states_im = ctx.arrays
        enc = ctx.enc
        g = grad_out.detach().contiguous().numpy().astype(np.float64, copy=False)
        dw = np.zeros(w.shape[0], dtype=np.float64)
        dx = np.zeros(x.shape, dtype=np.float64)
        # the final states are un-computed in place: copies, so the graph may be walked again
        _backward(w, x, enc.n, enc.n_weight, enc.arrays(), states_re.copy(), states_im.copy(), g, dw, dx)
        cast = (dw.astype(w.dtype, copy=False), dx.astype(w.dtype, copy=False))
        return torch.from_numpy(cast[0]), torch.from_numpy(cast[1]), None


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


@_jit
def _chain_grad(gm, pv, g_kind, g_cols, g_batched, gate_acc, first, last, grad_fused, dw, dx, b, n_weight):
    """Accumulate the parameter gradients of the chain of gates ``first..last-1`` from the
    gradient of its fused matrix: gate ``i``'s is ``S^H G P^H`` (``P``: the gates before it,
    ``S``: those after). A weight-only gate's matrix gradient is summed into ``gate_acc`` (its
    parameters are the same for every sample: ``_gate_grads`` finishes them once)."""
    left = grad_fused  # S^H G, from the last gate down
    for g in range(last - 1, first - 1, -1):
        if g_kind[g] != 0:
            before = (1 + 0j, 0j, 0j, 1 + 0j)
            for h in range(first, g):
                before = _mul((gm[h, 0], gm[h, 1], gm[h, 2], gm[h, 3]), before)
            grad_m = _mul(left, _dagger(before))
            if not g_batched[g]:
                for e in range(4):
                    gate_acc[g, e] += grad_m[e]
                left = _mul(_dagger((gm[g, 0], gm[g, 1], gm[g, 2], gm[g, 3])), left)
                continue
            for j in range(3):
                col = g_cols[g, j]
                if col < 0:
                    continue
                d = _gate_derivative(g_kind[g], j, pv[g, 0], pv[g, 1], pv[g, 2])
                value = 0.0
                for e in range(4):
                    value += (np.conj(grad_m[e]) * d[e]).real
                if col < n_weight:
                    dw[col] += value
                else:
                    dx[b, col - n_weight] += value
        left = _mul(_dagger((gm[g, 0], gm[g, 1], gm[g, 2], gm[g, 3])), left)


@_jit
def _kron(re, im, pre_re, pre_im, vectors, n):
    """The product state of the per-wire ``vectors[:n]`` into ``re, im``; ``pre_*`` receive the
    partial products ``kron(v_0..v_{w-1})`` at offset ``2**w - 1`` (for the backward pass)."""
    re[0], im[0] = 1, 0
    size = 1
    for wire in range(n):
        for j in range(size):
            pre_re[size - 1 + j], pre_im[size - 1 + j] = re[j], im[j]
        v0r, v0i = vectors[wire, 0].real, vectors[wire, 0].imag
        v1r, v1i = vectors[wire, 1].real, vectors[wire, 1].imag
        for j in range(size - 1, -1, -1):
            ar, ai = re[j], im[j]
            re[2 * j + 1], im[2 * j + 1] = ar * v1r - ai * v1i, ar * v1i + ai * v1r
            re[2 * j], im[2 * j] = ar * v0r - ai * v0i, ar * v0i + ai * v0r
        size *= 2


@_jit
def _kron_grad(gre, gim, pre_re, pre_im, vectors, n):
    """Backward of ``_kron``: consumes the gradient state, writes each wire's vector gradient
    into ``vectors[n + wire]``."""
    size = 2 ** (n - 1)
    for wire in range(n - 1, -1, -1):
        v0r, v0i = vectors[wire, 0].real, vectors[wire, 0].imag
        v1r, v1i = vectors[wire, 1].real, vectors[wire, 1].imag
        g0r = g0i = g1r = g1i = 0.0
        for j in range(size):
            pr, pi = pre_re[size - 1 + j], -pre_im[size - 1 + j]  # conj(prefix)
            ar, ai, cr, ci = gre[2 * j], gim[2 * j], gre[2 * j + 1], gim[2 * j + 1]
            g0r += ar * pr - ai * pi
            g0i += ar * pi + ai * pr
            g1r += cr * pr - ci * pi
            g1i += cr * pi + ci * pr
            gre[j] = ar * v0r + ai * v0i + cr * v1r + ci * v1i  # a conj(v0) + c conj(v1)
            gim[j] = ai * v0r - ar * v0i + ci * v1r - cr * v1i
        vectors[n + wire, 0], vectors[n + wire, 1] = g0r + 1j * g0i, g1r + 1j * g1i
        size //= 2


@_jit
def _apply(re, im, m, wire, n):
    """``psi <- (m on wire) psi`` in place."""
    stride = 1 << (n - 1 - wire)
    ar, br, cr, dr = m[0].real, m[1].real, m[2].real, m[3].real
    ai, bi, ci, di = m[0].imag, m[1].imag, m[2].imag, m[3].imag
    for base in range(0, re.shape[0], 2 * stride):
        for k in range(stride):
            i, j = np.uint64(base + k), np.uint64(base + k + stride)  # unsigned: no wraparound, SIMD
            xr, xi, yr, yi = re[i], im[i], re[j], im[j]
            re[i] = ar * xr - ai * xi + br * yr - bi * yi
            im[i] = ar * xi + ai * xr + br * yi + bi * yr
            re[j] = cr * xr - ci * xi + dr * yr - di * yi
            im[j] = cr * xi + ci * xr + dr * yi + di * yr


@_jit
def _unapply(re, im, gre, gim, m, wire, n):
    """Backward of ``_apply``: un-compute ``psi`` and the gradient state with ``m^H`` in place;
    returns ``dL/dm``, the sum over amplitude pairs of ``grad_after (x) conj(psi_before)``."""
    stride = 1 << (n - 1 - wire)
    h = _dagger(m)
    ar, br, cr, dr = h[0].real, h[1].real, h[2].real, h[3].real
    ai, bi, ci, di = h[0].imag, h[1].imag, h[2].imag, h[3].imag
    s00r = s00i = s01r = s01i = s10r = s10i = s11r = s11i = 0.0
    for base in range(0, re.shape[0], 2 * stride):
        for k in range(stride):
            i, j = np.uint64(base + k), np.uint64(base + k + stride)
            xr, xi, yr, yi = re[i], im[i], re[j], im[j]
            pr = ar * xr - ai * xi + br * yr - bi * yi
            pi = ar * xi + ai * xr + br * yi + bi * yr
            qr = cr * xr - ci * xi + dr * yr - di * yi
            qi = cr * xi + ci * xr + dr * yi + di * yr
            re[i], im[i], re[j], im[j] = pr, pi, qr, qi
            ur, ui, vr, vi = gre[i], gim[i], gre[j], gim[j]
            s00r += ur * pr + ui * pi  # u conj(p)
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


@_jit
def _phase(arrays, stage, w, x, b, n_weight, angle):
    """Phase angle per basis state of a DIAG stage into ``angle``."""
    stages, d_const, patterns, d_cols, phases = arrays[5], arrays[6], arrays[9], arrays[10], arrays[11]
    angle[:] = 0
    if d_const[stage] >= 0:
        angle[:] = phases[d_const[stage]]
    for k in range(stages[stage, 1], stages[stage, 2]):
        col = d_cols[k]
        theta = w[col] if col < n_weight else x[b, col - n_weight]
        angle += theta * patterns[k]


@_jit
def _permute(re, im, index, scratch):
    for i in range(re.shape[0]):
        scratch[i] = re[index[i]]
    re[:] = scratch
    for i in range(im.shape[0]):
        scratch[i] = im[index[i]]
    im[:] = scratch


@_jit
def _forward(w, x, n, n_weight, arrays, states_re, states_im, out):
    """Every stage on every sample (``states_*`` receive the final states), then ``<Z>``."""
    c_wire, stages, perms, signs = arrays[3], arrays[5], arrays[7], arrays[12]
    size, n_gates, n_chains = states_re.shape[1], arrays[0].shape[0], c_wire.shape[0]
    scratch = np.empty(size, dtype=states_re.dtype)
    pre_re, pre_im = np.empty(size, dtype=states_re.dtype), np.empty(size, dtype=states_re.dtype)
    angle = np.empty(size)
    vectors = np.empty((2 * n, 2), dtype=np.complex128)
    gm, pv = np.empty((n_gates, 4), dtype=np.complex128), np.empty((n_gates, 3))
    fused = np.empty((n_chains, 4), dtype=np.complex128)
    tables = (arrays[0], arrays[1], arrays[2], arrays[4], arrays[13], arrays[14])
    for b in range(states_re.shape[0]):
        re, im = states_re[b], states_im[b]
        _tables(*tables, w, x, b, n_weight, b == 0, gm, pv, fused)
        for stage in range(stages.shape[0]):
            kind = stages[stage, 0]
            if kind == PRODUCT:
                vectors[:n, 0], vectors[:n, 1] = 1, 0
                for chain in range(stages[stage, 1], stages[stage, 2]):
                    vectors[c_wire[chain], 0], vectors[c_wire[chain], 1] = fused[chain, 0], fused[chain, 2]
                _kron(re, im, pre_re, pre_im, vectors, n)
            elif kind == LOCAL:
                for chain in range(stages[stage, 1], stages[stage, 2]):
                    m = (fused[chain, 0], fused[chain, 1], fused[chain, 2], fused[chain, 3])
                    _apply(re, im, m, c_wire[chain], n)
            elif kind == PERM:
                _permute(re, im, perms[stages[stage, 1]], scratch)
            else:
                _phase(arrays, stage, w, x, b, n_weight, angle)
                for i in range(size):
                    c, s = np.cos(angle[i]), np.sin(angle[i])
                    re[i], im[i] = re[i] * c - im[i] * s, re[i] * s + im[i] * c
        for i in range(size):
            scratch[i] = re[i] * re[i] + im[i] * im[i]
        for o in range(signs.shape[0]):
            acc = 0.0
            for i in range(size):
                acc += scratch[i] * signs[o, i]
            out[b, o] = acc


@_jit
def _backward(w, x, n, n_weight, arrays, states_re, states_im, grad_out, dw, dx):
    """Adjoint pass: the final states ``states_*`` are un-computed in place."""
    g_kind, g_cols, c_wire, c_range, stages, inverse, signs, c_batched = (
        arrays[0],
        arrays[1],
        arrays[3],
        arrays[4],
        arrays[5],
        arrays[8],
        arrays[12],
        arrays[13],
    )
    size, n_gates, n_chains = states_re.shape[1], g_kind.shape[0], c_wire.shape[0]
    dtype = states_re.dtype
    gre, gim, scratch = np.empty(size, dtype=dtype), np.empty(size, dtype=dtype), np.empty(size, dtype=dtype)
    pre_re, pre_im = np.empty(size, dtype=dtype), np.empty(size, dtype=dtype)
    angle = np.empty(size)
    vectors = np.empty((2 * n, 2), dtype=np.complex128)
    gm, pv = np.empty((n_gates, 4), dtype=np.complex128), np.empty((n_gates, 3))
    fused = np.empty((n_chains, 4), dtype=np.complex128)
    grad_acc = np.zeros((n_chains, 4), dtype=np.complex128)  # weight-only chains, summed over samples
    gate_acc = np.zeros((n_gates, 4), dtype=np.complex128)  # weight-only gates, summed over samples
    tables = (arrays[0], arrays[1], arrays[2], arrays[4], arrays[13], arrays[14])
    g_batched = arrays[14]
    chain_args = (gm, pv, g_kind, g_cols, g_batched, gate_acc)
    for b in range(states_re.shape[0]):
        re, im = states_re[b], states_im[b]
        _tables(*tables, w, x, b, n_weight, b == 0, gm, pv, fused)
        scratch[:] = 0
        for o in range(signs.shape[0]):
            g = 2 * grad_out[b, o]
            for i in range(size):
                scratch[i] += g * signs[o, i]
        for i in range(size):
            gre[i], gim[i] = scratch[i] * re[i], scratch[i] * im[i]
        for stage in range(stages.shape[0] - 1, -1, -1):
            kind = stages[stage, 0]
            if kind == PRODUCT:
                vectors[:n, 0], vectors[:n, 1] = 1, 0
                for chain in range(stages[stage, 1], stages[stage, 2]):
                    vectors[c_wire[chain], 0], vectors[c_wire[chain], 1] = fused[chain, 0], fused[chain, 2]
                _kron(re, im, pre_re, pre_im, vectors, n)
                _kron_grad(gre, gim, pre_re, pre_im, vectors, n)
                for chain in range(stages[stage, 1], stages[stage, 2]):
                    wire = c_wire[chain]
                    grad_m = (vectors[n + wire, 0], 0j, vectors[n + wire, 1], 0j)
                    if c_batched[chain]:
                        first, last = c_range[chain, 0], c_range[chain, 1]
                        _chain_grad(*chain_args, first, last, grad_m, dw, dx, b, n_weight)
                    else:
                        for e in range(4):
                            grad_acc[chain, e] += grad_m[e]
            elif kind == LOCAL:
                for chain in range(stages[stage, 2] - 1, stages[stage, 1] - 1, -1):
                    m = (fused[chain, 0], fused[chain, 1], fused[chain, 2], fused[chain, 3])
                    grad_m = _unapply(re, im, gre, gim, m, c_wire[chain], n)
                    if c_batched[chain]:
                        first, last = c_range[chain, 0], c_range[chain, 1]
                        _chain_grad(*chain_args, first, last, grad_m, dw, dx, b, n_weight)
                    else:
                        for e in range(4):
                            grad_acc[chain, e] += grad_m[e]
            elif kind == PERM:
                inv = inverse[stages[stage, 1]]
                _permute(re, im, inv, scratch)
                _permute(gre, gim, inv, scratch)
            else:
                _phase(arrays, stage, w, x, b, n_weight, angle)
                _diag_grad(arrays, stage, w, x, b, n_weight, re, im, gre, gim, angle, scratch, dw, dx)
    for chain in range(n_chains):  # gm, pv of weight-only gates still hold their values (b == 0)
        if not c_batched[chain]:
            g = (grad_acc[chain, 0], grad_acc[chain, 1], grad_acc[chain, 2], grad_acc[chain, 3])
            first, last = c_range[chain, 0], c_range[chain, 1]
            _chain_grad(*chain_args, first, last, g, dw, dx, 0, n_weight)
    _gate_grads(g_kind, g_cols, g_batched, pv, gate_acc, dw)


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
def _diag_grad(arrays, stage, w, x, b, n_weight, re, im, gre, gim, angle, weight, dw, dx):
    """Backward of a DIAG stage (``angle`` holds its phases; ``weight`` is scratch)."""
    stages, patterns, d_cols = arrays[5], arrays[9], arrays[10]
    for i in range(re.shape[0]):
        weight[i] = gim[i] * re[i] - gre[i] * im[i]  # Re(conj(g) i psi)
        c, s = np.cos(angle[i]), -np.sin(angle[i])
        re[i], im[i] = re[i] * c - im[i] * s, re[i] * s + im[i] * c
        gre[i], gim[i] = gre[i] * c - gim[i] * s, gre[i] * s + gim[i] * c
    for k in range(stages[stage, 1], stages[stage, 2]):
        col = d_cols[k]
        value = 0.0
        for i in range(re.shape[0]):
            value += weight[i] * patterns[k, i]
        if col < n_weight:
            dw[col] += value
        else:
            dx[b, col - n_weight] += value
