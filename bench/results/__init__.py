"""Stage 5, results: the record of a cell, the durable results store and the content-addressed artefact
cache.

This package is also the public function ``bench.results(suite, ...)``: calling the package calls
``bench.api.results`` (the package attribute ``bench.results`` cannot be both a module and a function,
and the import system sets it to this module whenever a ``bench.results.*`` module is imported).
"""

from __future__ import annotations

import sys
import types


class CallablePackage(types.ModuleType):
    """This package's module type: ``bench.results(...)`` is ``bench.api.results(...)``."""

    def __call__(self, suite, *, run=None, all_runs=False, reports_dir=None, cache_dir=None):
        """``bench.api.results``: one row per record of a suite's latest run (or ``run``, or all runs)."""
        from bench.api import results

        return results(suite, run=run, all_runs=all_runs, reports_dir=reports_dir, cache_dir=cache_dir)


sys.modules[__name__].__class__ = CallablePackage
