"""One run at a time per results store: an advisory lock file next to the store.

``run_lock`` takes ``reports/<suite>/run.lock`` with ``flock``: the kernel drops it when the
holder exits or is killed, so a lock left behind by a dead process is simply taken over (the
file then still names the dead pid, which is reported). While held, the file names the holder's
pid, host and start time; a second run waits for it (one line says for whom), or with
``wait=False`` refuses with that line (``UserError``, exit 2).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from bench.core.errors import UserError
from bench.core.exit_codes import ExitCode
from bench.run.interrupts import interrupt_exit_code

POLL_S = 0.5


class LockWaitInterrupted(UserError):
    """Ctrl-C while waiting for another run's lock: nothing was started."""

    exit_code = ExitCode.INTERRUPTED


def describe_holder(path: Path) -> str:
    """``pid N on HOST, started T`` from the lock file, or ``an unknown process``."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return f"pid {info['pid']} on {info['host']}, started {info['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "an unknown process"


def _stale_holder(path: Path) -> str | None:
    """The previous holder's description when the file still names one (it died holding the lock)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return describe_holder(path) if text else None


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def run_lock(path: Path, wait: bool = True, say: Callable[[str], None] = print) -> Iterator[None]:
    """Hold the store's run lock for the duration of the block (see the module docstring)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise UserError(f"{path}: cannot create the run lock ({exc.strerror})") from None
    try:
        if not _try_lock(fd):
            holder = describe_holder(path)
            if not wait:
                raise UserError(f"{path}: another run holds this store ({holder}); not waiting (--no-wait)")
            say(f"waiting for {path}: held by {holder}")
            try:
                while not _try_lock(fd):
                    time.sleep(POLL_S)
            except KeyboardInterrupt:
                error = LockWaitInterrupted(f"interrupted while waiting for {path} ({holder})")
                error.exit_code = interrupt_exit_code()
                raise error from None
        stale = _stale_holder(path)
        if stale:
            say(f"taking over {path} from {stale} (no longer running)")
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": _now()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
