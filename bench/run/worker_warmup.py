"""What a worker process needs before its first task, loaded once by the warm worker server.

``bench.run.worker_server`` starts one server process that imports this module and then forks
every local worker from itself, so each worker begins with torch, scikit-learn, PennyLane, the
feature libraries and bench's cell stages already imported (about 4-5 CPU seconds a process
otherwise). Importing the module is the point: it is named in the server's preload list. It starts
no thread (a forked process must not inherit one) and computes nothing but a one-element
optimizer, which makes torch import its compile machinery now rather than in the first task.

On a cluster, ``dask worker --preload bench.run.worker_warmup`` gives workers the same head start.
"""

from __future__ import annotations

import importlib
import importlib.util

import torch

import bench.run.tasks  # noqa: F401  (the cell stages, and through them torch and scikit-learn)

# Loaded by plugins on first use; imported here only when installed (the extras are optional).
OPTIONAL_MODULES = ("pennylane", "librosa", "soundfile")


def warm_up() -> None:
    """Import ``OPTIONAL_MODULES`` that are installed and prime torch's optimizers (idempotent)."""
    for name in OPTIONAL_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    # An optimizer's first param group imports torch._dynamo (~1.4 CPU s): pay it here, once.
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.0)


warm_up()
