"""The driver loop's own cost: ``ProcessPoolExecutor.run_graph`` over no-op tasks.

The graph has a run's shape (``bench.run.tasks``): one features node per dataset, one backbone
node per dataset x seed after it, then cells after their backbone, in groups of ``group`` cells
sharing a head (the trainer after the backbone, the others after the trainer), with the priorities
``with_priorities`` gives. The pool is replaced by one that runs each task inline the moment it is
submitted, so the CPU measured is the driver's bookkeeping alone: which nodes are ready, in which
order, and handing results back - what grows with the number of nodes. A real pool adds a constant
cost per task (pickling, a pipe round trip) on top, and the workers' time is not the driver's.

``python benchmarks/scheduler_loop.py`` prints driver CPU per node at 1k, 10k and 50k nodes.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.run.executors import Node, ProcessPoolExecutor
from bench.run.tasks import with_priorities


def no_op(arg: Any, *inputs: Any) -> Any:
    """A task doing nothing; its result is its argument."""
    return arg


def synthetic_graph(n_nodes: int, datasets: int = 2, seeds: int = 5, group: int = 3) -> list[Node]:
    """About ``n_nodes`` nodes (exactly, when ``n_nodes`` exceeds the preparation nodes) shaped
    like a run's task graph, in dependency order, with priorities."""
    nodes = [Node(f"features-{d}", no_op, d) for d in range(datasets)]
    backbones = [f"backbone-{d}-{s}" for d in range(datasets) for s in range(seeds)]
    nodes += [Node(k, no_op, k, (f"features-{k.split('-')[1]}",)) for k in backbones]
    trainer = ""
    for i in range(max(0, n_nodes - len(nodes))):
        after = (backbones[i % len(backbones)],) if i % group == 0 else (trainer,)
        nodes.append(Node(f"cell-{i}", no_op, i, after))
        trainer = nodes[-1].key if i % group == 0 else trainer
    return with_priorities(nodes)


class InlinePool(cf.Executor):
    """A ``concurrent.futures`` executor that runs each task at once, in the caller's thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:
        future: cf.Future = cf.Future()
        future.set_result(fn(*args, **kwargs))
        return future


class InlinePoolExecutor(ProcessPoolExecutor):
    """The process-pool executor's driver loop with tasks run inline (no processes)."""

    name = "inline-benchmark"

    def _pool(self) -> cf.Executor:
        return InlinePool()


@dataclass(frozen=True)
class LoopTiming:
    """Driver CPU of one graph run through the loop."""

    nodes: int
    cpu_s: float

    @property
    def ms_per_node(self) -> float:
        return 1000 * self.cpu_s / self.nodes


def time_driver_loop(nodes: Sequence[Node], workers: int = 2) -> LoopTiming:
    """CPU seconds of running ``nodes`` through the driver loop (every result consumed)."""
    executor = InlinePoolExecutor(workers)
    t0 = time.process_time()
    finished = sum(1 for _ in executor.run_graph(nodes))
    cpu = time.process_time() - t0
    if finished != len(nodes):
        raise RuntimeError(f"the loop yielded {finished} of {len(nodes)} nodes")
    return LoopTiming(len(nodes), cpu)


def scheduler_benchmark(sizes: Sequence[int], workers: int = 2) -> list[LoopTiming]:
    """One ``LoopTiming`` per graph size."""
    return [time_driver_loop(synthetic_graph(n), workers) for n in sizes]
