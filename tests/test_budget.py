"""IBM cost and budget through the CLI: plan prints the estimate, run refuses to overspend, and the
hardware path runs end to end offline with a fake service standing in for IBM's."""

from __future__ import annotations

import pytest

from bench.cli.parser import main
from bench.quantum.qiskit import ibm
from bench.quantum.qiskit.ledger import JobLedger
from bench.results.store import ResultsStore
from tests.conftest import write_suite

REHEARSAL = {
    "shots": 100,
    "eval_samples": 4,
    "ibm": {"backend": "FakeManilaV2", "rehearse": True, "seconds_per_job": 2.0, "seconds_per_shot": 0.001},
}
HARDWARE = {
    "shots": 100,
    "eval_samples": 4,
    "ibm": {"backend": "ibm_fake_brisbane", "mode": "batch", "resilience_level": 1},
}
# per cell: 1 job of 4 circuits x 100 shots: 2 s + 400 shots x 1 ms = 2.4 s (rehearsal, resilience 0)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("budget-cache")


def _args(suite, tmp_path, cache_dir, command="run"):
    return [command, str(suite), "--reports-dir", str(tmp_path / "reports"), "--cache-dir", str(cache_dir)]


def test_plan_prints_the_cost_and_run_refuses_to_exceed_the_budget(tmp_path, cache_dir, capsys):
    suite = write_suite(
        tmp_path,
        {
            "heads": ["quantum"],
            "seeds": [0, 1],
            "backends": ["ibm-x"],
            "profiles": {"ibm-x": REHEARSAL},
            "budget": {"max_qpu_seconds": 4.0},
        },
    )
    assert main(_args(suite, tmp_path, cache_dir, "plan")) == 0
    out = capsys.readouterr().out
    assert "IBM cost estimate" in out and "2.4" in out
    assert "total: 8 circuits, 800 shots, ~4.8 QPU s estimated; 0.0 s already spent; budget cap: 4 s" in out
    assert "a run would refuse to start" in out
    assert main(_args(suite, tmp_path, cache_dir)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "budget.max_qpu_seconds: 2 pending IBM cells need ~4.8 QPU s" in err
    assert not (tmp_path / "reports" / "tiny" / "jobs.sqlite").exists()  # nothing was submitted


def test_profile_caps_skip_a_cell_with_the_reason(tmp_path, cache_dir, capsys):
    capped = {**REHEARSAL, "ibm": {**REHEARSAL["ibm"], "max_shots": 300}}
    suite = write_suite(
        tmp_path, {"heads": ["quantum"], "backends": ["ibm-x"], "profiles": {"ibm-x": capped}}
    )
    assert main(_args(suite, tmp_path, cache_dir, "plan")) == 0
    assert "over the profile's cap: estimated 400 shots exceed ibm.max_shots 300" in capsys.readouterr().out


class FakeService:
    """Stands in for QiskitRuntimeService: a fake device as the backend, jobs kept by id, usage reported."""

    def __init__(self):
        self.jobs, self.submitted = {}, 0

    def backend(self, name):
        return ibm.fake_backend("FakeManilaV2")

    def job(self, job_id):
        return self.jobs[job_id]


class ReportedJob:
    def __init__(self, job, usage):
        self._job, self._usage = job, usage

    def job_id(self):
        return self._job.job_id()

    def result(self):
        return self._job.result()

    def usage(self):
        return self._usage


def test_hardware_path_offline_with_a_fake_service(tmp_path, cache_dir, capsys, monkeypatch):
    service = FakeService()
    real_estimator = ibm._estimator

    def estimator_on_fake_service(mode, shots, seed, resilience_level):
        assert resilience_level == 1 and seed is None  # hardware options, no simulator seed
        estimator = real_estimator(mode, shots, seed, resilience_level)

        class Tracked:
            def run(self, pubs):
                job = ReportedJob(estimator.run(pubs), usage=1.5)
                service.jobs[job.job_id()] = job
                service.submitted += 1
                return job

        return Tracked()

    monkeypatch.setattr(ibm, "SERVICE_FACTORY", lambda profile: service)
    monkeypatch.setattr(ibm, "_estimator", estimator_on_fake_service)
    suite_data = {"heads": ["quantum"], "backends": ["hw"], "profiles": {"hw": HARDWARE}}
    unbudgeted = write_suite(tmp_path, suite_data)
    assert main(_args(unbudgeted, tmp_path, cache_dir)) == 2
    assert "budget.max_qpu_seconds: required to run IBM hardware (1 cells pending" in capsys.readouterr().err

    # the user adds the budget to the same suite file (another file with the same name: would be refused)
    suite = write_suite(tmp_path, {**suite_data, "budget": {"max_qpu_seconds": 60}})
    assert main(_args(suite, tmp_path, cache_dir)) == 0
    record = [r for r in ResultsStore(tmp_path / "reports" / "tiny" / "results.sqlite").get() if r.backend][0]
    assert record.status == "ok", record.error
    assert service.submitted == 1 and record.jobs == list(service.jobs)
    assert record.metrics["qpu_seconds"] == 1.5
    assert record.backend_info["usage_source"] == "reported by the service"
    rows = JobLedger(tmp_path / "reports" / "tiny" / "jobs.sqlite").jobs_of(record.key)
    assert [r.usage_seconds for r in rows.values()] == [1.5]
    report = (tmp_path / "reports" / "tiny" / "latest" / "index.md").read_text()
    assert "## Noise" in report and "| hw |" in report
