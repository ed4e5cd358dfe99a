"""Executing a compiled ``Program`` on a batch: ``bind(program, device, dtype)(inputs, weights)``.

Binding moves every constant (indices, sign tables, phase patterns, fixed gate matrices) to the
torch device once; a call then evaluates all gate parameters in a few vectorised operations and
walks the program's blocks on a ``(B, 2**n)`` state. The state keeps a batch axis of 1 while no
input has touched it (weights alone are not batched).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from bench.quantum.torch import gates
from bench.quantum.torch.compile import CHUNK, DiagBlock, LocalBlock, PermBlock, Program
from bench.quantum.torch.trace import cat_broadcast


class _Params:
    """Gate parameters of one call: weight-only ``(P_w,)`` and input-dependent ``(B, P_x)``."""

    def __init__(self, weight_params, input_params, n_weight: int):
        self.w, self.x, self.n_weight = weight_params, input_params, n_weight

    def take(self, columns):
        """Columns (a bound ``(kind, index)`` pair) as ``(G,)`` or ``(B, G)``."""
        kind, index = columns
        if kind == "w":
            return self.w[index]
        if kind == "x":
            return self.x[..., index]
        batch = self.x.shape[0]
        return cat_broadcast([self.w.expand(batch, -1), self.x], -1)[..., index]


def _columns(cols: np.ndarray, n_weight: int, device) -> tuple:
    cols = np.asarray(cols, dtype=np.int64)
    if (cols < n_weight).all():
        return "w", torch.as_tensor(cols, device=device)
    if (cols >= n_weight).all():
        return "x", torch.as_tensor(cols - n_weight, device=device)
    return "mixed", torch.as_tensor(cols, device=device)


def bind(program: Program, device: str, dtype: str) -> Callable:
    """``run(inputs (B, n) or (n,), weights) -> (B, n_obs)`` (or ``(n_obs,)``) on ``device``."""
    cdtype = getattr(torch, dtype)
    rdtype = torch.float64 if cdtype == torch.complex128 else torch.float32
    ctx = _Context(program, torch.device(device), cdtype, rdtype)
    steps = [ctx.bind_block(b) for b in program.blocks]
    evaluate = program.params.bind(ctx.device, rdtype)
    signs = torch.as_tensor(program.signs, dtype=rdtype, device=ctx.device)
    n_weight = program.params.n_weight_params

    def run(inputs, weights):
        unbatched = inputs.ndim == 1
        x = inputs.reshape(1, -1) if unbatched else inputs
        x = x.to(device=ctx.device, dtype=rdtype)
        w = weights.to(device=ctx.device, dtype=rdtype).reshape(-1)
        params = _Params(*evaluate(x, w), n_weight)
        state = None
        for step in steps:
            state = step(state, params)
        probs = torch.view_as_real(state).square().sum(-1)
        out = (probs @ signs).expand(x.shape[0], -1)
        out = out[0] if unbatched else out
        return out.to(inputs.device)

    return run


def permute_basis(state, index, inverse):
    """``state[:, index]`` whose backward is the inverse gather (not a scatter into zeros)."""
    return _Permute.apply(state, index, inverse)


class _Permute(torch.autograd.Function):
    @staticmethod
    def forward(ctx, state, index, inverse):
        ctx.save_for_backward(inverse)
        return state.index_select(-1, index)

    @staticmethod
    def backward(ctx, grad):
        (inverse,) = ctx.saved_tensors
        return grad.index_select(-1, inverse), None, None


class _Context:
    def __init__(self, program: Program, device, cdtype, rdtype):
        self.n, self.device, self.cdtype, self.rdtype = program.n_wires, device, cdtype, rdtype
        self.n_weight = program.params.n_weight_params
        self.column = program.params.column

    def tensor(self, value, real: bool = False):
        return torch.as_tensor(value, dtype=self.rdtype if real else self.cdtype, device=self.device)

    def bind_block(self, block) -> Callable:
        if isinstance(block, PermBlock):
            index = torch.as_tensor(block.index.astype(np.int64), device=self.device)
            inverse = torch.as_tensor(np.argsort(block.index), device=self.device)
            return lambda state, params: permute_basis(state, index, inverse)
        if isinstance(block, DiagBlock):
            return self._bind_diag(block)
        assert isinstance(block, LocalBlock)
        return self._bind_local(block)

    def _bind_diag(self, block: DiagBlock) -> Callable:
        constant = self.tensor(block.constant, real=True) if block.constant is not None else None
        if block.params:
            cols = _columns([self.column(p) for p in block.params], self.n_weight, self.device)
            patterns = self.tensor(np.stack(block.patterns), real=True)

        def apply(state, params):
            angle = params.take(cols) @ patterns if block.params else constant
            if block.params and constant is not None:
                angle = angle + constant
            return state * torch.polar(torch.ones_like(angle), angle)

        return apply

    def _bind_local(self, block: LocalBlock) -> Callable:
        active = sorted({op.wires[0] for step in block.steps for op in step})
        steps = [self._bind_step(step, active) for step in block.steps]

        def matrices(params):
            acc = None
            for step in steps:
                m = step(params)
                acc = m if acc is None else m @ acc
            return acc  # (..., len(active), 2, 2)

        if block.product:
            return self._bind_product(matrices, active)
        return self._bind_chunks(matrices, active)

    def _bind_step(self, ops: list, active: list[int]) -> Callable:
        """Matrices ``(..., len(active), 2, 2)`` of one step (identity where a wire has no gate)."""
        groups: dict[str, list] = {}
        for op in ops:
            groups.setdefault(op.name, []).append(op)
        order = [op.wires[0] for g in groups.values() for op in g]
        missing = [w for w in active if w not in order]
        position = {w: i for i, w in enumerate(order + missing)}
        reorder = torch.as_tensor([position[w] for w in active], device=self.device)
        identity = np.repeat(np.eye(2)[None], len(missing), axis=0)
        plan = []
        for name, members in groups.items():
            if members[0].params:
                n_params = len(members[0].params)
                cols = [
                    _columns([self.column(op.params[j]) for op in members], self.n_weight, self.device)
                    for j in range(n_params)
                ]
                plan.append((name, cols))
            else:
                plan.append((None, self.tensor(np.stack([op.matrix for op in members]))))
        if missing:
            plan.append((None, self.tensor(identity)))
        in_order = order + missing == active

        def build(params):
            mats = [
                gates.single_qubit_matrices(name, [params.take(c) for c in cols]) if name else cols
                for name, cols in plan
            ]
            out = mats[0] if len(mats) == 1 else cat_broadcast(mats, -3)
            return out if in_order else out.index_select(-3, reorder)

        return build

    def _bind_product(self, matrices: Callable, active: list[int]) -> Callable:
        n = self.n
        zero = np.zeros(2**n)
        zero[0] = 1.0
        ground = self.tensor(zero).reshape(1, -1)
        if not active:
            return lambda state, params: ground
        rest = [w for w in range(n) if w not in active]
        reorder = torch.as_tensor([(active + rest).index(w) for w in range(n)], device=self.device)
        up = self.tensor(np.repeat(np.array([[1.0, 0.0]]), len(rest), axis=0))

        def apply(state, params):
            vectors = matrices(params)[..., 0]  # first column: M |0>
            if rest:
                vectors = cat_broadcast([vectors, up], -2)
                vectors = vectors.index_select(-2, reorder)
            psi = gates.kron_vectors(vectors)
            return psi if psi.ndim == 2 else psi.reshape(1, -1)

        return apply

    def _bind_chunks(self, matrices: Callable, active: list[int]) -> Callable:
        """Apply the per-wire matrices chunk by chunk, bottom chunk first: each active chunk is one
        (batched) matmul ``u @ S^T`` that also rotates the wire order so that the next chunk is at
        the bottom; after all chunks the order is the original one again."""
        n = self.n
        n_chunks = math.ceil(n / chunk_size(n))
        bounds = np.linspace(0, n, n_chunks + 1).round().astype(int)
        chunks = [list(range(a, b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)][::-1]
        eye = self.tensor(np.eye(2))

        def apply(state, params):
            mats = matrices(params)
            pending = 0  # wires rotated to the top but not yet moved
            for chunk in chunks:
                if not any(w in active for w in chunk):
                    pending += len(chunk)
                    continue
                state = _rotate(state, pending, n)
                parts = [mats[..., active.index(w), :, :] if w in active else eye for w in chunk]
                state = _apply_bottom(state, gates.kron_matrices(_broadcast(parts)), len(chunk), n)
                pending = 0
            return _rotate(state, pending, n)

        return apply


def chunk_size(n: int) -> int:
    """Wires per Kronecker chunk: one chunk up to 6 wires (fewest kernels), else ``CHUNK`` (4): on a
    CPU at 8-14 wires, chunks of 2 and of 6 wires were both slower (kernel count vs ``2**k`` flops)."""
    return n if n <= 6 else CHUNK


def _rotate(state, m: int, n: int):
    """Move the ``m`` least significant wires of the layout to the top (``m = 0`` or ``n``: no-op)."""
    if m % n == 0:
        return state
    batch = state.shape[0]
    return state.reshape(batch, 2 ** (n - m), 2**m).transpose(1, 2).reshape(batch, 2**n)


def _apply_bottom(state, u, k: int, n: int):
    """Apply ``u`` (``(2**k, 2**k)`` or ``(B, 2**k, 2**k)``) to the ``k`` least significant wires of
    the layout and rotate them to the top: ``(B, 2**(n-k), 2**k) -> (B, 2**k, 2**(n-k))``."""
    view = state.reshape(state.shape[0], 2 ** (n - k), 2**k).transpose(1, 2)
    out = u @ view
    return out.reshape(out.shape[0], 2**n)


def _broadcast(parts: list) -> list:
    return list(torch.broadcast_tensors(*parts)) if len({p.shape for p in parts}) > 1 else parts
