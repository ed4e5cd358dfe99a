"""Qiskit path: one template per batch, exact where it must be, batched jobs, ledger and budget."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from bench.core.registry import SIMULATORS
from bench.quantum.circuits import strongly_entangling
from bench.quantum.profiles import BackendProfile
from bench.quantum.qiskit.circuits import folded, trace
from bench.quantum.qiskit.execute import BudgetExceeded, ExecutionContext, QiskitBackend, QiskitExecutor
from bench.quantum.qiskit.ledger import JobLedger

N = 2


def _circuit(inputs, weights):
    return strongly_entangling(inputs, weights, range(N))


def _data(batch: int = 4):
    gen = torch.Generator().manual_seed(3)
    x = torch.rand(batch, N, generator=gen, dtype=torch.float64) * torch.pi
    w = torch.rand(2, N, 3, generator=gen, dtype=torch.float64) * 2 * torch.pi
    return x, w


def _exact(x, w) -> np.ndarray:
    qnode = SIMULATORS.get("default.qubit").qnode(_circuit, N)
    return torch.stack(list(qnode(x, w)), -1).numpy()


def _statevector(circuit, values: np.ndarray, observables) -> np.ndarray:
    from qiskit.primitives import StatevectorEstimator

    result = StatevectorEstimator().run([(circuit, [observables], values[:, None, :])]).result()
    return np.asarray(result[0].data.evs)


def test_template_reproduces_pennylane_exactly_and_folding_keeps_the_unitary():
    x, w = _data()
    template = trace(_circuit, x, w, N)
    assert template.values.shape == (4, N)  # only the angle-encoded inputs vary across the batch
    assert template.circuit.num_parameters == N
    exact = _exact(x, w)
    np.testing.assert_allclose(
        _statevector(template.circuit, template.values, template.observables), exact, atol=1e-9
    )
    folded_evs = _statevector(folded(template.circuit, 3), template.values, template.observables)
    np.testing.assert_allclose(folded_evs, exact, atol=1e-9)
    with pytest.raises(ValueError, match="odd integer"):
        folded(template.circuit, 2)


def _fake(**extra) -> BackendProfile:
    return BackendProfile(noise={"fake_device": "FakeManilaV2"}, shots=4000, **extra)


def test_fake_device_runs_a_batch_in_one_job_close_to_exact_and_seeded():
    x, w = _data()
    executor = QiskitExecutor(_fake(mitigation={"scale_factors": [1, 3]}), seed=5)
    raw_backend = QiskitBackend("fake:raw", executor, "raw")
    zne_backend = QiskitBackend("fake:zne", executor, "zne")
    raw = torch.stack(list(raw_backend.qnode(_circuit, N)(x, w)), -1).numpy()
    zne = torch.stack(list(zne_backend.qnode(_circuit, N)(x, w)), -1).numpy()  # memo: no new job
    assert executor.stats.jobs_submitted == 1
    assert executor.stats.circuits == 4 * 2 and executor.stats.shots == 4 * 2 * 4000
    exact = _exact(x, w)
    assert np.abs(raw - exact).max() < 0.3  # device noise + 4000 shots
    assert np.abs(raw - zne).max() > 0  # the mitigated variant is a different estimate
    again = QiskitExecutor(_fake(mitigation={"scale_factors": [1, 3]}), seed=5).run(_circuit, N, x, w)["raw"]
    np.testing.assert_array_equal(raw, again)


def test_ibm_evaluations_are_split_into_jobs_recorded_in_the_ledger(tmp_path):
    x, w = _data(5)
    profile = BackendProfile(
        shots=100, ibm={"backend": "FakeManilaV2", "rehearse": True, "max_circuits_per_job": 2}
    )
    context = ExecutionContext("cell#1", str(tmp_path / "jobs.sqlite"), str(tmp_path / "jobs"), None)
    executor = QiskitExecutor(profile, seed=1, context=context)
    out = executor.run(_circuit, N, x, w)["raw"]
    assert out.shape == (5, N)
    assert executor.stats.jobs_submitted == 3  # 2 + 2 + 1 bindings
    rows = JobLedger(tmp_path / "jobs.sqlite").jobs_of("cell#1")
    assert [r.job_id for r in rows.values()] == executor.stats.job_ids
    assert sum(r.circuits for r in rows.values()) == 5


def test_a_job_that_would_exceed_the_budget_is_never_submitted(tmp_path):
    x, w = _data()
    profile = BackendProfile(shots=1000, ibm={"backend": "FakeManilaV2", "rehearse": True})
    ledger_path = tmp_path / "jobs.sqlite"
    JobLedger(ledger_path).record_submission("earlier-cell", 0, "old-job", "x", 10, 10_000, 9.0)
    context = ExecutionContext("cell#2", str(ledger_path), str(tmp_path / "jobs"), budget_seconds=10.0)
    executor = QiskitExecutor(profile, seed=1, context=context)
    with pytest.raises(BudgetExceeded, match=r"9.0 s already spent of budget.max_qpu_seconds 10"):
        executor.run(_circuit, N, x, w)
    assert executor.stats.jobs_submitted == 0
    assert JobLedger(ledger_path).jobs_of("cell#2") == {}
