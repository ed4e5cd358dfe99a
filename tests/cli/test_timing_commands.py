"""``calibrate`` and the plain ``benchmark``: thin views of ``bench.calibrate_simulators``,
``bench.write_trainer_timings`` and ``bench.benchmark_step`` (one tiny width, one simulator)."""

from __future__ import annotations

import json

from bench.cli.parser import main


def test_calibrate_prints_the_table_and_writes_what_auto_picks(tmp_path, capsys):
    out = tmp_path / "timings.json"
    argv = ["calibrate", "--qubits", "2", "--layers", "1", "--repeats", "1", "--batch", "4"]
    assert main([*argv, "--simulators", "default.qubit", "--write", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "forward+backward per batch of 4, 1 layers (median s)" in " ".join(printed.split())
    assert printed.rstrip().endswith(f"wrote {out}; train_on=auto now picks: q2: default.qubit")
    table = json.loads(out.read_text())
    assert table["settings"] == {"batch": 4, "n_layers": 1, "repeats": 1}
    assert list(table["seconds"]) == ["default.qubit"] and table["seconds"]["default.qubit"]["2"] > 0


def test_step_benchmark_prints_batched_and_loop_with_their_ratio(capsys):
    argv = ["benchmark", "--qubits", "2", "--layers", "1", "--batch", "4", "--repeats", "1"]
    assert main([*argv, "--backends", "default.qubit"]) == 0
    printed = capsys.readouterr().out
    assert "quantum head training step: 2 qubits, 1 layers, batch 4" in " ".join(printed.split())
    rows = [line for line in printed.splitlines() if "default.qubit" in line]
    assert len(rows) == 2 and "batched" in rows[0] and "loop" in rows[1]
    assert rows[1].rstrip(" │").endswith("x")  # loop / batched
