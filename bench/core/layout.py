"""Where a suite's runs write (``SuiteLayout``) and the default folders, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_REPORTS = Path("reports")
"""Default folder of results stores and reports (``--reports-dir``), relative to the working directory."""

DEFAULT_CACHE = Path(".cache")
"""Default content-addressed cache (``--cache-dir``), relative to the working directory."""


@dataclass(frozen=True)
class SuiteLayout:
    """Every path a suite's runs write, in one place.

    ``<reports_root>/<suite>/`` holds the results store, the run lock, the IBM job ledger and the
    rehearsal ledgers, the exported checkpoints, one report folder per run with ``latest`` linking
    to the newest, the trends page, comparison pages and exports; ``cache_dir`` (shared between
    suites) holds features, embeddings and trained heads.
    """

    reports_root: Path
    cache_dir: Path
    suite_name: str

    @classmethod
    def of(cls, suite, options) -> SuiteLayout:
        """The layout of ``suite`` (its ``name``) under ``options``' ``reports_root`` and ``cache_dir``."""
        return cls(Path(options.reports_root), Path(options.cache_dir), suite.name)

    @property
    def folder(self) -> Path:
        """``<reports_root>/<suite>/``."""
        return self.reports_root / self.suite_name

    @property
    def store(self) -> Path:
        """The results store (``bench.results.store``)."""
        return self.folder / "results.sqlite"

    @property
    def lock(self) -> Path:
        """The run lock one run at a time holds (``bench.run.lock``)."""
        return self.folder / "run.lock"

    @property
    def jobs(self) -> Path:
        """The IBM job ledger (``bench.quantum.qiskit.ledger``); rehearsal ledgers sit beside it."""
        return self.folder / "jobs.sqlite"

    @property
    def checkpoints(self) -> Path:
        """Where every ok cell's checkpoint goes (``bench.cell.checkpoint``)."""
        return self.folder / "checkpoints"

    def report(self, run_id: str) -> Path:
        """The report folder of a run (``index.md``, ``index.html``, figures, diagnostics)."""
        return self.folder / run_id

    @property
    def latest(self) -> Path:
        """The link to the newest report folder."""
        return self.folder / "latest"

    @property
    def trends(self) -> Path:
        """The trends page's folder (``bench.history.trends``)."""
        return self.folder / "trends"

    def comparison(self, baseline: str, run: str) -> Path:
        """The folder of ``compare``'s page for two run ids."""
        return self.folder / "compare" / f"{baseline}..{run}"

    def export(self, name: str, fmt: str) -> Path:
        """The default file of ``export``: ``export/<name>.<fmt>``."""
        return self.folder / "export" / f"{name}.{fmt}"
