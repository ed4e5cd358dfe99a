"""Evaluate-only backends end to end at the cell level: fake device, noise, resume by job id."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from bench.cell.run import run_cell
from bench.cell.subsets import stratified_subset, wilson_interval
from bench.plan.grid import expand
from bench.quantum.qiskit import ibm
from bench.quantum.qiskit.ledger import JobLedger
from bench.results.cache import Cache
from bench.spec.loader import load_suite
from tests.conftest import TINY, write_suite

DATASET = [{"name": "urban-synth", "params": {**TINY["datasets"][0]["params"], "n_per_class": 20}}]
PROFILES = {
    "fake-small": {"noise": {"fake_device": "FakeManilaV2"}, "shots": 256, "eval_samples": 6},
    "noisy-shots": {
        "noise": {"depolarizing": 0.05},
        "shots": 128,
        "eval_samples": 6,
        "mitigation": {"scale_factors": [1, 3]},
    },
    "rehearsal": {
        "shots": 64,
        "eval_samples": 6,
        "ibm": {"backend": "FakeManilaV2", "rehearse": True, "max_circuits_per_job": 4},
    },
}


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval")
    suite = load_suite(
        write_suite(
            root,
            {
                "datasets": DATASET,
                "heads": ["quantum"],
                "profiles": PROFILES,
                "backends": ["default.qubit", *PROFILES],
            },
        )
    )
    return {c.backend: c for c in expand(suite)}, Cache(root / "cache"), root


def test_stratified_subset_keeps_class_shares_and_is_seeded():
    labels = np.array([0] * 10 + [1] * 6 + [2] * 4)
    idx = stratified_subset(labels, 10, seed=3)
    assert Counter(labels[idx]) == {0: 5, 1: 3, 2: 2}
    assert list(idx) == sorted(idx) and len(set(idx)) == 10
    assert np.array_equal(idx, stratified_subset(labels, 10, seed=3))
    assert not np.array_equal(idx, stratified_subset(labels, 10, seed=4))
    assert Counter(labels[stratified_subset(labels, 3, seed=0)]) == {0: 1, 1: 1, 2: 1}
    assert len(stratified_subset(labels, 50, seed=0)) == 20
    assert set(stratified_subset(labels, 5, seed=3)) <= set(idx)  # smaller subsets are nested


def test_wilson_interval():
    low, high = wilson_interval(8, 10)
    assert low < 0.8 < high and 0.490 < low < 0.491 and 0.943 < high < 0.944  # textbook: 0.4902, 0.9433
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0


def test_fake_device_evaluates_a_trained_head_on_a_stratified_subset(cells):
    by_backend, cache, root = cells
    exact = run_cell(by_backend["default.qubit"], cache)
    record = run_cell(by_backend["fake-small"], cache, jobs_path=root / "jobs.sqlite")
    assert exact.status == "ok" and record.status == "ok", record.error
    assert record.cache_hits["head"] is True  # trained once, on the exact simulator
    assert record.trained_on == exact.trained_on  # the train_on: auto choice, shared
    m = record.metrics
    assert m["evaluate_only"] == 1 and m["eval_samples"] == 6 and "agreement_max_abs_diff" not in m
    assert m["test_accuracy_ci_low"] <= m["test_accuracy"] <= m["test_accuracy_ci_high"]
    assert m["shots_per_circuit"] == 256 and m["circuit_executions_eval"] == 6
    assert m["shots_executed"] == 6 * 256
    assert m["delta_vs_exact"] == pytest.approx(m["test_accuracy"] - m["exact_subset_accuracy"])
    indices = record.backend_info["eval_indices"]
    assert len(indices) == len(record.labels) == len(record.predictions) == 6
    assert Counter(record.labels) == Counter({0: 2, 1: 2, 2: 2})  # 3 balanced classes
    assert [exact.labels[i] for i in indices] == record.labels
    assert record.timings["circuit_forward_per_batch_s"] > 0 and record.timings["transpile_s"] > 0
    assert record.jobs and record.backend_info["usage_source"] == "none (local simulator)"


def test_noisy_simulator_with_zne_is_deterministic_and_reports_both_variants(cells):
    by_backend, cache, root = cells
    first = run_cell(by_backend["noisy-shots"], cache)
    second = run_cell(by_backend["noisy-shots"], cache)
    assert first.status == "ok", first.error
    assert first.deterministic_view() == second.deterministic_view()
    m = first.metrics
    assert {"zne_test_accuracy", "zne_test_accuracy_ci_low", "zne_delta_vs_exact"} <= set(m)
    assert m["circuit_executions_eval"] == 6 + 6 * 2  # raw + ZNE scales 1 and 3
    assert m["noise_strength"] == 0.05
    assert first.timings["circuit_forward_per_batch_s"] > 0
    assert "circuit_forward_backward_per_batch_s" not in first.timings  # shots: not differentiable


def test_interrupted_ibm_cell_resumes_from_recorded_job_ids(cells, monkeypatch):
    by_backend, cache, root = cells
    cell, ledger_path = by_backend["rehearsal"], root / "jobs.sqlite"
    submitted = []
    real_submit = ibm.RehearsalSubmitter.submit

    def counting_submit(self, pubs, shots, seed):
        job = real_submit(self, pubs, shots, seed)
        submitted.append(job.job_id())
        return job

    monkeypatch.setattr(ibm.RehearsalSubmitter, "submit", counting_submit)

    def lost_connection(self):
        raise ConnectionError("connection to the service lost")

    with monkeypatch.context() as m:
        m.setattr(ibm.RehearsalJob, "result", lost_connection)
        failed = run_cell(cell, cache, jobs_path=ledger_path)
    assert failed.status == "failed" and "connection to the service lost" in failed.error
    recorded = JobLedger(ledger_path).jobs_of(cell.key)
    assert [r.job_id for r in recorded.values()] == submitted and len(submitted) == 2  # 6 items, 4 per job

    resumed = run_cell(cell, cache, jobs_path=ledger_path)
    assert resumed.status == "ok", resumed.error
    assert len(submitted) == 2  # nothing resubmitted
    assert resumed.jobs == [r.job_id for r in recorded.values()]
    assert resumed.metrics["jobs_submitted"] == 0 and resumed.metrics["jobs_fetched"] == 2
    assert resumed.metrics["qpu_seconds_estimated"] > 0 and "qpu_seconds" not in resumed.metrics
    assert resumed.backend_info["usage_source"] == "cost-model estimate (no usage reported)"
