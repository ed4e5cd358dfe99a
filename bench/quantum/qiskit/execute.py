"""Qiskit-path backends (fake devices, IBM hardware, rehearsals): batched jobs, ledger, budget, ZNE.

``QiskitExecutor.run`` evaluates a circuit on a whole batch: it traces one template
(``bench.quantum.qiskit.circuits``), folds it once per ZNE scale factor, transpiles the
templates once for the device, packs the bindings into as few jobs as
``ibm.max_circuits_per_job`` allows (all scale factors of an item in the same job), and for
billed submitters:

* looks each job up in the ledger first: a job submitted by an earlier (interrupted) run is
  fetched by id, never resubmitted;
* refuses a new submission that would take the suite past its QPU budget (``BudgetExceeded``);
* commits the job id to the ledger immediately after submission, before waiting for results;
* stores the usage the service reports.

Results are memoised per (inputs, weights), so the raw and the ZNE variant of one evaluation
share the same jobs: the raw result is the scale-1 circuit of the mitigated run.
``QiskitBackend`` adapts an executor to the backend contract (``bench.quantum.base.Backend``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import numpy as np
import torch

from bench.quantum.base import Backend, ExecutionStats
from bench.quantum.profiles import BackendProfile
from bench.quantum.qiskit import cost
from bench.quantum.qiskit.ledger import JobLedger


class BudgetExceeded(RuntimeError):
    """A new job would take the suite past its QPU budget (``budget.max_qpu_seconds``)."""


@dataclass(frozen=True)
class ExecutionContext:
    """Where a cell's jobs are recorded and what it may spend."""

    cell_key: str
    ledger_path: str
    jobs_dir: str
    budget_seconds: float | None = None


class QiskitExecutor:
    """Runs batches of one circuit on a fake device or IBM backend (see the module docstring)."""

    def __init__(
        self,
        profile: BackendProfile,
        seed: int,
        context: ExecutionContext | None = None,
        submitter=None,
        memoize: bool = True,
    ):
        self.profile, self.seed, self.context = profile, seed, context
        self._submitter = submitter
        self._memoize = memoize  # False for timing: every call executes
        self._memo: dict[str, dict[str, np.ndarray]] = {}
        self._isa: dict[str, list] = {}  # transpiled templates by weights (inputs only bind values)
        self.stats = ExecutionStats()

    # ------------------------------------------------------------------ public

    @property
    def scales(self) -> list[int]:
        m = self.profile.mitigation
        return [int(round(s)) for s in m.scale_factors] if m is not None else [1]

    def run(self, circuit, n_wires: int, inputs, weights) -> dict[str, np.ndarray]:
        """``{"raw": (B, n), "zne": (B, n)}`` expectation values (``zne`` only with mitigation)."""
        key = _digest(inputs, weights)
        if not self._memoize:
            return self._evaluate(circuit, n_wires, inputs, weights)
        if key not in self._memo:
            self._memo[key] = self._evaluate(circuit, n_wires, inputs, weights)
        return self._memo[key]

    def close(self) -> None:
        if self._submitter is not None:
            self._submitter.close()

    # ------------------------------------------------------------------ internals

    def submitter(self):
        if self._submitter is None:
            from bench.quantum.qiskit.ibm import connect

            self._submitter = connect(self.profile, self.context.jobs_dir if self.context else ".")
        return self._submitter

    def _transpiled(self, template) -> list:
        from qiskit import transpile

        from bench.quantum.qiskit.circuits import folded

        level, seed = self._transpile_settings()
        start = time.perf_counter()
        circuits = [folded(template.circuit, s) for s in self.scales]
        isa = transpile(
            circuits, backend=self.submitter().backend(), optimization_level=level, seed_transpiler=seed
        )
        self.stats.transpile_s += time.perf_counter() - start
        return isa

    def _transpile_settings(self) -> tuple[int, int]:
        p = self.profile
        if p.ibm is not None:
            return p.ibm.optimization_level, p.ibm.seed_transpiler
        return p.noise.optimization_level, p.noise.seed_transpiler

    def _chunks(self, batch: int) -> list[slice]:
        per_job = cost.bindings_per_job(self.profile) if self.profile.ibm is not None else max(batch, 1)
        return [slice(s, min(s + per_job, batch)) for s in range(0, batch, per_job)]

    def _evaluate(self, circuit, n_wires, inputs, weights) -> dict[str, np.ndarray]:
        from bench.quantum.qiskit.circuits import expectations, pubs, trace

        template = trace(circuit, inputs, weights, n_wires)
        structure = _digest(weights) + str(template.values.shape[1])
        if structure not in self._isa:
            self._isa[structure] = self._transpiled(template)
        isa = self._isa[structure]
        submitter = self.submitter()
        ledger = JobLedger(self.context.ledger_path) if submitter.billed and self.context else None
        try:
            start = time.perf_counter()
            chunks = self._chunks(template.batch_size)
            jobs = [
                self._job(submitter, ledger, i, pubs(template, isa, rows), rows)
                for i, rows in enumerate(chunks)
            ]
            per_scale = [[] for _ in self.scales]
            for job, rows in zip(jobs, chunks, strict=True):
                result = job.result()
                self._account_usage(submitter, ledger, job)
                for s in range(len(self.scales)):
                    per_scale[s].append(expectations(result[s], rows.stop - rows.start))
            self.stats.execution_s += time.perf_counter() - start
        finally:
            if ledger is not None:
                ledger.close()
        by_scale = np.stack([np.concatenate(parts, axis=0) for parts in per_scale])  # (S, B, n)
        n_items = template.batch_size
        self.stats.circuits += n_items * len(self.scales)
        self.stats.shots += n_items * len(self.scales) * self.profile.shots
        out = {"raw": by_scale[self.scales.index(1)]}
        if self.profile.mitigation is not None:
            out["zne"] = self._extrapolate(by_scale)
        return out

    def _job(self, submitter, ledger, index: int, job_pubs: list, rows: slice):
        n_items = rows.stop - rows.start
        if ledger is not None:
            known = ledger.jobs_of(self.context.cell_key).get(index)
            if known is not None:
                self.stats.jobs_fetched += 1
                self.stats.job_ids.append(known.job_id)
                self.stats.estimated_seconds += known.estimated_seconds
                return submitter.fetch(known.job_id)
        estimate = cost.job_cost(self.profile, n_items) if self.profile.ibm is not None else cost.ZERO
        if ledger is not None and self.context.budget_seconds is not None:
            spent = ledger.spent_seconds()
            if spent + estimate.qpu_seconds > self.context.budget_seconds:
                cell = self.context.cell_key.split("#")[0]
                raise BudgetExceeded(
                    f"job {index} of {cell} needs ~{estimate.qpu_seconds:.1f} QPU s; {spent:.1f} s already "
                    f"spent of budget.max_qpu_seconds {self.context.budget_seconds:g}"
                )
        job = submitter.submit(job_pubs, self.profile.shots, self.seed)
        self.stats.jobs_submitted += 1
        self.stats.job_ids.append(job.job_id())
        self.stats.estimated_seconds += estimate.qpu_seconds
        if ledger is not None:
            ledger.record_submission(
                self.context.cell_key,
                index,
                job.job_id(),
                submitter.name,
                estimate.circuits,
                estimate.shots,
                estimate.qpu_seconds,
            )
        return job

    def _account_usage(self, submitter, ledger, job) -> None:
        usage = submitter.usage(job)
        if usage is None:
            return
        self.stats.usage_seconds = (self.stats.usage_seconds or 0.0) + usage
        if ledger is not None:
            ledger.record_usage(job.job_id(), usage)

    def _extrapolate(self, by_scale: np.ndarray) -> np.ndarray:
        from bench.quantum.pennylane.noise import extrapolator

        extrapolate, kwargs = extrapolator(self.profile.mitigation)
        s, b, n = by_scale.shape
        flat = extrapolate([float(x) for x in self.scales], by_scale.reshape(s, b * n), **kwargs)
        return np.asarray(flat, dtype=float).reshape(b, n)


def _digest(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
        h.update(str(a.shape).encode())
        h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()


@dataclass(frozen=True)
class QiskitBackend(Backend):
    """The backend contract over a ``QiskitExecutor``; ``variant`` picks ``raw`` or ``zne``.
    Both variants of a profile share one executor (and so its jobs, stats and connection)."""

    name: str
    executor: QiskitExecutor
    variant: str = "raw"

    evaluate_only = True
    differentiable = False

    def execution_stats(self) -> ExecutionStats:
        return self.executor.stats

    @property
    def billed(self) -> bool:
        return self.executor.submitter().billed

    def close(self) -> None:
        self.executor.close()

    @property
    def profile(self) -> BackendProfile:
        return self.executor.profile

    @property
    def circuits_per_input(self) -> int:
        return len(self.executor.scales)

    def probe(self) -> str | None:
        from bench.quantum.qiskit.ibm import probe

        return probe(self.profile)

    def qnode(self, circuit, n_wires: int):
        def run(inputs, weights):
            out = self.executor.run(circuit, n_wires, inputs, weights)[self.variant]
            return tuple(torch.from_numpy(np.ascontiguousarray(out[:, k])) for k in range(out.shape[1]))

        return run
