"""train_on=auto: the fastest available exact simulator at the width, from measured timings."""

from __future__ import annotations

import json

import pytest

from bench.plan.grid import expand
from bench.quantum import autoselect
from bench.spec.loader import load_suite
from tests.conftest import write_suite


def _table(tmp_path, seconds: dict) -> str:
    path = tmp_path / "timings.json"
    path.write_text(json.dumps({"seconds": seconds}))
    autoselect._table.cache_clear()
    return str(path)


def test_fastest_at_the_width_interpolated_between_measurements(tmp_path):
    path = _table(
        tmp_path,
        {
            "default.qubit": {"4": 0.1, "12": 3.0, "20": 90.0},
            "lightning.qubit": {"4": 0.5, "12": 1.0, "20": 8.0},
        },
    )
    assert autoselect.fastest_trainer(2, path) == "default.qubit"
    assert autoselect.fastest_trainer(11, path) == "lightning.qubit"
    assert autoselect.fastest_trainer(26, path) == "lightning.qubit"  # extrapolated growth rates
    assert autoselect._time_at({"4": 1.0, "8": 4.0}, 6) == pytest.approx(2.0)  # log-linear


def test_unavailable_simulators_are_never_picked_and_no_table_falls_back(tmp_path):
    path = _table(tmp_path, {"lightning.gpu": {"4": 0.001}, "default.qubit": {"4": 1.0}})
    if autoselect._available(["lightning.gpu"]) == []:  # no CUDA here
        assert autoselect.fastest_trainer(4, path) == "default.qubit"
    assert autoselect.fastest_trainer(4, tmp_path / "missing.json") == "default.qubit"


def test_measure_and_write_round_trip(tmp_path):
    seconds = autoselect.measure(["default.qubit"], [2], n_layers=1, batch=4, repeats=1)
    assert seconds["default.qubit"]["2"] > 0
    path = autoselect.write_table(seconds, tmp_path / "t.json", {"batch": 4})
    body = json.loads(path.read_text())
    assert body["seconds"] == seconds and "cpu" in body["machine"]
    assert autoselect.fastest_trainer(2, path) == "default.qubit"


def test_grid_uses_the_table_unless_a_threshold_pins_the_rule(tmp_path, monkeypatch):
    table = _table(tmp_path, {"default.qubit": {"2": 5.0}, "lightning.qubit": {"2": 1.0}})
    monkeypatch.setattr(autoselect.fastest_trainer, "__defaults__", (table,))
    measured = load_suite(write_suite(tmp_path, {"heads": ["quantum"], "backends": ["default.qubit"]}))
    assert [c.trained_on for c in expand(measured)] == ["lightning.qubit"]
    pinned = load_suite(
        write_suite(
            tmp_path,
            {"heads": ["quantum"], "backends": ["default.qubit"], "training": {"lightning_from_qubits": 14}},
            name="pin.yaml",
        )
    )
    assert [c.trained_on for c in expand(pinned)] == ["default.qubit"]
    autoselect._table.cache_clear()
