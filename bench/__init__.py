"""qhead-bench: a benchmark harness for quantum-head ablations.

The public API (``bench.api``, documented in docs/api.md) is available from here::

    import bench

    outcome = bench.run_suite("suites/audio.yaml")
    df = bench.results("suites/audio.yaml")

Names load on first use, so ``import bench`` stays light (no torch, no pandas).

Schema versions (``bench.core.versions``) are bumped whenever the layout of a stored artefact
changes, so stale cache entries and result rows are recognised instead of misread.
"""

from bench import api
from bench.core.versions import CACHE_SCHEMA_VERSION, RECORD_SCHEMA_VERSION, __version__

__all__ = ["CACHE_SCHEMA_VERSION", "RECORD_SCHEMA_VERSION", "__version__", *api.__all__]
"""The schema versions, the version, and every public name of ``bench.api`` (its ``EXPORTS``)."""


def __getattr__(name: str):
    """The public names of ``bench.api``, imported on first use.

    ``bench.results`` is also the subpackage of the store and records; calling it is
    ``bench.api.results`` (see ``bench.results.__init__``), so both work whichever loads first.
    """
    if name == "results":
        import bench.results as package

        return package
    if name in api.EXPORTS:
        return getattr(api, name)
    raise AttributeError(f"module 'bench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
