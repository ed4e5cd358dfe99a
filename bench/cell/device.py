"""Where a cell's classical parts run, and how reproducible that leaves its result.

``resolve(requested)`` turns a device setting (``bench.spec.device``) into the device that runs
here: ``cpu`` or ``cuda:N``; ``auto`` is CUDA when ``torch.cuda.is_available()``, else the CPU
(recorded, never silent: the record's ``compute.device`` says which). ``cuda`` on a machine
without a GPU raises ``DeviceUnavailable`` (``load_suite`` refuses it earlier on the machine that
loads the suite; this is the check on a worker). Importing this module sets
``CUBLAS_WORKSPACE_CONFIG=:4096:8`` (unless set), which deterministic cuBLAS needs before CUDA's
first use; every stage that may use CUDA imports it first.

``Compute(device, precision)`` is one stage's placement (backbone or head training):

* ``active()``: on CUDA, deterministic algorithms (``torch.use_deterministic_algorithms(True,
  warn_only=True)``), ``cudnn.deterministic`` and no ``cudnn.benchmark`` for the block, restored
  after it; an op without a deterministic CUDA implementation is noted (``not_bit``), not fatal.
  On the CPU it changes nothing, so CPU results stay bit-identical to what they were.
* ``autocast()``: ``torch.autocast`` in ``bf16`` or ``fp16`` (a no-op for ``fp32``); ``scaler()``:
  a gradient scaler for ``fp16`` (CUDA only), else ``None``.
* ``info()``: what a cache entry and a record keep: device, precision and the reasons the result
  is not bit-reproducible (``[]``: bit-reproducible; CUDA and mixed precision never are across
  machines). ``reproducible(infos)`` joins stages into the record's ``bit`` / ``not-bit (...)``.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch

from bench.spec.device import DEFAULT_PRECISION, cuda_problem

CUBLAS_WORKSPACE = ":4096:8"
"""``CUBLAS_WORKSPACE_CONFIG`` for deterministic cuBLAS (torch's reproducibility notes)."""
CUDA_NOT_BIT = "cuda: repeatable on one GPU with deterministic algorithms, not across GPUs or drivers"
_NONDETERMINISTIC = "does not have a deterministic implementation"
_AUTOCAST = {"bf16": torch.bfloat16, "fp16": torch.float16}
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", CUBLAS_WORKSPACE)  # before CUDA's first use


class DeviceUnavailable(RuntimeError):
    """A device setting names CUDA where this machine has none."""


def resolve(requested: str) -> str:
    """The device ``requested`` (``auto``, ``cpu``, ``cuda``, ``cuda:N``) runs on here: ``cpu`` or
    ``cuda:N``. Raises ``DeviceUnavailable`` for CUDA that is absent (``auto`` falls back)."""
    if requested == "cpu":
        return "cpu"
    wanted = "cuda" if requested == "auto" else requested
    problem = cuda_problem(wanted)
    if problem and requested == "auto":
        return "cpu"
    if problem:
        raise DeviceUnavailable(f"training device '{requested}': {problem} (allowed here: auto, cpu)")
    index = int(wanted.split(":")[1]) if ":" in wanted else torch.cuda.current_device()
    return f"cuda:{index}"


@dataclass
class Compute:
    """One stage's placement: ``device`` (resolved), ``precision``, and what made it not bit-exact."""

    device: str = "cpu"
    precision: str = DEFAULT_PRECISION
    nondeterministic: list[str] = field(default_factory=list)

    @property
    def on_cuda(self) -> bool:
        return self.device.startswith("cuda")

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Deterministic algorithms for the block on CUDA (see the module docstring)."""
        if not self.on_cuda:
            yield
            return
        saved = (
            torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled(),
            torch.backends.cudnn.deterministic,
            torch.backends.cudnn.benchmark,
        )
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                yield
        finally:
            torch.use_deterministic_algorithms(saved[0], warn_only=saved[1])
            torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = saved[2], saved[3]
        self._sort(caught)

    def _sort(self, caught: list[warnings.WarningMessage]) -> None:
        for w in caught:
            text = str(w.message)
            if _NONDETERMINISTIC in text:
                op = text.split(_NONDETERMINISTIC)[0].strip().rstrip(".") or "an op"
                if op not in self.nondeterministic:
                    self.nondeterministic.append(op)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    def autocast(self) -> contextlib.AbstractContextManager:
        """``torch.autocast`` at this precision on this device (nothing for ``fp32``)."""
        if self.precision == DEFAULT_PRECISION:
            return contextlib.nullcontext()
        return torch.autocast(torch.device(self.device).type, dtype=_AUTOCAST[self.precision])

    def scaler(self) -> torch.amp.GradScaler | None:
        """A gradient scaler for ``fp16`` (on CUDA), else ``None``."""
        return torch.amp.GradScaler("cuda") if self.precision == "fp16" else None

    def to(self, tensor: torch.Tensor) -> torch.Tensor:
        """``tensor`` on this device (the same tensor on the CPU)."""
        return tensor if not self.on_cuda else tensor.to(self.device, non_blocking=True)

    def not_bit(self) -> list[str]:
        """Why this stage's result is not bit-reproducible (``[]`` when it is)."""
        reasons = [CUDA_NOT_BIT] if self.on_cuda else []
        if self.precision != DEFAULT_PRECISION:
            reasons.append(f"{self.precision} autocast")
        return reasons + [f"nondeterministic op: {op}" for op in self.nondeterministic]

    def info(self) -> dict[str, Any]:
        """``{"device", "precision", "not_bit"}``: what cache entries and records keep."""
        return {"device": self.device, "precision": self.precision, "not_bit": self.not_bit()}


CPU_INFO: dict[str, Any] = Compute().info()
"""The ``info()`` of the CPU at fp32: what entries written without one (before devices existed) mean."""


def is_default(info: dict[str, Any]) -> bool:
    """Whether ``info`` is the CPU at fp32 (cache entries then leave it out, as before devices)."""
    return info == CPU_INFO


def reproducible(infos: Iterable[dict[str, Any]]) -> str:
    """``bit`` when no stage has a reason, else ``not-bit (reason; reason)``."""
    reasons: list[str] = []
    for info in infos:
        reasons += [r for r in info.get("not_bit", []) if r not in reasons]
    return "bit" if not reasons else f"not-bit ({'; '.join(reasons)})"


def record_compute(head: dict[str, Any], backbone: dict[str, Any]) -> dict[str, str]:
    """A record's ``compute``: head and backbone devices, backbone precision, ``reproducible``."""
    return {
        "device": head["device"],
        "backbone_device": backbone["device"],
        "precision": backbone["precision"],
        "reproducible": reproducible([backbone, head]),
    }
