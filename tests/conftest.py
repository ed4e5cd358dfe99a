"""Shared fixtures: a tiny suite that runs end to end in seconds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

# Tests run cells in-process (monkeypatches and injected fakes must reach them); the process
# pool has its own test (tests/test_runner.py) and gives identical records.
os.environ["QHEAD_EXECUTOR"] = "sequential"
# Backend probes run live (tests make devices fail on purpose); tests/quantum/test_probe_cache.py
# points the cache at a folder of its own.
os.environ["QHEAD_PROBE_CACHE"] = "off"

TINY = {
    "name": "tiny",
    "datasets": [
        {
            "name": "urban-synth",
            "params": {"n_per_class": 8, "seconds": 0.25, "sample_rate": 8000, "n_classes": 3},
        }
    ],
    "features": {"name": "logmel", "params": {"n_fft": 256, "hop_length": 128, "n_mels": 16}},
    "backbone": {
        "name": "small-cnn",
        "params": {"channels": [4, 8], "embedding_dim": 8},
        "training": {"epochs": 2, "batch_size": 8},
    },
    "heads": ["classical", "quantum"],
    "qubits": [2],
    "layers": [1],
    "backends": ["default.qubit", "lightning.qubit"],
    "seeds": [0],
    "training": {"epochs": 2, "batch_size": 8, "patience": 2, "timing_repeats": 1},
    "controls": False,  # matched controls multiply cells; tests/test_controls*.py exercise them
}


def write_suite(directory: Path, overrides: dict | None = None, name: str = "suite.yaml") -> Path:
    """Write TINY (with top-level ``overrides``) as YAML and return its path."""
    data = {**TINY, **(overrides or {})}
    path = directory / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def no_data_env(monkeypatch):
    """The developer's own data roots (``QHEAD_DATA`` and per-dataset variables) are unset."""
    from bench.core.registry import DATASETS
    from bench.data.local import ROOT_ENV, env_var

    monkeypatch.delenv(ROOT_ENV, raising=False)
    for name in DATASETS.names():
        monkeypatch.delenv(env_var(name), raising=False)


@pytest.fixture
def tiny_suite_path(tmp_path: Path) -> Path:
    return write_suite(tmp_path)


@pytest.fixture(scope="session")
def tiny_sequential(tmp_path_factory) -> dict[str, dict]:
    """TINY run once, sequentially: ``{cell key: record.deterministic_view()}``, the reference the
    records of every other executor must equal."""
    from bench.cli.parser import main
    from bench.results.store import ResultsStore

    tmp = tmp_path_factory.mktemp("tiny-sequential")
    dirs = ["--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache"), "--no-report"]
    assert main(["run", str(write_suite(tmp)), "--executor", "sequential", *dirs]) == 0
    store = ResultsStore(tmp / "reports" / "tiny" / "results.sqlite")
    try:
        records = {r.key: r.deterministic_view() for r in store.get()}
    finally:
        store.close()
    assert len(records) == 3 and all(r["status"] == "ok" for r in records.values())
    return records


HEAVY_WRAPPER = """
import sys
from bench.cli.parser import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("torch", "pennylane", "pandas", "matplotlib") if m in sys.modules)
print("HEAVY=" + ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""
"""``python -c HEAVY_WRAPPER ARGS...`` runs ``python -m bench ARGS...`` and prints ``HEAVY=`` and the
heavy modules it imported on stderr (``HEAVY=`` alone: none)."""


@pytest.fixture
def recorded_probes(tmp_path, monkeypatch) -> dict[str, str]:
    """The environment of a subprocess that finds the exact simulators' probes recorded in a cache of
    its own (``bench.quantum.probe_cache``), as after a first ``plan`` or ``run``."""
    from bench.quantum.pennylane import simulators
    from bench.quantum.probe_cache import CACHE_ENV, cache_file
    from bench.quantum.torch import sim

    folder = str(tmp_path / "probes")
    monkeypatch.setenv(CACHE_ENV, folder)
    cache_file.cache_clear()
    try:  # __wrapped__: past this process's memo, so that the probes reach the file
        for device in ("default.qubit", "lightning.qubit"):
            assert simulators.probe.__wrapped__(device) is None
        assert sim.probe.__wrapped__("cpu", "complex128") is None
    finally:
        cache_file.cache_clear()
        monkeypatch.delenv(CACHE_ENV)
    root = Path(__file__).resolve().parents[1]
    return {**os.environ, CACHE_ENV: folder, "PYTHONPATH": str(root)}
