"""Two runs of one tiny suite (a plain run, then ``--new-run``), built once per session; tests copy
the reports folder and plant changes by editing the second run's stored records."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.cli.parser import main
from bench.results.store import ResultsStore
from tests.conftest import write_suite

HISTORY_SUITE = {"seeds": [0, 1], "backends": ["default.qubit"]}
QUANTUM = "urban-synth/quantum/q2/l1/default.qubit"


def run_cli(suite: Path, root: Path, *extra: str) -> int:
    return main(
        [
            "run",
            str(suite),
            "--reports-dir",
            str(root / "reports"),
            "--cache-dir",
            str(root / "cache"),
            *extra,
        ]
    )


@dataclass
class History:
    root: Path
    suite: Path

    @property
    def store_path(self) -> Path:
        return self.root / "reports" / "tiny" / "results.sqlite"

    def store(self) -> ResultsStore:
        return ResultsStore(self.store_path)

    def cli(self, command: str, *extra: str) -> int:
        return main([command, str(self.suite), "--reports-dir", str(self.root / "reports"), *extra])


@pytest.fixture(scope="session")
def two_runs_template(tmp_path_factory) -> History:
    root = tmp_path_factory.mktemp("history")
    suite = write_suite(root, HISTORY_SUITE)
    assert run_cli(suite, root, "--no-report") == 0
    assert run_cli(suite, root, "--new-run", "--no-report") == 0
    return History(root, suite)


@pytest.fixture
def two_runs(two_runs_template, tmp_path) -> History:
    """A private copy of the two-run store (and its suite); the cache is shared, read-only in use."""
    shutil.copytree(two_runs_template.root / "reports", tmp_path / "reports")
    suite = shutil.copy(two_runs_template.suite, tmp_path / "suite.yaml")
    (tmp_path / "cache").symlink_to(two_runs_template.root / "cache")
    return History(tmp_path, Path(suite))
