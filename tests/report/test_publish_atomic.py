"""``bench report`` killed at any point: ``reports/<suite>/latest`` always resolves to a complete report.

A complete report: ``index.md`` and ``index.html`` present, the HTML closed (``</html>``), and every
figure the markdown names present. The kill points are the publishing steps of ``bench.core.files``
(``QHEAD_FAULT_KILL_AT``: each file's temporary copy written, then renamed; the ``latest`` link made
under a temporary name, then renamed), plus a SIGKILL at a random moment.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.core.files import FAULT_KILL_ENV, FAULT_TRACE_ENV

ROOT = Path(__file__).resolve().parents[2]


def assert_complete(latest: Path) -> None:
    assert latest.is_symlink() and latest.resolve().is_dir(), f"{latest} does not resolve"
    md = (latest / "index.md").read_text(encoding="utf-8")
    html = (latest / "index.html").read_text(encoding="utf-8")
    assert md.startswith("# ") and html.rstrip().endswith("</html>")
    for figure in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md):
        assert (latest / figure).stat().st_size > 0, figure


def report(suite: Path, tmp: Path, env: dict, **popen) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "bench", "report", str(suite), "--reports-dir", str(tmp / "reports")]
    cmd += ["--cache-dir", str(tmp / "cache")]
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **popen)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The tiny suite (one cell kind) run twice: run A reported (``latest`` -> A), run B not yet."""
    from bench.cli.parser import main
    from tests.conftest import write_suite

    tmp = tmp_path_factory.mktemp("publish")
    suite = write_suite(tmp, {"heads": ["classical"], "backends": ["default.qubit"]})
    dirs = ["--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache")]
    assert main(["run", str(suite), "--executor", "sequential", *dirs]) == 0
    assert main(["run", str(suite), "--executor", "sequential", "--new-run", "--no-report", *dirs]) == 0
    return suite, tmp


def test_report_killed_at_publishing_steps_and_at_random_keeps_latest_complete(two_runs):
    suite, tmp = two_runs
    latest = tmp / "reports" / "tiny" / "latest"
    first = latest.resolve()
    assert_complete(latest)
    trace = tmp / "trace.txt"
    traced = report(suite, tmp, {FAULT_TRACE_ENV: str(trace)})
    assert traced.wait(timeout=300) == 0, traced.stderr.read()
    steps = trace.read_text().splitlines()
    assert latest.resolve() != first  # the report of run B moved `latest`
    between = [  # the temporary copy is complete, the rename not done yet
        int(n)
        for n, stage, path in (line.split(maxsplit=2) for line in steps)
        if stage == "written" and Path(path).name in ("index.html", "latest")
    ]
    rng = random.Random(21)
    for k in sorted({*between, rng.randint(1, len(steps))}):
        killed = report(suite, tmp, {FAULT_KILL_ENV: str(k)})
        assert killed.wait(timeout=300) == -signal.SIGKILL, (k, killed.stderr.read())
        assert_complete(latest)
    for delay in (rng.uniform(1.0, 6.0),):
        proc = report(suite, tmp, {})
        time.sleep(delay)
        proc.kill()
        proc.wait(timeout=60)
        assert_complete(latest)
