"""One compute thread per task, whatever the executor.

Parallelism comes from running tasks side by side, never from threads inside a task: two
workers each using every core oversubscribe the machine (lightning.qubit is ~19x slower under
OpenMP oversubscription), and one thread keeps a cell's record bit-identical across executors.

``single_thread_env`` sets the variables OpenMP/BLAS runtimes read when they load (call it in a
fresh worker before torch is imported); ``pin_threads`` limits the runtimes already loaded (torch,
and through threadpoolctl every OpenMP/BLAS library in the process) and is called by every task.
Asking threadpoolctl costs ~2-8 ms (it inspects every loaded library), so a process does it again
only when modules were imported since its last call (a native runtime loads with an import).
This module imports nothing heavy, so a process-pool initializer can use it before torch loads.
"""

from __future__ import annotations

import os
import sys

CELL_THREADS = 1
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def single_thread_env() -> None:
    """Set the OpenMP/MKL/OpenBLAS thread variables of this process to ``CELL_THREADS``."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(CELL_THREADS)


_pinned_at_modules = -1  # len(sys.modules) at the last threadpoolctl call of this process


def pin_threads() -> None:
    """Limit torch and every loaded OpenMP/BLAS runtime of this process to ``CELL_THREADS``."""
    global _pinned_at_modules
    import torch

    single_thread_env()
    if torch.get_num_threads() != CELL_THREADS:
        torch.set_num_threads(CELL_THREADS)
    if len(sys.modules) == _pinned_at_modules:
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return
    threadpool_limits(limits=CELL_THREADS)
    _pinned_at_modules = len(sys.modules)
