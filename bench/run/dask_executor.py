"""The Dask executor: a task graph on a Dask cluster (local, an existing scheduler, or Slurm/PBS/SGE).

Which cluster (first that applies):

* ``scheduler`` (``--scheduler tcp://HOST:PORT``, or ``DASK_SCHEDULER_ADDRESS``): connect to a
  running scheduler; its workers must be single-threaded (``dask worker ... --nthreads 1``).
* ``cluster`` (``--cluster slurm|pbs|sge``): a dask-jobqueue cluster that submits worker jobs and
  scales them to the work (adaptive, at most ``workers``). Its options come from ``cluster_config``
  (a YAML mapping of the dask-jobqueue class's keyword arguments) or from dask's own
  ``jobqueue.<kind>`` configuration. Each job runs single-threaded workers (cores == processes).
* otherwise a ``LocalCluster`` of ``workers`` single-threaded worker processes.

A cluster this executor starts, it closes (also on Ctrl-C). Every node of the graph becomes a Dask
future whose arguments include the futures of the nodes it waits for, so Dask starts it as soon as
they are done. Before any task runs, every worker checks that it sees the run's shared directories
(the cache) as the driver does, and that it has one thread; each task checks again on the worker
that runs it (workers of an adaptive cluster join later). A failed check stops the run with one
line (``UserError``). A worker that dies mid-task: Dask re-runs the task elsewhere; after
``MAX_ATTEMPTS`` runs the node's result is a ``TaskError`` (clusters this executor starts; an
existing scheduler uses its own ``distributed.scheduler.allowed-failures``).

Dask is imported lazily: without it, ``probe()`` gives the reason and ``start`` fails with one line
naming the extra to install.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.core.errors import UserError
from bench.run.executors import (
    MAX_ATTEMPTS,
    STUCK_TIMEOUT_S,
    WORKER_TIMEOUT_S,
    Executor,
    Node,
    RunStopped,
    TaskError,
    independent,
)
from bench.run.interrupts import sigint_ignored_by_children
from bench.run.options import env_scheduler
from bench.run.worker_server import start_worker_server, worker_method

INSTALL_HINT = 'pip install -e ".[dask]"'
JOBQUEUE_CLASSES = {"slurm": "SLURMCluster", "pbs": "PBSCluster", "sge": "SGECluster"}
PROBE_NAME = ".qhead-shared-check"
CONNECT_TIMEOUT_S = 30
HANDSHAKE_TIMEOUT_S = 5.0  # a Dask scheduler greets a new connection at once; silence means another server
MAX_HANDSHAKE_BYTES = 1 << 20
WATCH_EVERY_S = 1.0  # how often a waiting run asks the scheduler how many workers it has
RESULT_POLL_S = 1.0  # how long a finished future's result is awaited before the worker watch is asked again
SEE_RETRY_S = 5.0  # a worker retries a missing probe file this long (NFS attribute caching)


# Dask settings of a cluster this executor starts (its nannies hand them to the workers): bounded
# re-runs of a killed worker's tasks; no statistical profiler - sampling the deep torch/PennyLane
# stacks every 10 ms cost ~50 % more CPU in the executor benchmark (the dashboard's Profile page
# stays empty); the event-loop health tick every second instead of every 20 ms - it only measures
# how late the loop runs, and at 50 Hz it cost a 2-worker LocalCluster ~1.6 CPU s per idle 20 s
# (0.6 s at 1 Hz), taken from the cells on a small machine.
CLUSTER_CONFIG = {
    "distributed.scheduler.allowed-failures": MAX_ATTEMPTS - 1,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
}


class WorkerSetupError(Exception):
    """A worker cannot run cells correctly (cannot see the cache, or is multi-threaded)."""


def probe() -> str | None:
    """``None`` when Dask distributed is importable, else a one-line reason naming the extra."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return f"dask.distributed is not installed; install the extra: {INSTALL_HINT}"
    return None


def jobqueue_probe() -> str | None:
    """``None`` when dask-jobqueue is importable, else a one-line reason."""
    from bench.run.interrupts import keeping_ctrl_c

    try:
        with keeping_ctrl_c():  # its import replaces the SIGINT handler with a silent exit(0)
            import dask_jobqueue  # noqa: F401
    except ImportError:
        return f"dask-jobqueue is not installed; install the extra: {INSTALL_HINT}"
    return None


def worker_problem(tokens: dict[str, str], nthreads: int | None) -> str | None:
    """On a worker: why it cannot run cells, or ``None``. ``tokens`` maps each shared directory to
    the content of the probe file the driver wrote there; ``nthreads`` is the worker's thread count."""
    if nthreads is not None and nthreads != 1:
        return f"has {nthreads} threads; start workers with one thread (dask worker --nthreads 1)"
    for directory, token in tokens.items():
        path = Path(directory) / PROBE_NAME
        deadline = time.monotonic() + SEE_RETRY_S
        while (seen := _read(path)) != token and time.monotonic() < deadline:
            time.sleep(0.5)
        if seen != token:
            what = "does not see" if seen is None else "sees a different"
            return (
                f"{what} directory {directory} (the driver's probe file is not there); "
                "--cache-dir and --reports-dir must be on a filesystem every worker shares, at the same path"
            )
    return None


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _check_on_worker(tokens: dict[str, str], dask_worker=None) -> str | None:
    return worker_problem(tokens, dask_worker.state.nthreads if dask_worker is not None else None)


def guarded(tokens: dict[str, str], fn, arg, *after):
    """The task as Dask runs it: check this worker, then ``fn(arg, *after)``."""
    from distributed import get_worker

    worker = get_worker()
    problem = worker_problem(tokens, worker.state.nthreads)
    if problem:
        raise WorkerSetupError(f"worker {worker.address} {problem}")
    return fn(arg, *after)


def check_speaks_dask(address: str, timeout_s: float = HANDSHAKE_TIMEOUT_S) -> None:
    """Raise ``UserError`` (one line) unless a Dask scheduler answers at TCP ``address``.

    A scheduler writes its handshake as soon as it accepts a connection: an 8-byte length, then
    the message. A server that says nothing (an HTTP server waits for a request) or whose first
    bytes are no such length (a banner) is not one; Dask's own client would wait on it forever.
    Addresses of other transports (``tls://``, ``ucx://``, ``inproc://``) are not checked.
    """
    import socket
    import struct

    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp"):
        return
    host, _, port = rest.rpartition(":")
    if not port.isdigit():
        raise UserError(f"--scheduler {address}: expected tcp://HOST:PORT")
    try:
        with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout_s) as sock:
            head = _read_exactly(sock, 8)
    except TimeoutError:
        raise UserError(
            f"--scheduler {address}: accepted the connection but sent no Dask handshake in "
            f"{timeout_s:g} s (not a Dask scheduler: another server listens there)"
        ) from None
    except OSError as exc:
        raise UserError(f"--scheduler {address}: cannot reach it ({exc.strerror or exc})") from None
    size = struct.unpack("<Q", head)[0] if len(head) == 8 else 0
    if not 0 < size <= MAX_HANDSHAKE_BYTES:
        raise UserError(
            f"--scheduler {address}: not a Dask scheduler (it answered {head!r} instead of a Dask handshake)"
        )


def _read_exactly(sock, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


class WorkerWatch:
    """The clock of a run waiting on Dask: stops the run after ``timeout_s`` s with no live worker.

    ``check()`` is called while the run waits; at most every ``WATCH_EVERY_S`` s it asks the
    scheduler for its workers. Any live worker resets the clock, and so does a cluster manager
    (dask-jobqueue) that still has worker jobs requested but not joined (pending in the queue:
    waiting for the queue is not waiting for a lost worker). When the clock runs out, or the
    scheduler cannot be asked for that long, ``RunStopped`` names what the run waited for.
    """

    def __init__(self, client, where: str, timeout_s: float, cluster=None):
        self.client, self.where, self.timeout_s, self.cluster = client, where, timeout_s, cluster
        self.since = self.asked = time.monotonic()
        self.error: str | None = None

    def check(self, waiting: int) -> None:
        now = time.monotonic()
        if now - self.asked < WATCH_EVERY_S:
            return
        self.asked = now
        if self._live_workers() or self._jobs_pending():
            self.since, self.error = now, None
        elif now - self.since > self.timeout_s:
            why = f"the scheduler did not answer ({self.error})" if self.error else "no live Dask worker"
            raise RunStopped(
                f"dask {self.where}: {why} for {self.timeout_s:g} s (--worker-timeout) with {waiting} "
                "task(s) waiting; finished cells are saved, `bench run SUITE` resumes"
            )

    def _live_workers(self) -> int:
        try:
            return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))
        except Exception as exc:  # a dead scheduler: the clock runs
            self.error = f"{type(exc).__name__}: {exc}"
            return 0

    def _jobs_pending(self) -> bool:
        return (
            self.cluster is not None
            and hasattr(self.cluster, "job_script")
            and bool(self.cluster.worker_spec)
        )


def load_cluster_config(path: Path | None, kind: str) -> dict[str, Any]:
    """Keyword arguments for the dask-jobqueue class of ``kind`` from YAML file ``path`` (None: {}).

    Unknown keys fail naming the file, the key and the allowed keys; ``cores`` must equal
    ``processes`` (``processes`` defaults to ``cores``) so each worker is one single-threaded process.
    """
    if path is None:
        return {}
    from bench.spec.yaml_source import load_yaml

    data = load_yaml(Path(path))[0] or {}  # UTF-8 YAML, no duplicate keys; errors name file, line, byte
    if not isinstance(data, dict):
        raise UserError(f"{path}: a cluster config is a mapping of {JOBQUEUE_CLASSES[kind]} options")
    allowed = jobqueue_options(kind)
    for key in data:
        if key not in allowed:
            raise UserError(
                f"{path}: unknown key '{key}' for dask_jobqueue.{JOBQUEUE_CLASSES[kind]} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )
    return data


def jobqueue_options(kind: str) -> set[str]:
    """Keyword arguments the dask-jobqueue cluster class of ``kind`` (and its job class) accepts."""
    cls = _jobqueue_class(kind)
    names = set()
    for fn in (cls.__init__, cls.job_cls.__init__, cls.job_cls.__mro__[1].__init__):
        names |= {p for p in inspect.signature(fn).parameters if p not in ("self", "args", "kwargs")}
    return names - {"job_cls", "loop", "asynchronous", "n_workers", "scheduler", "name", "dashboard_address"}


def _jobqueue_class(kind: str):
    if kind not in JOBQUEUE_CLASSES:
        raise UserError(f"--cluster: unknown cluster '{kind}' (allowed: {', '.join(JOBQUEUE_CLASSES)})")
    reason = jobqueue_probe()
    if reason:
        raise UserError(f"--cluster {kind}: {reason}")
    import dask_jobqueue

    return getattr(dask_jobqueue, JOBQUEUE_CLASSES[kind])


def jobqueue_cluster(kind: str, config: dict[str, Any], dashboard: str | None = None):
    """A dask-jobqueue cluster of ``kind`` (no job submitted yet) with single-threaded workers;
    ``dashboard`` is the address of its scheduler's dashboard (None: dask's default)."""
    import dask

    cls = _jobqueue_class(kind)
    options = dict(config)
    if dashboard:
        options["scheduler_options"] = {
            **options.get("scheduler_options", {}),
            "dashboard_address": dashboard,
        }
    cores = options.get("cores", dask.config.get(f"jobqueue.{kind}.cores", None))
    processes = options.get("processes", dask.config.get(f"jobqueue.{kind}.processes", None)) or cores
    if cores is not None and processes != cores:
        raise UserError(
            f"--cluster {kind}: cores ({cores}) must equal processes ({processes}): "
            "each worker is one single-threaded process"
        )
    if cores is not None:
        options["processes"] = processes
    try:
        return cls(**options)
    except (TypeError, ValueError) as exc:
        raise UserError(f"--cluster {kind}: {' '.join(str(exc).split())}") from exc


class DaskExecutor(Executor):
    """Runs task graphs on a Dask cluster: a LocalCluster, an existing scheduler, or Slurm/PBS/SGE jobs
    (see the module docstring)."""

    name = "dask"
    supports_progress = False
    test_params = {"workers": 1, "dashboard": None}

    def __init__(
        self,
        workers: int = 2,
        scheduler: str | None = None,
        cluster: str | None = None,
        cluster_config: str | Path | None = None,
        dashboard: str | None = ":8787",
        worker_timeout: float = WORKER_TIMEOUT_S,
        stuck_timeout: float = STUCK_TIMEOUT_S,
    ):
        super().__init__(workers)
        self.worker_timeout, self.stuck_timeout = worker_timeout, stuck_timeout
        self.scheduler = scheduler or env_scheduler()
        self.cluster_kind = cluster
        self.cluster_config = Path(cluster_config) if cluster_config else None
        self.dashboard = dashboard
        self.client = None
        self._cluster = None  # a cluster this executor started (and closes)
        self._tokens: dict[str, str] = {}
        self._run_token = uuid.uuid4().hex[:8]

    @classmethod
    def probe(cls) -> str | None:
        return probe()

    def describe(self) -> str:
        if self.client is None:
            return "dask (not started)"
        where = self.scheduler or (self.cluster_kind or "LocalCluster")
        n = len(self.client.scheduler_info(n_workers=-1).get("workers", {}))
        if not (self.scheduler or self.dashboard):
            link = "off (--dashboard none)"
        else:
            link = self.client.dashboard_link if self._has_dashboard() else "none (pip install bokeh)"
        return f"dask: {where}, {n} worker(s) now; dashboard {link}"

    def _has_dashboard(self) -> bool:
        """Whether the cluster serves a dashboard: one was asked for and bokeh is installed."""
        try:
            import bokeh  # noqa: F401
        except ImportError:
            return False
        return bool(self.scheduler or self.dashboard)

    def start(self, shared_dirs: Sequence[Path] = ()) -> None:
        """Connect or start the cluster; check every current worker (see the module docstring)."""
        reason = probe()
        if reason:
            raise UserError(f"--executor dask: {reason}")
        if self.client is None:
            self.client = self._connect()
        self._tokens = _write_tokens(shared_dirs, self._run_token)
        problems = self.client.run(_check_on_worker, self._tokens, on_error="return")
        for address, problem in sorted(problems.items()):
            if isinstance(problem, BaseException):
                problem = f"failed the check: {type(problem).__name__}: {problem}"
            if problem:
                self.close()
                raise UserError(f"dask worker {address} {problem}")

    def _connect(self):
        import dask
        from distributed import Client, LocalCluster

        if self.scheduler:
            check_speaks_dask(self.scheduler)
            try:
                client = Client(self.scheduler, timeout=CONNECT_TIMEOUT_S)
            except (OSError, ValueError) as exc:
                raise UserError(f"--scheduler: cannot reach {self.scheduler}: {exc}") from exc
            try:
                client.wait_for_workers(1, timeout=self.worker_timeout)
            except TimeoutError as exc:
                client.close()
                raise UserError(
                    f"--scheduler: no worker joined {self.scheduler} in {self.worker_timeout:g} s "
                    "(--worker-timeout)"
                ) from exc
            return client
        dashboard = self.dashboard if self._has_dashboard() else None
        # a worker without a heartbeat for the stuck timeout (SIGSTOP, frozen) is removed by the
        # scheduler and its tasks run elsewhere
        ttl = {"distributed.scheduler.worker-ttl": f"{self.stuck_timeout:g}s"}
        with dask.config.set({**CLUSTER_CONFIG, **ttl}):
            if self.cluster_kind:
                config = load_cluster_config(self.cluster_config, self.cluster_kind)
                self._cluster = jobqueue_cluster(self.cluster_kind, config, dashboard)
                self._cluster.adapt(minimum=0, maximum=self.workers)
            else:
                start_worker_server(dask=True)
                local = {"distributed.worker.multiprocessing-method": worker_method()}
                with dask.config.set(local), sigint_ignored_by_children():
                    self._cluster = LocalCluster(
                        n_workers=self.workers,
                        threads_per_worker=1,
                        processes=True,
                        host="127.0.0.1",
                        dashboard_address=dashboard,
                        # a worker's heartbeat racing the scheduler's close (Ctrl-C, the end of a
                        # run) logs an ERROR with a traceback; what matters reaches the driver
                        # through the futures, so only critical messages are shown
                        silence_logs=logging.CRITICAL,
                    )
        return Client(self._cluster)

    def close(self) -> None:
        """Remove the probe files; close the client, and the cluster if this executor started it."""
        for directory in self._tokens:
            (Path(directory) / PROBE_NAME).unlink(missing_ok=True)
        self._tokens = {}
        client, cluster, self.client, self._cluster = self.client, self._cluster, None, None
        for closable in (client, cluster):
            if closable is not None:
                with contextlib.suppress(Exception):  # closing after a failure must not hide it
                    closable.close(timeout=10)

    def run_graph(self, nodes: Sequence[Node]):
        if self.client is None:
            self.start()
        where = self.scheduler or (self.cluster_kind or "LocalCluster")
        watch = WorkerWatch(self.client, where, self.worker_timeout, self._cluster)
        yield from _DaskRun(self.client, self._tokens, self._run_token, watch).run(nodes)

    def run(self, fn, tasks):
        own = self.client is None
        try:
            for node, result in self.run_graph(independent(fn, tasks)):
                yield node.arg, result
        finally:
            if own:
                self.close()


def _write_tokens(directories: Sequence[Path], token: str) -> dict[str, str]:
    tokens = {}
    for directory in directories:
        directory = Path(directory).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        content = f"{token} {uuid.uuid4().hex}"
        (directory / PROBE_NAME).write_text(content)
        tokens[str(directory)] = content
    return tokens


class _DaskRun:
    """One graph on a client: submit every node with its input futures, yield results as they finish.

    A future that errored because an input errored is submitted once more, after that input's
    own resubmission if it had one (so cells sharing a head still wait for one trainer), and
    without the inputs that failed for good; any other error is the node's ``TaskError``.
    """

    def __init__(self, client, tokens: dict[str, str], run_token: str, watch: WorkerWatch | None = None):
        self.client, self.tokens, self.run_token, self.watch = client, tokens, run_token, watch
        self.node_of: dict[str, Node] = {}  # Dask key -> node
        self.current: dict[str, Any] = {}  # node key -> its latest future (None once its result is out)
        self.inputs: dict[str, list] = {}  # Dask key -> the futures it was submitted with
        self.handled: set[str] = set()  # Dask keys of errored futures already dealt with
        self.resubmitted: set[str] = set()
        self.pending = None

    def submit(self, node: Node, inputs: list):
        key = f"{node.key}-{self.run_token}-{len(self.node_of)}"
        future = self.client.submit(
            guarded, self.tokens, node.fn, node.arg, *inputs, key=key, pure=False, priority=node.priority
        )
        self.node_of[future.key], self.current[node.key] = node, future
        self.inputs[future.key] = [f for f in inputs if not isinstance(f, TaskError)]
        return future

    def run(self, nodes: Sequence[Node]):
        from distributed import as_completed

        submitted = [self.submit(node, [self.current[k] for k in node.after]) for node in nodes]
        self.pending = as_completed(submitted)
        try:
            for future in self._completed():
                if future.key in self.handled:
                    continue
                node = self.node_of[future.key]
                if future.status == "finished":
                    result = self._result(future)
                    self.current[node.key] = None  # release it (dependents still hold it while they wait)
                    self.inputs.pop(future.key, None)
                    yield node, result
                    continue
                failures: list[tuple[Node, TaskError]] = []
                self._settle(future, failures)
                yield from failures
        finally:
            live = [f for f in self.current.values() if f is not None]
            with contextlib.suppress(Exception):  # the client may be gone already (Ctrl-C)
                self.client.cancel(live, force=True)

    def _result(self, future):
        """``future``'s result. Its data lives on the worker that computed it: if that worker dies
        before the result is fetched, the scheduler recomputes it, so wait with the worker watch's
        clock running (a bare ``future.result()`` waited for ever once every worker was gone)."""
        while True:
            try:
                return future.result(timeout=RESULT_POLL_S)
            except TimeoutError:
                if self.watch is not None:
                    self.watch.check(self.pending.count() + 1)

    def _completed(self):
        """The futures as they finish; while none does, the worker watch's clock runs."""
        while not self.pending.is_empty():
            batch = self.pending.next_batch(block=False)
            if not batch:
                if self.watch is not None:
                    self.watch.check(self.pending.count())
                time.sleep(0.05)
            yield from batch

    def _settle(self, future, failures: list) -> None:
        """Deal once with errored ``future`` (after its errored inputs): resubmit it or fail it."""
        if future.key in self.handled:
            return
        self.handled.add(future.key)
        exc = future.exception() if future.status == "error" else None
        if isinstance(exc, WorkerSetupError):
            raise UserError(f"dask {exc}")
        node = self.node_of[future.key]
        errored = [f for f in self.inputs.get(future.key, []) if f.status in ("error", "cancelled")]
        for f in errored:
            self._settle(f, failures)
        if errored and node.key not in self.resubmitted:
            self.resubmitted.add(node.key)
            inputs = [self._usable(self.current[k]) for k in node.after]
            self.pending.add(self.submit(node, inputs))
            return
        failures.append((node, TaskError(_reason(future))))

    @staticmethod
    def _usable(future):
        if future is None or future.status in ("error", "cancelled"):
            return TaskError("input failed")
        return future


def _reason(future) -> str:
    if future.status == "cancelled":
        return "task cancelled by the Dask scheduler"
    exc = future.exception()
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
