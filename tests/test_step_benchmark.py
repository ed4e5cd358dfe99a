"""``bench benchmark --widths``: simulators side by side per width, the ratio, and the CUDA crossover."""

from __future__ import annotations

import torch

from bench.cli.parser import main
from bench.timing.step_benchmark import WidthTable, width_table


def test_width_table_times_each_simulator_and_restores_threads():
    threads = torch.get_num_threads()
    table = width_table(["default.qubit", "torch.statevector"], [2], n_layers=1, batch=4, repeats=1)
    assert torch.get_num_threads() == threads and table.threads == 1
    assert table.backends[:2] == ["default.qubit", "torch.statevector"]
    assert all(table.seconds[b][2] > 0 for b in table.backends)
    assert table.ratio("default.qubit", "torch.statevector", 2) > 0
    if not torch.cuda.is_available():
        assert table.crossover() is None and "torch.statevector:cuda" not in table.backends


def test_crossover_is_the_first_width_from_which_the_gpu_always_wins():
    seconds = {
        "torch.statevector": {4: 0.01, 8: 0.1, 12: 1.0, 16: 10.0},
        "torch.statevector:cuda": {4: 0.05, 8: 0.2, 12: 0.5, 16: 1.0},
    }
    table = WidthTable(list(seconds), [4, 8, 12, 16], seconds, 1, {})
    assert table.crossover() == 12
    seconds["torch.statevector:cuda"][4] = 0.001  # an early win does not count
    assert table.crossover() == 12
    seconds["torch.statevector:cuda"][16] = 20.0
    assert table.crossover() is None


def test_benchmark_widths_prints_both_simulators_and_the_ratio(capsys):
    assert main(["benchmark", "--widths", "2", "--layers", "1", "--batch", "4", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "default.qubit / torch.statevector" in out and "1 torch thread" in out
