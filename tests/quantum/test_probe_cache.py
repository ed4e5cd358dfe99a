"""The per-installation record of successful backend probes (``bench.quantum.probe_cache``)."""

from __future__ import annotations

import json

import pytest

from bench.quantum import probe_cache
from bench.quantum.pennylane import simulators
from bench.quantum.probe_cache import CACHE_ENV, cache_file, cached_probe


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "probes"))
    cache_file.cache_clear()
    yield tmp_path / "probes"
    cache_file.cache_clear()


class Counted:
    def __init__(self, answer):
        self.answer, self.calls = answer, 0

    def __call__(self):
        self.calls += 1
        return self.answer


def test_a_success_is_probed_once_then_read_from_the_file(cache):
    probe = Counted(None)
    assert cached_probe("pennylane:some.device", probe) is None
    assert cached_probe("pennylane:some.device", probe) is None
    assert probe.calls == 1
    (path,) = cache.glob("backend-probes-*.json")
    body = json.loads(path.read_text())
    assert body["probes"] == {"pennylane:some.device": None}
    assert body["installation"]["cache_version"] == probe_cache.CACHE_VERSION


def test_a_reason_is_never_kept(cache):
    probe = Counted("plugin not installed (x)")
    assert cached_probe("pennylane:missing", probe) == "plugin not installed (x)"
    assert cached_probe("pennylane:missing", probe) == "plugin not installed (x)"
    assert probe.calls == 2
    assert not list(cache.glob("*.json"))


def test_off_probes_live_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, "off")
    probe = Counted(None)
    cached_probe("k", probe), cached_probe("k", probe)
    assert probe.calls == 2
    assert probe_cache.cache_dir() is None


def test_another_installation_gets_another_file(cache, tmp_path, monkeypatch):
    cached_probe("k", Counted(None))
    site = tmp_path / "lib" / "site-packages"
    (site / "newplugin-1.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site))
    cache_file.cache_clear()
    probe = Counted(None)
    cached_probe("k", probe)
    assert probe.calls == 1  # a package was installed: probed again
    assert len(list(cache.glob("backend-probes-*.json"))) == 2


def test_a_damaged_or_unwritable_cache_only_means_probing_live(cache, monkeypatch):
    cache.mkdir()
    cache_file(cache).write_text("{not json")
    probe = Counted(None)
    assert cached_probe("k", probe) is None and probe.calls == 1
    monkeypatch.setenv(CACHE_ENV, str(cache_file(cache)))  # a file where the folder should be
    assert cached_probe("k", Counted("reason")) == "reason"
    assert cached_probe("k", Counted(None)) is None


def test_simulator_probe_reads_the_cache_and_hardware_devices_stay_live(cache, monkeypatch):
    live = []
    monkeypatch.setattr(simulators, "probe_live", lambda device: live.append(device))
    simulators.probe.cache_clear()
    try:
        for _ in range(2):
            assert simulators.probe("default.qubit") is None
            simulators.probe.cache_clear()
        assert live == ["default.qubit"]  # the second process-level probe read the file
        simulators.probe("lightning.gpu")
        simulators.probe.cache_clear()
        simulators.probe("lightning.gpu")
        assert live == ["default.qubit", "lightning.gpu", "lightning.gpu"]
    finally:
        simulators.probe.cache_clear()
