"""Provenance of a run: package versions, git SHA, CPU/GPU. Computed once per process."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from bench.core.versions import RECORD_SCHEMA_VERSION, __version__

PACKAGES = (
    "torch",
    "pennylane",
    "pennylane-lightning",
    "pennylane-qiskit",
    "qiskit",
    "qiskit-aer",
    "qiskit-ibm-runtime",
    "numpy",
    "scikit-learn",
    "librosa",
)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_sha() -> str:
    """The checkout's commit SHA (``+dirty`` with uncommitted changes), or ``unknown``."""
    return _git_sha()


def _git_sha() -> str:
    root = Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if sha.returncode != 0:
        return "unknown"
    return sha.stdout.strip()[:12] + ("-dirty" if dirty.stdout.strip() else "")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _gpu() -> str:
    if not _gpu_driver():
        return "none"  # what torch would say, without importing it (a re-run with nothing to do)
    try:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.get_device_name(0)
    except Exception:  # pragma: no cover
        pass
    return "none"


def _gpu_driver() -> bool:
    """Whether a GPU driver torch could use may be present: on Linux an NVIDIA or ROCm kernel
    driver (``/proc/driver/nvidia``, ``/dev/kfd``); never on macOS; assumed elsewhere."""
    if sys.platform == "darwin":
        return False
    if sys.platform.startswith("linux"):
        return os.path.exists("/proc/driver/nvidia") or os.path.exists("/dev/kfd")
    return True


@functools.cache
def provenance() -> dict[str, str]:
    """Versions, git SHA, CPU, core count, GPU, Python, record schema version (all strings)."""
    info = {f"version.{p}": _version(p) for p in PACKAGES}
    info.update(
        {
            "qhead_bench": __version__,
            "python": platform.python_version(),
            "git_sha": _git_sha(),
            "cpu": _cpu(),
            "cpu_count": str(os.cpu_count()),
            "gpu": _gpu(),
            "platform": platform.platform(),
            "record_schema_version": str(RECORD_SCHEMA_VERSION),
        }
    )
    return info
