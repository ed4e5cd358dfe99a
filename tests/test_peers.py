"""``benchmark --peers``: ours and a peer in subprocess workers, agreement, skipped reasons."""

from __future__ import annotations

import sys

import pytest

from bench.timing.peers import OURS, flops, format_table, missing_modules, run_peers


def test_peers_run_in_workers_agree_and_missing_ones_are_skipped():
    peers = [OURS, "torch.statevector:torch-kernel", "qulacs"]
    table = run_peers([2], peers, sys.executable, rounds=1, steps=1)
    assert table.seconds[OURS][2] > 0 and table.ratio("torch.statevector:torch-kernel", 2) > 0
    assert "qulacs" in table.seconds or table.skipped["qulacs"].startswith("not installed in")
    assert table.agreement["torch.statevector:torch-kernel"][2] < 1e-12
    assert table.bound(2) == flops(2, 2, 64) / (table.gflops * 1e9)
    text = format_table(table)
    assert "ours / bound" in text and "2 | " in text


def test_an_unknown_peer_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown peer 'qulax'.*qulacs"):
        run_peers([2], ["qulax"], sys.executable)


def test_a_peer_whose_modules_are_missing_has_a_reason():
    reason = missing_modules(sys.executable, ("no_such_module_qhb",))
    assert reason == f"not installed in {sys.executable}: no_such_module_qhb"
    assert missing_modules(sys.executable, ("json",)) is None
