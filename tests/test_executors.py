"""Executors run a task graph: a node after its inputs, results as they finish, dead workers retried.

Task functions live here and import nothing heavy.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import random
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from bench.run.executors import MAX_ATTEMPTS, Node, ProcessPoolExecutor, SequentialExecutor, TaskError
from bench.run.worker_server import worker_method
from bench.timing.scheduler_benchmark import InlinePool, InlinePoolExecutor


def add(arg: tuple[int, float], *inputs: int) -> int:
    value, sleep = arg
    time.sleep(sleep)
    return value + sum(inputs)


def die_until(arg: tuple[str, int], *inputs) -> str:
    """Kill this worker process until ``arg[1]`` attempts have been made (counted in file ``arg[0]``)."""
    counter, survive_at = Path(arg[0]), arg[1]
    n = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(n))
    if n < survive_at:
        os._exit(1)
    return f"ran {n}"


def count_inputs(arg, *inputs) -> int:
    return len(inputs)


def graph() -> list[Node]:
    return [
        Node("slow", add, (1, 1.0)),
        Node("fast", add, (10, 0.0)),
        Node("after-fast", add, (100, 0.0), ("fast",)),
        Node("after-both", add, (1000, 0.0), ("slow", "after-fast")),
    ]


@pytest.mark.parametrize(
    "executor", [SequentialExecutor(), ProcessPoolExecutor(2)], ids=["sequential", "process"]
)
def test_nodes_get_their_inputs(executor):
    results = {node.key: result for node, result in executor.run_graph(graph())}
    assert results == {"slow": 1, "fast": 10, "after-fast": 110, "after-both": 1111}


def test_pool_yields_a_node_as_soon_as_it_is_done_and_starts_dependents_without_a_barrier():
    order = [node.key for node, _ in ProcessPoolExecutor(2).run_graph(graph())]
    assert order.index("after-fast") < order.index("slow")  # did not wait for the slow, unrelated node
    assert order[-1] == "after-both"


def test_pool_replaces_a_dead_worker_and_reruns_its_task(tmp_path):
    nodes = [Node("flaky", die_until, (str(tmp_path / "n"), 2)), Node("next", count_inputs, None, ("flaky",))]
    results = {n.key: r for n, r in ProcessPoolExecutor(2).run_graph(nodes)}
    assert results == {"flaky": "ran 2", "next": 1}


def test_pool_gives_up_after_max_attempts_and_dependents_still_run(tmp_path):
    nodes = [
        Node("doomed", die_until, (str(tmp_path / "n"), MAX_ATTEMPTS + 1)),
        Node("next", die_until, (str(tmp_path / "m"), 1), ("doomed",)),
    ]
    results = {n.key: r for n, r in ProcessPoolExecutor(1).run_graph(nodes)}
    assert isinstance(results["doomed"], TaskError) and "worker process died" in results["doomed"].reason
    assert (tmp_path / "n").read_text() == str(MAX_ATTEMPTS)
    assert results["next"] == "ran 1"


def loaded(arg, *inputs) -> list[str]:
    """Which heavy modules this worker had imported before the task ran (the task imports none)."""
    import sys

    return [name for name in ("torch", "bench.run.tasks", "pennylane") if name in sys.modules]


@pytest.mark.skipif(worker_method() != "forkserver", reason="no forkserver here: workers are spawned")
def test_pool_workers_start_with_the_cell_stages_imported():
    [(_, modules)] = list(ProcessPoolExecutor(1).run_graph([Node("probe", loaded, None)]))
    assert modules == ["torch", "bench.run.tasks", "pennylane"]


@pytest.mark.parametrize("workers", [1, 2])
def test_pool_starts_the_ready_node_of_highest_priority_first(workers):
    """The order the driver submits in (a loaded machine may start or finish them out of order)."""
    gate = Node("gate", add, (0, 0.2))  # everything below becomes ready at once
    nodes = [gate] + [Node(f"p{p}", add, (p, 0.3), ("gate",), priority=p) for p in (1, 5, 3, 4)]
    submitted: list[int] = []

    class Logging(ProcessPoolExecutor):
        def _pool(self):
            pool = super()._pool()
            submit = pool.submit
            pool.submit = lambda fn, arg, *inputs: submitted.append(arg[0]) or submit(fn, arg, *inputs)
            return pool

    results = {node.key: r for node, r in Logging(workers).run_graph(nodes)}
    assert results == {"gate": 0, "p1": 1, "p3": 3, "p4": 4, "p5": 5}
    if workers == 1:
        assert submitted == [0, 5, 4, 3, 1]
    else:  # two at a time: the two highest first, in either order
        assert submitted[0] == 0 and set(submitted[1:3]) == {5, 4} and set(submitted[3:]) == {3, 1}


class _RescanScheduler:
    """The reference order (the scheduler before it kept a heap): rescan every waiting node, take the
    ready ones of highest priority, ties in graph order, a retried node first."""

    def __init__(self, nodes):
        self.waiting, self.done = list(nodes), set()

    def ready(self, limit):
        out = [n for n in self.waiting if all(k in self.done for k in n.after)]
        out = sorted(out, key=lambda n: -n.priority)[:limit]
        self.waiting = [n for n in self.waiting if n not in out]
        return out


def random_graph(rng, n: int) -> list[Node]:
    nodes = []
    for i in range(n):
        after = tuple(sorted({f"n{rng.randrange(i)}" for _ in range(rng.randrange(3))})) if i else ()
        nodes.append(Node(f"n{i}", count_inputs, i, after, priority=float(rng.choice([0, 1, 1, 2, 3.5]))))
    return nodes


class _RecordingPool(InlinePool):
    """Runs tasks inline and logs their order; a task in ``die_once`` breaks the pool on its first run."""

    def __init__(self, log, die_once):
        self.log, self.die_once = log, die_once

    def submit(self, fn, /, *args, **kwargs):
        self.log.append(args[0])
        if args[0] in self.die_once:
            self.die_once.discard(args[0])
            future = cf.Future()
            future.set_exception(BrokenProcessPool("died"))
            return future
        return super().submit(fn, *args, **kwargs)


@pytest.mark.parametrize("workers", [1, 3])
@pytest.mark.parametrize("seed", range(6))
def test_the_driver_starts_nodes_in_the_reference_order(workers, seed):
    """Same start order as rescanning the waiting nodes on every completion, on random graphs with
    tied priorities (a node breaking the pool once is retried, ahead of its priority's other nodes)."""
    rng = random.Random(seed)
    nodes = random_graph(rng, 60)
    die_once = set(rng.sample(range(60), 3)) if workers == 1 else set()
    log: list[int] = []

    class Recording(InlinePoolExecutor):
        dies = set(die_once)

        def _pool(self):
            return _RecordingPool(log, self.dies)

    results = dict((n.key, r) for n, r in Recording(workers).run_graph(nodes))
    assert results == {n.key: len(n.after) for n in nodes}
    expected, ref, dead = [], _RescanScheduler(nodes), set(die_once)
    while ref.waiting:
        batch = ref.ready(workers)
        for node in batch:
            expected.append(node.arg)
            if node.arg in dead:  # broken: back at the front, after the others in flight finish
                dead.discard(node.arg)
                ref.waiting.insert(0, node)
            else:
                ref.done.add(node.key)
    assert log == expected
