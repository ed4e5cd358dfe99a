"""Executors run tasks and hand results back to the driver as they finish.

The contract (``Executor``): ``run(fn, tasks)`` yields ``(task, fn(task))`` pairs, in any
order, each as soon as it is ready; ``fn`` and ``tasks`` must be picklable for executors that
leave the process. Workers only compute; the driver alone writes the results store.
``supports_progress`` says whether ``fn`` may report epoch progress to the driver's console.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol


class Executor(Protocol):
    supports_progress: bool

    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]: ...


class SequentialExecutor:
    """Runs tasks one after another in this process (the default)."""

    supports_progress = True

    def __init__(self, workers: int = 1):
        self.workers = 1

    def run(self, fn, tasks):
        for task in tasks:
            yield task, fn(task)


class ProcessPoolExecutor:
    """Runs tasks in ``workers`` spawned processes."""

    supports_progress = False

    def __init__(self, workers: int = 2):
        self.workers = max(1, workers)

    def run(self, fn, tasks):
        context = multiprocessing.get_context("spawn")
        pool = cf.ProcessPoolExecutor(self.workers, mp_context=context)
        try:
            futures = {pool.submit(fn, task): task for task in tasks}
            for future in cf.as_completed(futures):
                yield futures[future], future.result()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
