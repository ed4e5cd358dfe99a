"""Executors run a task graph: a node after its inputs, results as they finish, dead workers retried.

Task functions live here and import nothing heavy.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bench.run.executors import MAX_ATTEMPTS, Node, ProcessPoolExecutor, SequentialExecutor, TaskError
from bench.run.worker_server import worker_method


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
    gate = Node("gate", add, (0, 0.2))  # everything below becomes ready at once
    nodes = [gate] + [Node(f"p{p}", add, (p, 0.3), ("gate",), priority=p) for p in (1, 5, 3, 4)]
    order = [node.key for node, _ in ProcessPoolExecutor(workers).run_graph(nodes)]
    if workers == 1:
        assert order == ["gate", "p5", "p4", "p3", "p1"]
    else:  # two at a time: the two highest first, in either order
        assert set(order[1:3]) == {"p5", "p4"} and set(order[3:]) == {"p3", "p1"}
