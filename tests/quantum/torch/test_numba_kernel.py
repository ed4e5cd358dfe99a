"""The numba kernel of torch.statevector: same outputs and gradients as the torch blocks, a graph
that can be walked twice, weight-only chains found, complex64 in single precision."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from bench.quantum.circuits import ANSATZES
from bench.quantum.torch.compile import Program
from bench.quantum.torch.numba_kernel import encode, lanes
from bench.quantum.torch.sim import bind_kernel


def _program(ansatz: str, n: int, layers: int = 2) -> Program:
    spec = ANSATZES[ansatz]

    def circuit(inputs, weights):
        return spec.circuit(inputs, weights, range(n), True)

    return Program(circuit, n, n, spec.weight_shape(layers, n))


def _step(run, x, w, retain: bool = False):
    out = run(x, w)
    weights = torch.arange(1.0, out.shape[-1] + 1, dtype=out.dtype)
    return out.detach(), torch.autograd.grad((out * weights).sum(), (x, w), retain_graph=retain)


def _leaves(shape, seed: int, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(shape, generator=gen, dtype=torch.float64) * 5).to(dtype).requires_grad_()


@pytest.mark.parametrize("ansatz", sorted(ANSATZES))
def test_numba_matches_the_torch_blocks(ansatz):
    program = _program(ansatz, 5)
    x, w = _leaves((6, 5), seed=1), _leaves(ANSATZES[ansatz].weight_shape(2, 5), seed=2)
    results = [_step(bind_kernel(program, "cpu", "complex128", k), x, w) for k in ("numba", "torch")]
    (out_a, grads_a), (out_b, grads_b) = results
    assert (out_a - out_b).abs().max() < 1e-12
    for a, b in zip(grads_a, grads_b, strict=True):
        assert (a - b).abs().max() < 1e-12


@pytest.mark.parametrize("ansatz", ["strongly-entangling", "reuploading"])
def test_a_batch_cut_into_groups_matches_the_torch_blocks(ansatz):
    # at 11 qubits a group holds 8 samples: 10 samples are a full group and a partial one
    program = _program(ansatz, 11, layers=1)
    x, w = _leaves((10, 11), seed=7), _leaves(ANSATZES[ansatz].weight_shape(1, 11), seed=8)
    assert lanes(11, 10) == 8
    results = [_step(bind_kernel(program, "cpu", "complex128", k), x, w) for k in ("numba", "torch")]
    (out_a, grads_a), (out_b, grads_b) = results
    assert (out_a - out_b).abs().max() < 1e-12
    for a, b in zip(grads_a, grads_b, strict=True):
        assert (a - b).abs().max() < 1e-12


def test_the_graph_can_be_walked_twice():
    run = bind_kernel(_program("strongly-entangling", 4), "cpu", "complex128", "numba")
    x, w = _leaves((3, 4), seed=3), _leaves((2, 4, 3), seed=4)
    out = run(x, w)
    first = torch.autograd.grad(out.sum(), (x, w), retain_graph=True)
    second = torch.autograd.grad(out.sum(), (x, w))
    for a, b in zip(first, second, strict=True):
        assert torch.equal(a, b)


def test_weight_only_chains_are_found():
    enc = encode(_program("strongly-entangling", 3))
    # the first Rot layer is fused into the embedding (product state), the second is weight-only
    assert enc.c_batched.tolist() == [True] * 3 + [False] * 3
    enc = encode(_program("reuploading", 3))
    assert enc.c_batched.all()  # every layer re-uploads the inputs


def test_complex64_runs_in_single_precision():
    program = _program("zz-realamplitudes", 4)
    x64, w64 = _leaves((2, 4), seed=5), _leaves((3, 4), seed=6)
    x32, w32 = (t.detach().float().requires_grad_() for t in (x64, w64))
    out32, grads32 = _step(bind_kernel(program, "cpu", "complex64", "numba"), x32, w32)
    out64, grads64 = _step(bind_kernel(program, "cpu", "complex128", "numba"), x64, w64)
    assert out32.dtype == torch.float32 and grads32[0].dtype == torch.float32
    assert np.abs(out32.numpy() - out64.numpy()).max() < 1e-5
    for a, b in zip(grads32, grads64, strict=True):
        assert (a.double() - b).abs().max() < 1e-4
