"""Device and precision settings of the classical parts (``training.device``,
``backbone.training.device``, ``backbone.training.precision``): their forms and their checks.

A device is written ``auto``, ``cpu``, ``cuda`` or ``cuda:N``; ``auto`` is resolved where a
cell runs (CUDA when ``torch.cuda.is_available()``, else the CPU; see ``bench.cell.device``).
``cuda_problem`` says why a CUDA device cannot be used on this machine; ``load_suite`` calls it
for every setting that names CUDA, so a suite asking for a GPU that is absent fails when it is
loaded (``plan``, ``run``), before any cell runs. This module imports torch only for such a
setting.

Precision applies to the backbone (float32 networks) only: heads are float64 modules by contract
and ``torch.autocast`` leaves float64 untouched, so a head precision would change nothing.
``fp16`` runs with a gradient scaler and needs CUDA; ``bf16`` runs on the CPU too.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator

DEFAULT_DEVICE = "cpu"
DEFAULT_PRECISION = "fp32"
DEVICE_FORMS = "auto, cpu, cuda, cuda:N"
"""The allowed forms of a device setting, as error messages name them."""
_DEVICE = re.compile(r"^(auto|cpu|cuda(:[0-9]+)?)$")

Precision = Literal["fp32", "bf16", "fp16"]
PRECISIONS: tuple[str, ...] = ("fp32", "bf16", "fp16")


def _device_form(value: str) -> str:
    if not _DEVICE.match(value):
        raise ValueError(f"unknown device '{value}' (allowed: {DEVICE_FORMS})")
    return value


DeviceName = Annotated[str, AfterValidator(_device_form)]
"""A device setting, checked against ``DEVICE_FORMS``."""


def names_cuda(device: str) -> bool:
    """Whether ``device`` asks for a GPU explicitly (``cuda`` or ``cuda:N``; ``auto`` does not)."""
    return device.startswith("cuda")


def cuda_problem(device: str) -> str | None:
    """Why ``device`` (``cuda`` or ``cuda:N``) cannot run on this machine, or ``None`` when it can
    (and for ``auto`` and ``cpu``, which always can). Never raises."""
    if not names_cuda(device):
        return None
    try:
        import torch

        if not torch.cuda.is_available():
            return "no CUDA GPU is visible here (torch.cuda.is_available() is False)"
        index = int(device.split(":")[1]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            return f"no CUDA device {index} here (found {torch.cuda.device_count()})"
    except Exception as exc:  # a broken CUDA install is a reason, not a crash
        return f"cannot query CUDA ({type(exc).__name__}: {exc})"
    return None
