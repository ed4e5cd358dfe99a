"""A persistent record of backend probes that succeeded, so that planning imports neither PennyLane
nor torch.

Whether ``default.qubit``, ``lightning.qubit`` or ``torch.statevector`` (CPU) can run depends on
what is installed, not on the suite; probing it means importing PennyLane or torch (seconds).
``cached_probe(key, probe)`` runs ``probe()`` once per installation and remembers a ``None``
(usable) answer in a small JSON file; later calls, in any process, read the file instead. Only
successes are kept: a reason (a missing plugin, a device that failed to start) is probed again
every time, so a transient failure never sticks. Probes that depend on the hardware (CUDA) are
not passed here at all by their callers.

The file is keyed by the installation: the Python executable and version, the host name, the
names of every installed distribution's metadata folder in the ``site-packages`` directories
(``torch-2.14.1.dist-info``: installing, removing or upgrading any package changes the key) and
``CACHE_VERSION`` (raised when a probe's logic changes). Its folder is ``$QHEAD_PROBE_CACHE``,
else ``$XDG_CACHE_HOME/qhead-bench``, else ``~/.cache/qhead-bench``; ``QHEAD_PROBE_CACHE=off``
turns the cache off (every probe runs live; the test suite does this). The file is published
atomically; an unreadable or unwritable cache only means probing live - it never raises.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path

from bench.core.files import write_text_atomic
from bench.core.hashing import stable_hash

CACHE_VERSION = 1
"""Raise when what a cached probe checks changes: every earlier cache file is then ignored."""
CACHE_ENV = "QHEAD_PROBE_CACHE"
"""A folder for the cache file, or ``off`` to probe live every time."""
_OFF = ("off", "0", "no", "false")
_METADATA = (".dist-info", ".egg-info")


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when the cache is off (``$QHEAD_PROBE_CACHE``)."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() in _OFF:
        return None
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qhead-bench"


def installation() -> dict:
    """What the cache file is keyed by (see the module docstring)."""
    dists: list[str] = []
    for entry in dict.fromkeys(sys.path):
        if entry.endswith(("site-packages", "dist-packages")) and os.path.isdir(entry):
            dists += sorted(n for n in os.listdir(entry) if n.endswith(_METADATA))
    return {
        "cache_version": CACHE_VERSION,
        "executable": sys.executable,
        "python": sys.version,
        "host": platform.node(),
        "distributions": dists,
    }


@functools.cache
def cache_file(folder: Path) -> Path:
    """The cache file of this installation in ``folder``."""
    return folder / f"backend-probes-{stable_hash(installation(), 16)}.json"


def _read(path: Path) -> dict[str, None]:
    try:
        probes = json.loads(path.read_text(encoding="utf-8")).get("probes", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {k: None for k, v in probes.items() if v is None} if isinstance(probes, dict) else {}


def _write(path: Path, probes: dict[str, None]) -> None:
    body = {"installation": installation(), "probes": dict(sorted(probes.items()))}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(body, indent=1) + "\n")
    except OSError:
        pass  # a read-only home: probe live next time


def cached_probe(key: str, probe: Callable[[], str | None]) -> str | None:
    """``probe()``'s answer for ``key`` (e.g. ``"pennylane:lightning.qubit"``): ``None`` from the
    cache file when an earlier probe of this installation succeeded, else ``probe()`` run now (a
    success is then written to the file). Never raises what ``probe`` does not. Callers keep their
    own per-process memo (``functools.cache``); this reads the small file on each call."""
    folder = cache_dir()
    if folder is None:
        return probe()
    path = cache_file(folder)
    known = _read(path)
    if key in known:
        return None
    reason = probe()
    if reason is None:
        _write(path, {**known, key: None})
    return reason
