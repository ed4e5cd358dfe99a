"""Executors run tasks and hand results back to the driver as they finish.

The contract (``Executor``, registered in ``bench.core.registry.EXECUTORS``):

* ``name`` - the registry key (``--executor NAME``, ``QHEAD_EXECUTOR``); a class docstring;
* ``Executor(workers)`` - cheap, starts nothing; ``workers`` is a request, the executor may use
  fewer (``SequentialExecutor`` always one);
* ``run(fn, tasks)`` yields one ``(task, fn(task))`` pair per task, in any order, each as soon as
  it is ready; an exception of ``fn`` propagates out of ``run`` (cells catch their own failures,
  so that means a bug). ``fn`` and ``tasks`` must be picklable for executors that leave the
  process; a ``KeyboardInterrupt`` stops ``run`` and leaves no worker behind;
* ``supports_progress`` - whether ``fn`` runs in this process, so that it may report epoch
  progress to the driver's console through callbacks;
* ``probe()`` - ``None`` when the executor can run here, else a one-line reason (a missing
  optional package, no cluster); never raises;
* ``test_params`` - constructor arguments with which the conformance test runs it.

Workers only compute; the driver alone writes the results store.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar


class Executor(ABC):
    """Base of every executor (the contract is the module docstring)."""

    name: ClassVar[str] = ""
    supports_progress: ClassVar[bool] = False
    test_params: ClassVar[dict[str, Any]] = {"workers": 1}

    def __init__(self, workers: int = 1):
        self.workers = max(1, workers)

    @classmethod
    def probe(cls) -> str | None:
        """``None`` if usable here, else a one-line reason (never raises)."""
        return None

    @abstractmethod
    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield ``(task, fn(task))`` for every task, in any order."""


class SequentialExecutor(Executor):
    """Runs tasks one after another in this process (the default)."""

    name = "sequential"
    supports_progress = True

    def __init__(self, workers: int = 1):
        self.workers = 1

    def run(self, fn, tasks):
        for task in tasks:
            yield task, fn(task)


class ProcessPoolExecutor(Executor):
    """Runs tasks in ``workers`` spawned processes."""

    name = "process"
    supports_progress = False

    def __init__(self, workers: int = 2):
        super().__init__(workers)

    def run(self, fn, tasks):
        context = multiprocessing.get_context("spawn")
        pool = cf.ProcessPoolExecutor(self.workers, mp_context=context)
        try:
            futures = {pool.submit(fn, task): task for task in tasks}
            for future in cf.as_completed(futures):
                yield futures[future], future.result()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
