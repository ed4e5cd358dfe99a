"""Which executor runs a suite, with which workers and options (``python -m bench run``'s flags).

``choose_executor`` turns the command line's executor flags into an ``ExecutorChoice`` whose fields
go into ``RunOptions`` (``executor``, ``workers``, ``executor_options``); every inconsistent or
unusable combination is a ``UserError`` naming the flag. ``auto`` is dask when a Dask cluster is
named (``scheduler``, ``cluster``, ``cluster_config`` or ``$DASK_SCHEDULER_ADDRESS``), else the
process pool with 2+ workers, else sequential; ``workers`` defaults to ``min(2, cores)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.core.errors import UserError

AUTO = "auto"


@dataclass(frozen=True)
class ExecutorChoice:
    """An executor chosen for a run: its registry name, its workers and its constructor options."""

    executor: str
    workers: int
    options: dict[str, Any] = field(default_factory=dict)
    local: bool = False
    """Whether it starts worker processes on this machine (the process pool, a Dask LocalCluster)."""


def default_workers(workers: int | None) -> int:
    """``workers``, or ``min(2, cores)``; ``UserError`` below 1 (0 must not silently mean the default)."""
    if workers is not None and workers < 1:
        raise UserError(f"--workers: must be >= 1 (got {workers})")
    return workers if workers is not None else min(2, os.cpu_count() or 1)


def check_registered(executor: str, shown: str) -> None:
    """``UserError`` (naming ``shown``, the name as given) unless ``executor`` is registered."""
    from bench.core.registry import EXECUTORS

    if executor not in EXECUTORS:
        allowed = ", ".join([AUTO, *EXECUTORS.names()])
        raise UserError(f"--executor: unknown executor '{shown}' (allowed: {allowed})")


def choose_executor(
    executor: str = AUTO,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    cluster: str | None = None,
    cluster_config: Path | None = None,
    dashboard: str | None = ":8787",
    worker_timeout: float = 300.0,
    stuck_timeout: float = 120.0,
) -> ExecutorChoice:
    """The executor of a run (module docstring), checked: registered and usable here (its probe), a
    ``scheduler`` that answers as a Dask scheduler, positive timeouts, Dask options only with
    dask. ``dashboard`` ``None``/``none``/``off`` turns the dashboard of a started cluster off."""
    from bench.core.registry import EXECUTORS
    from bench.run.options import env_scheduler

    count = default_workers(workers)
    named = scheduler or cluster or cluster_config
    if executor == AUTO:
        chosen = "dask" if named or env_scheduler() else ("process" if count > 1 else "sequential")
    elif named and executor != "dask":
        flag = "--scheduler" if scheduler else "--cluster"
        raise UserError(f"{flag}: needs --executor dask (got --executor {executor})")
    else:
        chosen = executor
    check_registered(chosen, executor)
    reason = EXECUTORS.get(chosen).probe()
    if reason:
        raise UserError(f"--executor {chosen}: {reason}")
    if chosen == "dask" and scheduler:  # before anything else: a wrong address is one line, at once
        from bench.run.dask_executor import check_speaks_dask

        check_speaks_dask(scheduler)
    remote = scheduler or cluster or env_scheduler()
    local = chosen == "process" or (chosen == "dask" and not remote)
    waits = bounded_waits(worker_timeout, stuck_timeout)
    if chosen == "dask":
        dask = dask_options(scheduler, cluster, cluster_config, dashboard)
        options = {**dask, "stuck_timeout": stuck_timeout, "worker_timeout": worker_timeout}
    else:
        options = waits if chosen == "process" else {}
    return ExecutorChoice(chosen, count, options, local)


def bounded_waits(worker_timeout: float, stuck_timeout: float) -> dict[str, float]:
    """``{"stuck_timeout": ...}`` after checking both waits are positive seconds."""
    for flag, value in (("--worker-timeout", worker_timeout), ("--stuck-timeout", stuck_timeout)):
        if not value > 0:
            raise UserError(f"{flag}: must be > 0 seconds (got {value:g})")
    return {"stuck_timeout": stuck_timeout}


def dask_options(
    scheduler: str | None, cluster: str | None, cluster_config: Path | None, dashboard: str | None
) -> dict[str, Any]:
    """The Dask executor's options: ``scheduler``, ``cluster``, ``cluster_config``, ``dashboard``."""
    if scheduler and cluster:
        raise UserError("--scheduler and --cluster: give one (an existing scheduler, or a cluster to start)")
    if cluster_config and not cluster:
        raise UserError("--cluster-config: needs --cluster slurm|pbs|sge")
    if cluster_config and not Path(cluster_config).is_file():
        raise UserError(f"--cluster-config: no such file {cluster_config}")
    off = dashboard is None or str(dashboard).lower() in ("none", "off", "")
    return {
        "scheduler": scheduler,
        "cluster": cluster,
        "cluster_config": cluster_config,
        "dashboard": None if off else dashboard,
    }


def start_local_workers(choice: ExecutorChoice) -> None:
    """Start the worker server of an executor with local workers now, so that its imports overlap
    loading and planning the suite (``bench.run.worker_server``); nothing for the others."""
    if choice.local:
        from bench.run.worker_server import start_worker_server

        start_worker_server(dask=choice.executor == "dask")


def planned_executor(executor: str = AUTO, workers: int | None = None) -> tuple[str, int]:
    """``(executor, workers)`` a plain ``run`` would use (``auto``: dask with
    ``$DASK_SCHEDULER_ADDRESS``, else the process pool on 2+ workers); sequential has 1 worker."""
    from bench.run.options import env_scheduler

    count = default_workers(workers)
    chosen = executor
    if executor == AUTO:
        chosen = "dask" if env_scheduler() else ("process" if count > 1 else "sequential")
    check_registered(chosen, chosen)
    return chosen, 1 if chosen == "sequential" else count
