"""Every task pins each compute runtime to one thread; threadpoolctl is asked again only after an import."""

from __future__ import annotations

import sys
import types

import threadpoolctl
import torch

from bench.run.threads import CELL_THREADS, pin_threads


def test_pin_threads_limits_every_runtime_and_repeats_only_after_an_import(monkeypatch):
    pin_threads()
    assert torch.get_num_threads() == CELL_THREADS
    assert all(lib["num_threads"] == CELL_THREADS for lib in threadpoolctl.threadpool_info())
    calls = []
    monkeypatch.setattr(threadpoolctl, "threadpool_limits", lambda limits: calls.append(limits))
    pin_threads()
    assert calls == []  # nothing imported since: no library can have loaded
    monkeypatch.setitem(sys.modules, "qhead_test_new_module", types.ModuleType("qhead_test_new_module"))
    pin_threads()
    assert calls == [CELL_THREADS]
