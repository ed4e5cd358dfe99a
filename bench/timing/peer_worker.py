"""A subprocess worker of ``python -m bench benchmark --peers``: one simulator, one JSON request per line.

Run as ``PYTHON bench/timing/peer_worker.py PEER PROJECT_ROOT`` by ``bench.timing.peers``; PYTHON is
this project's interpreter for ``torch.statevector`` and the peers' venv (``--peers-python``) for
the others. It imports nothing of ``bench`` but the ansatz definitions (``bench.quantum.circuits``,
pure PennyLane) and, for ``torch.statevector``, the simulator itself; so a peers venv needs only
the peer packages and PennyLane.

Requests (one JSON object per line on stdin, one reply per line on stdout):

* ``{"cmd": "setup", "n": 8, "layers": 2, "batch": 64, "ansatz": "strongly-entangling"}`` builds
  the workload: inputs ``x (B, n)`` in ``[0, pi)`` and weights in ``[0, 2 pi)`` from a fixed seed,
  the same in every worker; the step is forward + the gradient of ``sum_b sum_i (i + 1) <Z_i>``
  w.r.t. inputs and weights. Reply ``{"ok": true}`` or ``{"skip": reason}``.
* ``{"cmd": "check"}``: one step's outputs and gradients (lists), to compare peers.
* ``{"cmd": "time", "steps": k}``: CPU seconds of each of ``k`` steps.
* ``{"cmd": "rate"}``: this core's complex128 matmul rate in GFLOP/s (one thread, 256 x 256).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time

THREAD_VARIABLES = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
}
"""Set (by the launcher) in every worker's environment: one thread each."""

PEERS_FOR_EVERY_ANSATZ = ("torch.statevector", "torch.statevector:torch-kernel", "pennylane-jax-jit")
PEERS_FOR_EVERY_ANSATZ += ("pennylane-torch", "lightning-adjoint")


def workload(n: int, layers: int, batch: int, weight_shape: tuple[int, ...]):
    import numpy as np

    rng = np.random.default_rng(1000 + n)
    x = rng.uniform(0, math.pi, (batch, n))
    w = rng.uniform(0, 2 * math.pi, weight_shape)
    return x, w, np.arange(1.0, n + 1)


def circuit_of(ansatz: str, n: int):
    from bench.quantum.circuits import ANSATZES

    spec = ANSATZES[ansatz]
    return (lambda inputs, weights: spec.circuit(inputs, weights, range(n), True)), spec.weight_shape


def _torch_step(qnode_call, x, w, c):
    import torch

    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    ct = torch.tensor(c)

    def step():
        out = qnode_call(xt, wt)
        gx, gw = torch.autograd.grad((out * ct).sum(), (xt, wt))
        return out.detach().numpy(), gx.numpy(), gw.numpy()

    return step


def make_ours(n, layers, batch, ansatz, kernel="auto"):
    import torch

    from bench.quantum.torch.compile import Program
    from bench.quantum.torch.sim import bind_kernel

    torch.set_num_threads(1)
    circuit, shape = circuit_of(ansatz, n)
    x, w, c = workload(n, layers, batch, shape(layers, n))
    run = bind_kernel(Program(circuit, n, n, tuple(w.shape)), "cpu", "complex128", kernel)
    return _torch_step(run, x, w, c)


def make_pennylane_torch(n, layers, batch, ansatz, device="default.qubit", diff="backprop"):
    import pennylane as qml
    import torch

    torch.set_num_threads(1)
    circuit, shape = circuit_of(ansatz, n)
    x, w, c = workload(n, layers, batch, shape(layers, n))
    qnode = qml.QNode(circuit, qml.device(device, wires=n), interface="torch", diff_method=diff)
    return _torch_step(lambda xt, wt: torch.stack(qnode(xt, wt), -1), x, w, c)


def make_pennylane_jax(n, layers, batch, ansatz):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpy as np
    import pennylane as qml

    circuit, shape = circuit_of(ansatz, n)
    x, w, c = workload(n, layers, batch, shape(layers, n))
    qnode = qml.QNode(circuit, qml.device("default.qubit", wires=n), interface="jax", diff_method="backprop")

    def loss(xx, ww):
        out = jnp.stack(qnode(xx, ww), -1)
        return (out * c).sum(), out

    grad = jax.jit(jax.value_and_grad(loss, argnums=(0, 1), has_aux=True))
    xj, wj = jnp.asarray(x), jnp.asarray(w)

    def step():
        (_, out), (gx, gw) = grad(xj, wj)
        gw.block_until_ready()
        return np.asarray(out), np.asarray(gx), np.asarray(gw)

    return step


def _sel_ranges(n: int, layers: int) -> list[int]:
    """StronglyEntanglingLayers' default CNOT ranges."""
    return [(layer % (n - 1)) + 1 for layer in range(layers)] if n > 1 else [0] * layers


def make_tensorcircuit(n, layers, batch, ansatz):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpy as np
    import tensorcircuit as tc

    tc.set_backend("jax")
    tc.set_dtype("complex128")
    x, w, c = workload(n, layers, batch, (layers, n, 3))
    index = np.arange(2**n)
    signs = jnp.asarray(np.stack([1 - 2 * ((index >> (n - 1 - i)) & 1) for i in range(n)], 1), jnp.float64)
    ranges = _sel_ranges(n, layers)

    def expz(xi, ww):
        circ = tc.Circuit(n)
        for i in range(n):
            circ.rx(i, theta=xi[i])
        for layer in range(layers):
            for i in range(n):
                circ.rz(i, theta=ww[layer, i, 0])
                circ.ry(i, theta=ww[layer, i, 1])
                circ.rz(i, theta=ww[layer, i, 2])
            if n > 1:
                for i in range(n):
                    circ.cnot(i, (i + ranges[layer]) % n)
        return (jnp.abs(circ.state()) ** 2) @ signs

    batched = jax.vmap(expz, in_axes=(0, None))

    def loss(xx, ww):
        out = batched(xx, ww)
        return (out * c).sum(), out

    grad = jax.jit(jax.value_and_grad(loss, argnums=(0, 1), has_aux=True))
    xj, wj = jnp.asarray(x), jnp.asarray(w)

    def step():
        (_, out), (gx, gw) = grad(xj, wj)
        gw.block_until_ready()
        return np.asarray(out), np.asarray(gx), np.asarray(gw)

    return step


def make_qulacs(n, layers, batch, ansatz):
    """qulacs rotates the other way (``RX(t) = exp(+i t X / 2)``): every angle is negated."""
    import numpy as np
    from qulacs import Observable, ParametricQuantumCircuit, QuantumState

    x, w, c = workload(n, layers, batch, (layers, n, 3))
    circ = ParametricQuantumCircuit(n)
    for i in range(n):
        circ.add_parametric_RX_gate(i, 0.0)
    for r in _sel_ranges(n, layers):
        for i in range(n):
            circ.add_parametric_RZ_gate(i, 0.0)
            circ.add_parametric_RY_gate(i, 0.0)
            circ.add_parametric_RZ_gate(i, 0.0)
        if n > 1:
            for i in range(n):
                circ.add_CNOT_gate(i, (i + r) % n)
    singles, weighted = [], Observable(n)
    for i in range(n):
        obs = Observable(n)
        obs.add_operator(1.0, f"Z {i}")
        singles.append(obs)
        weighted.add_operator(float(c[i]), f"Z {i}")
    flat_w = -w.reshape(-1)

    def step():
        out, gx, gw = np.empty((batch, n)), np.empty((batch, n)), np.zeros(w.size)
        for b in range(batch):  # qulacs has no batch axis
            params = np.concatenate([-x[b], flat_w])
            for k, p in enumerate(params):
                circ.set_parameter(k, float(p))
            state = QuantumState(n)
            circ.update_quantum_state(state)
            out[b] = [obs.get_expectation_value(state) for obs in singles]
            grads = -np.asarray(circ.backprop(weighted))
            gx[b], gw = grads[:n], gw + grads[n:]
        return out, gx, gw.reshape(w.shape)

    return step


def make_torchquantum(n, layers, batch, ansatz):
    """torchquantum-ng runs in complex64, its default (its gate kernels reject complex128 states)."""
    import torch
    import torchquantum as tq
    import torchquantum.functional as tqf

    torch.set_num_threads(1)
    x, w, c = workload(n, layers, batch, (layers, n, 3))
    ranges = _sel_ranges(n, layers)

    def run(xt, wt):
        qdev = tq.QuantumDevice(n_wires=n, bsz=batch)
        for i in range(n):
            tqf.rx(qdev, wires=i, params=xt[:, i])
        for layer in range(layers):
            for i in range(n):
                tqf.rot(qdev, wires=i, params=wt[layer, i].expand(batch, 3))
            if n > 1:
                for i in range(n):
                    tqf.cnot(qdev, wires=[i, (i + ranges[layer]) % n])
        return tq.measurement.expval(qdev, list(range(n)), [tq.PauliZ()] * n).double()

    return _torch_step(run, x, w, c)


MAKERS = {
    "torch.statevector": make_ours,
    "torch.statevector:torch-kernel": lambda *a: make_ours(*a, kernel="torch"),
    "pennylane-jax-jit": make_pennylane_jax,
    "tensorcircuit-ng": make_tensorcircuit,
    "qulacs": make_qulacs,
    "torchquantum-ng": make_torchquantum,
    "pennylane-torch": make_pennylane_torch,
    "lightning-adjoint": lambda *a: make_pennylane_torch(*a, device="lightning.qubit", diff="adjoint"),
}


def matmul_rate() -> float:
    """GFLOP/s of a one-thread complex128 256 x 256 matmul (best of 5 batches of 10, CPU time)."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((256, 256)) + 1j * rng.standard_normal((256, 256))
    best = math.inf
    for _ in range(5):
        start = time.process_time()
        for _ in range(10):
            a @ a
        best = min(best, (time.process_time() - start) / 10)
    return 8 * 256**3 / best / 1e9


def serve(peer: str) -> None:
    step = None
    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply = handle(peer, request, step)
            if request["cmd"] == "setup":
                step, reply = reply
        except Exception as exc:  # a peer that fails at one width is skipped there, with why
            reply = {"skip": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def handle(peer: str, request: dict, step):
    cmd = request["cmd"]
    if cmd == "setup":
        if peer not in PEERS_FOR_EVERY_ANSATZ and request["ansatz"] != "strongly-entangling":
            return None, {"skip": "workload written for strongly-entangling only"}
        args = (request["n"], request["layers"], request["batch"], request["ansatz"])
        return MAKERS[peer](*args), {"ok": True}
    if cmd == "check":
        out, gx, gw = step()
        return {"out": out.tolist(), "gx": gx.tolist(), "gw": gw.reshape(-1).tolist()}
    if cmd == "time":
        times = []
        for _ in range(request["steps"]):
            start = time.process_time()
            step()
            times.append(time.process_time() - start)
        return {"seconds": times}
    if cmd == "rate":
        return {"gflops": matmul_rate()}
    raise ValueError(f"unknown request {cmd!r}")


if __name__ == "__main__":
    os.environ.update(THREAD_VARIABLES)
    sys.path.insert(0, sys.argv[2])
    serve(sys.argv[1])
