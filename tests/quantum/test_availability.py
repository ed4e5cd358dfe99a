"""Availability probing: missing plugins, failing device constructors and missing tokens become
reason strings; unavailable backends are skipped, never fatal."""

from __future__ import annotations

import sys

import pennylane as qml

from bench.cli.parser import main
from bench.quantum.pennylane import simulators as backends
from bench.quantum.profiles import BackendProfile
from bench.quantum.qiskit import ibm
from bench.quantum.resolve import probe_profile
from bench.results.store import ResultsStore
from tests.conftest import write_suite


def test_missing_pennylane_plugin_is_a_reason():
    reason = probe_profile(BackendProfile(device="lightning.tensor"))
    assert reason.startswith("plugin not installed")
    typo = probe_profile(BackendProfile(device="default.qbit"))
    assert "did you mean 'default.qubit'" in typo


def test_missing_qiskit_plugin_is_a_reason(monkeypatch):
    monkeypatch.setitem(sys.modules, "qiskit_aer", None)  # import qiskit_aer now raises ImportError
    reason = probe_profile(BackendProfile(noise={"fake_device": "FakeManilaV2"}, shots=10))
    assert reason.startswith("plugin not installed") and "[ibm] extra" in reason


def test_failing_device_constructor_is_a_reason(monkeypatch):
    real = qml.device

    def flaky(name, *args, **kwargs):
        if name == "default.mixed":
            raise RuntimeError("driver crashed while allocating")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(qml, "device", flaky)
    backends.probe.cache_clear()
    try:
        reason = probe_profile(BackendProfile(noise={"depolarizing": 0.1}))
    finally:
        backends.probe.cache_clear()
    assert reason == "device failed to start (RuntimeError: driver crashed while allocating)"


def test_unknown_fake_device_and_missing_token_are_reasons(monkeypatch):
    assert "no fake device 'FakeNowhereV2'" in probe_profile(
        BackendProfile(noise={"fake_device": "FakeNowhereV2"}, shots=10)
    )
    monkeypatch.delenv(ibm.TOKEN_ENV, raising=False)
    monkeypatch.setattr(ibm, "_has_saved_account", lambda: False)
    hardware = BackendProfile(shots=10, ibm={"backend": "ibm_brisbane"})
    assert probe_profile(hardware).startswith("no IBM Quantum token (set QISKIT_IBM_TOKEN")
    monkeypatch.setenv(ibm.TOKEN_ENV, "not-a-real-token")
    assert probe_profile(hardware) is None  # a token is all the probe checks; it never calls the network


def test_backends_command_lists_builtins_and_profiles_with_status(capsys):
    assert main(["backends"]) == 0
    out = capsys.readouterr().out
    names = ("default.qubit", "lightning.gpu", "shots-1024", "fake-manila", "ibm-hardware", "ibm-rehearsal")
    for name in names:
        assert name in out
    assert "evaluate-only" in out and "unavailable:" in out


def test_suite_with_an_unavailable_profile_runs_the_rest(tmp_path, monkeypatch):
    monkeypatch.delenv(ibm.TOKEN_ENV, raising=False)
    monkeypatch.setattr(ibm, "_has_saved_account", lambda: False)
    suite = write_suite(
        tmp_path, {"backends": ["default.qubit", "ibm-hardware"], "budget": {"max_qpu_seconds": 10}}
    )
    args = ["--reports-dir", str(tmp_path / "r"), "--cache-dir", str(tmp_path / "c")]
    assert main(["run", str(suite), *args]) == 0
    by_backend = {r.backend: r for r in ResultsStore(tmp_path / "r" / "tiny" / "results.sqlite").get()}
    assert by_backend[None].status == by_backend["default.qubit"].status == "ok"
    assert by_backend["ibm-hardware"].status == "skipped"
    reason = by_backend["ibm-hardware"].error
    assert reason.startswith("backend ibm-hardware unavailable: no IBM Quantum token")
