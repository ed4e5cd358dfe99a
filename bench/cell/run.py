"""Run one cell: a pure function from the cell spec to a ``Record``.

The suite's ``backbone.protocol`` picks a ``ProtocolRunner`` (``frozen``: ``bench.cell.frozen``;
``finetune``: ``bench.cell.finetune``). Each fills the blank record it is given and returns it.
Training only ever sees the train and val splits; the test split is scored after selection. Any
exception becomes a ``failed`` record carrying the error; it never propagates.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Protocol

from bench.cell.finetune import run_finetune
from bench.cell.frozen import run_frozen
from bench.cell.loop import EpochCallback
from bench.core.layout import DEFAULT_REPORTS, SuiteLayout
from bench.plan.grid import Cell
from bench.results.cache import Cache
from bench.results.record import Record


class ProtocolRunner(Protocol):
    """Computes a cell under one protocol, filling ``record``; may raise (``run_cell`` catches)."""

    def __call__(
        self,
        cell: Cell,
        cache: Cache,
        record: Record,
        on_epoch: EpochCallback | None,
        jobs_path: str | Path | None,
    ) -> Record: ...


PROTOCOLS: dict[str, ProtocolRunner] = {"frozen": run_frozen, "finetune": run_finetune}


def blank_record(cell: Cell, status: str = "ok", error: str | None = None) -> Record:
    """The record of ``cell`` before anything is computed: its identity, spec and ``status``."""
    return Record(
        key=cell.key,
        status=status,
        error=error,
        dataset=cell.dataset.label,
        head=cell.head.label,
        n_qubits=cell.n_qubits,
        n_layers=cell.n_layers,
        backend=cell.backend,
        seed=cell.seed,
        fold=cell.fold.number if cell.fold is not None else None,
        spec=cell.spec,
        trained_on=cell.trained_on,
        protocol=cell.suite.backbone.protocol,
        control=cell.control,
        treatment=cell.treatment,
    )


def failed_record(cell: Cell, error: str) -> Record:
    """The record of ``cell`` failed with ``error`` (for failures outside the cell, e.g. its worker died)."""
    return blank_record(cell, "failed", error)


def run_cell(cell: Cell, cache: Cache, on_epoch: EpochCallback | None = None, jobs_path=None) -> Record:
    """Compute the record of ``cell``. Never raises: failures come back as ``status="failed"``.

    ``jobs_path`` is the IBM job ledger (``bench.quantum.qiskit.ledger``); default: the suite's ledger
    under the default reports folder (``SuiteLayout.jobs``), where ``python -m bench run`` keeps it.
    """
    record = blank_record(cell)
    jobs_path = jobs_path or SuiteLayout(DEFAULT_REPORTS, cache.root, cell.suite.name).jobs
    try:
        return PROTOCOLS[cell.suite.backbone.protocol](cell, cache, record, on_epoch, jobs_path)
    except Exception as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        failed = blank_record(cell)
        failed.status = "failed"
        failed.error = (
            f"{type(exc).__name__}: {message} [at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}]"
        )
        failed.timings, failed.cache_hits = record.timings, record.cache_hits
        return failed
