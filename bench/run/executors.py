"""Executors run tasks and hand results back to the driver as they finish.

The contract (``Executor``, the base class of every executor; registered in
``bench.core.registry.EXECUTORS``):

* ``name``: the registry key (``--executor NAME``, ``QHEAD_EXECUTOR``); a class docstring says
  what it is. ``Executor(workers)`` is cheap and starts nothing; ``workers`` is a request, an
  executor may use fewer (``SequentialExecutor`` always one).
* ``run_graph(nodes)`` runs a task graph: each ``Node`` calls ``node.fn(node.arg, *results)``
  where ``results`` are those of the nodes named in ``node.after``, and starts only once they
  have finished; it yields ``(node, result)`` pairs in completion order, each as soon as it is
  ready (the driver commits each cell's record at once). When the machinery - not the task -
  fails (a worker process died and retries ran out), the result is a ``TaskError`` carrying the
  reason, and nodes waiting on it still run. Nodes come in dependency order (a node's ``after``
  names earlier nodes only). Among nodes ready at once, a parallel executor starts the one of
  higher ``priority`` first (``bench.run.tasks`` sets it); the order never changes a result. An
  exception of ``fn`` itself propagates (cells catch their own failures, so that is a bug).
* ``run(fn, tasks)`` is the same for independent tasks: yields ``(task, fn(task))`` (default:
  through ``run_graph``).
* ``start(shared_dirs)`` prepares workers before any task runs and raises ``UserError`` when a
  worker cannot see a directory of ``shared_dirs`` (the cache); ``close()`` releases what
  ``start`` acquired (a cluster it started). Both default to no-ops (in-machine executors).
* ``describe()``: one line for the console saying where tasks run (after ``start``; a Dask
  cluster adds its dashboard link).
* ``supports_progress``: whether ``fn`` may report epoch progress to the driver's console
  (in-process only).
* ``probe()`` (class method): ``None`` when the executor can run here, else a one-line reason (a
  missing optional package, no scheduler); never raises. Default: always available.
* ``test_params``: constructor arguments with which the conformance test
  (tests/test_plugin_conformance.py) runs it, unless ``probe()`` gives a reason.

``fn``, ``arg`` and results must be picklable for executors that leave the process. Workers
only compute; the driver alone writes the results store.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import heapq
import logging
import shutil
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from bench.core.errors import UserError
from bench.core.exit_codes import ExitCode
from bench.run.heartbeat import heartbeat_folder, stale
from bench.run.interrupts import sigint_deferred, worker_init
from bench.run.worker_server import worker_context

MAX_ATTEMPTS = 3  # a task whose worker process dies is run at most this many times in all
WORKER_TIMEOUT_S = 300.0  # a run with no live worker this long stops (RunStopped)
STUCK_TIMEOUT_S = 120.0  # a local worker silent this long is stuck: killed, its task run again
HEARTBEAT_CHECK_S = 1.0  # how often the pool looks for stuck workers while it waits

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Node:
    """One task of a graph. ``key`` is unique within the graph (and names the task on a dashboard)."""

    key: str
    fn: Callable[..., Any]
    arg: Any
    after: tuple[str, ...] = ()
    priority: float = 0.0  # among ready nodes, parallel executors start the highest first


class RunStopped(UserError):
    """A bounded wait ran out mid-run (no live worker for ``--worker-timeout`` s): the run stops, every
    finished record is kept (resume with ``bench run SUITE``); exit code 4, one line naming the wait."""

    exit_code = ExitCode.WAIT_EXPIRED


@dataclass(frozen=True)
class TaskError:
    """A task that could not run to completion through no fault of its own (e.g. its worker died)."""

    reason: str


def independent(fn: Callable[[Any], Any], tasks: Iterable[Any]) -> list[Node]:
    """``tasks`` as a graph without edges (for ``run``)."""
    return [Node(f"task-{i}", fn, task) for i, task in enumerate(tasks)]


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

    def start(self, shared_dirs: Sequence[Path] = ()) -> None:
        """Prepare workers (default: nothing to prepare)."""
        return None

    def close(self) -> None:
        """Release what ``start`` acquired (default: nothing)."""
        return None

    def describe(self) -> str:
        """Where tasks run, in one line."""
        return f"executor: {self.name}, {self.workers} worker(s)"

    @abstractmethod
    def run_graph(self, nodes: Sequence[Node]) -> Iterator[tuple[Node, Any]]:
        """Yield ``(node, result)`` for every node, in completion order."""

    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield ``(task, fn(task))`` for every task, in any order."""
        for node, result in self.run_graph(independent(fn, tasks)):
            yield node.arg, result


class SequentialExecutor(Executor):
    """Runs tasks one after another in this process, in the order given (the default)."""

    name = "sequential"
    supports_progress = True

    def __init__(self, workers: int = 1):
        self.workers = 1

    def run_graph(self, nodes):
        results: dict[str, Any] = {}
        for node in nodes:
            results[node.key] = node.fn(node.arg, *(results[k] for k in node.after))
            yield node, results[node.key]


class ProcessPoolExecutor(Executor):
    """Runs tasks in ``workers`` single-threaded processes, each as soon as its inputs are done.

    Workers are forked from the warm worker server (``bench.run.worker_server``), with torch and
    the cell stages already imported.

    A worker process that dies breaks the pool: it is replaced, and the tasks that were in flight
    are submitted again (at most ``MAX_ATTEMPTS`` runs each, then a ``TaskError``). A worker whose
    heartbeat (``bench.run.heartbeat``) stops for ``stuck_timeout`` seconds (stopped with SIGSTOP,
    frozen) is reported in one line and killed, which is such a death: its task runs again.
    """

    name = "process"
    supports_progress = False

    def __init__(self, workers: int = 2, stuck_timeout: float = STUCK_TIMEOUT_S):
        super().__init__(workers)
        self.stuck_timeout = stuck_timeout
        self._heartbeats: str | None = None

    def _pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            self.workers, mp_context=worker_context(), initializer=worker_init, initargs=(self._heartbeats,)
        )

    def run_graph(self, nodes):
        self._heartbeats = heartbeat_folder()
        try:
            yield from self._run_graph(nodes)
        finally:
            shutil.rmtree(self._heartbeats, ignore_errors=True)

    def _run_graph(self, nodes):
        graph = _Graph(nodes)
        pool, broken = self._pool(), False
        running: dict[cf.Future, Node] = {}
        try:
            while graph.unfinished():
                if broken and not running:  # every task of the broken pool is back: start afresh
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool, broken = self._pool(), False
                if not broken:  # submit only to idle workers, so the highest priority goes next
                    with sigint_deferred():  # workers start on submit; see bench.run.interrupts
                        for node in graph.ready(self.workers - len(running)):
                            running[pool.submit(node.fn, node.arg, *graph.inputs(node))] = node
                if not running:
                    raise RuntimeError("task graph stalled: a node waits on a key that never runs")
                done, _ = cf.wait(running, timeout=HEARTBEAT_CHECK_S, return_when=cf.FIRST_COMPLETED)
                if not done:
                    self._kill_stuck(pool, running)
                for future in done:
                    node, result = running.pop(future), _outcome(future)
                    if isinstance(result, _Broken):
                        broken = True
                        if graph.attempt(node) < MAX_ATTEMPTS:
                            graph.retry(node)
                            continue
                        result = TaskError(result.reason)
                    graph.finish(node, result)
                    yield node, result
        finally:
            if running:  # stopped mid-graph (Ctrl-C, SIGTERM, an error): what runs is never committed
                _kill_workers(pool)
            # joined, not left to finish in the background: the process ends with os._exit, and a
            # pool still closing its queues then leaks their semaphores (the resource tracker warns)
            pool.shutdown(wait=True, cancel_futures=True)

    def _kill_stuck(self, pool: cf.ProcessPoolExecutor, running: dict[cf.Future, Node]) -> None:
        """Kill each worker silent for more than ``stuck_timeout`` s, saying so in one line."""
        processes = dict(getattr(pool, "_processes", None) or {})
        for pid, age in stale(self._heartbeats, processes, self.stuck_timeout).items():
            tasks = ", ".join(sorted(n.key for n in running.values())) or "no task"
            log.warning(
                "process pool: worker pid %d sent no heartbeat for %.0f s (stopped or frozen; "
                "--stuck-timeout %g); killing it, its task runs again on a fresh worker (in flight: %s)",
                pid,
                age,
                self.stuck_timeout,
                tasks,
            )
            with contextlib.suppress(OSError, ValueError):
                processes[pid].kill()


def _kill_workers(pool: cf.ProcessPoolExecutor) -> None:
    """SIGKILL the pool's worker processes, so that none computes on after the driver stopped (a
    driver signalled alone - SIGTERM from a scheduler - would otherwise wait for their cells at exit).
    The standard library has no public call for it before Python 3.14 (``kill_workers``)."""
    processes = list(dict(getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(timeout=5)


@dataclass(frozen=True)
class _Broken:
    reason: str


def _outcome(future: cf.Future) -> Any:
    """The future's result, or ``_Broken`` when the pool lost its worker."""
    try:
        return future.result()
    except cf.process.BrokenProcessPool as exc:
        return _Broken(f"worker process died: {exc}")


class _Graph:
    """Bookkeeping of a task graph run by the driver's own loop: which nodes are ready, done, retried.

    Linear in the graph: each node counts its unfinished inputs, a finished key decrements the
    counters of the nodes waiting on it, and a node whose counter reaches zero enters a heap of
    ready nodes ordered by (higher priority, then graph order; a retried node goes before every
    node of its priority, the latest retry first).
    """

    def __init__(self, nodes: Sequence[Node]):
        self.nodes = list(nodes)
        self.index = {n.key: i for i, n in enumerate(self.nodes)}
        self.results: dict[str, Any] = {}
        self.attempts: dict[str, int] = {}
        self.missing = [len(n.after) for n in self.nodes]  # inputs not finished yet, per node
        self.waiters: dict[str, list[int]] = {}  # key -> indices of the nodes waiting on it
        for i, node in enumerate(self.nodes):
            for key in node.after:
                self.waiters.setdefault(key, []).append(i)
        self.heap: list[tuple[float, int, int]] = []  # (-priority, order, index)
        self.left = len(self.nodes)  # nodes not handed out by ``ready`` (retries count again)
        self.retries = 0
        for i, count in enumerate(self.missing):
            if count == 0:
                self._push(i, i)

    def _push(self, index: int, order: int) -> None:
        heapq.heappush(self.heap, (-self.nodes[index].priority, order, index))

    def unfinished(self) -> bool:
        return self.left > 0 or len(self.results) < len(self.attempts)

    def ready(self, limit: int) -> list[Node]:
        """At most ``limit`` nodes whose inputs are all done, highest priority first (ties in graph
        order), removed from the waiting nodes and counted as an attempt."""
        out = [self.nodes[heapq.heappop(self.heap)[2]] for _ in range(min(max(0, limit), len(self.heap)))]
        self.left -= len(out)
        for node in out:
            self.attempts[node.key] = self.attempts.get(node.key, 0) + 1
        return out

    def inputs(self, node: Node) -> list[Any]:
        return [self.results[k] for k in node.after]

    def attempt(self, node: Node) -> int:
        return self.attempts[node.key]

    def retry(self, node: Node) -> None:
        self.retries += 1
        self.left += 1
        self._push(self.index[node.key], -self.retries)

    def finish(self, node: Node, result: Any) -> None:
        self.results[node.key] = result
        for i in self.waiters.pop(node.key, ()):
            self.missing[i] -= 1
            if self.missing[i] == 0:
                self._push(i, i)
