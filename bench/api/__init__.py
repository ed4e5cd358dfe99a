"""The public Python API: everything the command line does, as functions a notebook calls.

    import bench

    suite = bench.load_suite("suites/audio.yaml")        # validated; UserError names file and key
    outcome = bench.run_suite("suites/audio.yaml", bench.RunOptions(reports_root="reports"))
    df = bench.results("suites/audio.yaml")              # one row per record of the latest run
    diff = bench.compare("suites/audio.yaml")            # latest run vs the previous complete one

Every ``python -m bench`` command is a thin view over these functions (``bench.cli.commands``:
parse the flags, call one function here, render what it returns with ``bench.cli.views``).

``suite`` arguments are suite file paths; ``reports_dir`` and ``cache_dir`` default to ``reports/``
and ``.cache/`` (relative to the working directory), as on the command line. Every function raises
``bench.UserError`` (one line, naming the file and what is wrong) on bad input. Nothing here
prints; long jobs report progress through callbacks (``on_event``, ``on_point``, ``on_notice``).

``EXPORTS`` is the one list of the public names (``bench`` re-exports it): each name and where it
lives. Importing this package imports nothing; a name loads its module on first use, so
``import bench`` stays light (no torch, no pandas).
"""

from __future__ import annotations

import importlib

EXPORTS: dict[str, str] = {
    # suites: load, plan, run, store, report (bench.api.suites)
    "load_suite": "bench.spec.loader:load_suite",
    "plan_suite": "bench.api.suites:plan_suite",
    "run_suite": "bench.api.suites:run_suite",
    "open_store": "bench.api.suites:open_store",
    "write_report": "bench.api.suites:write_report",
    "SuitePlan": "bench.api.suites:SuitePlan",
    "plan_overview": "bench.api.plans:plan_overview",
    "PlanOverview": "bench.api.plans:PlanOverview",
    "choose_executor": "bench.api.executors:choose_executor",
    "start_local_workers": "bench.api.executors:start_local_workers",
    "ExecutorChoice": "bench.api.executors:ExecutorChoice",
    # records and runs (bench.api.records, bench.api.comparisons)
    "results": "bench.api.records:results",
    "list_runs": "bench.api.records:list_runs",
    "runs_overview": "bench.api.records:runs_overview",
    "export_results": "bench.api.records:export_results",
    "results_bytes": "bench.api.records:results_bytes",
    "ExportedResults": "bench.api.records:ExportedResults",
    "RunOverview": "bench.history.runs:RunOverview",
    "compare": "bench.api.comparisons:compare",
    "comparison_frame": "bench.history.compare:comparison_frame",
    "comparison_folder": "bench.api.comparisons:comparison_folder",
    "write_comparison_page": "bench.api.comparisons:write_comparison_page",
    # a trained cell on a file (bench.api.predictions)
    "predict": "bench.api.predictions:predict",
    "Prediction": "bench.api.predictions:Prediction",
    # simulators and backends (bench.api.simulators)
    "probe_backends": "bench.api.simulators:probe_backends",
    "BackendListing": "bench.api.simulators:BackendListing",
    "BackendStatus": "bench.api.simulators:BackendStatus",
    "calibrate_simulators": "bench.api.simulators:calibrate_simulators",
    "SimulatorTimings": "bench.api.simulators:SimulatorTimings",
    "write_trainer_timings": "bench.api.simulators:write_trainer_timings",
    "TrainerTimingsFile": "bench.api.simulators:TrainerTimingsFile",
    # benchmarks and timing sweeps (bench.api.benchmarks)
    "benchmark_step": "bench.api.benchmarks:benchmark_step",
    "StepBenchmark": "bench.api.benchmarks:StepBenchmark",
    "benchmark_widths": "bench.api.benchmarks:benchmark_widths",
    "WidthTable": "bench.timing.step_benchmark:WidthTable",
    "benchmark_peers": "bench.api.benchmarks:benchmark_peers",
    "PeerBenchmark": "bench.api.benchmarks:PeerBenchmark",
    "benchmark_executors": "bench.api.benchmarks:benchmark_executors",
    "ExecutorBenchmark": "bench.api.benchmarks:ExecutorBenchmark",
    "run_sweep": "bench.api.benchmarks:run_sweep",
    "SweepOutcome": "bench.timing.sweep:SweepOutcome",
    "SweepPoint": "bench.timing.sweep:SweepPoint",
    # upkeep: store repair, the statistics check, the option reference (bench.api.upkeep)
    "repair": "bench.api.upkeep:repair",
    "RepairOutcome": "bench.api.upkeep:RepairOutcome",
    "check_statistics": "bench.api.upkeep:check_statistics",
    "StatisticsCheck": "bench.api.upkeep:StatisticsCheck",
    "option_reference": "bench.api.upkeep:option_reference",
    "write_option_reference": "bench.api.upkeep:write_option_reference",
    # types
    "Comparison": "bench.history.compare:Comparison",
    "EventCallback": "bench.run.events:EventCallback",
    "ExitCode": "bench.core.exit_codes:ExitCode",
    "PlannedCell": "bench.plan.planner:PlannedCell",
    "ResultsStore": "bench.results.store:ResultsStore",
    "RunEvent": "bench.run.events:RunEvent",
    "RunInfo": "bench.results.store:RunInfo",
    "RunOptions": "bench.run.options:RunOptions",
    "RunOutcome": "bench.run.outcome:RunOutcome",
    "RunSummary": "bench.run.outcome:RunSummary",
    "Suite": "bench.spec.suite:Suite",
    "SuiteLayout": "bench.core.layout:SuiteLayout",
    "UserError": "bench.core.errors:UserError",
    "events": "bench.run.events",
}
"""Public name -> ``"module:attribute"`` (or ``"module"`` for a module), loaded on first use."""

__all__ = sorted(EXPORTS)


def __getattr__(name: str):
    """The public name ``name``, imported from where ``EXPORTS`` says on first use."""
    if name not in EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = EXPORTS[name].partition(":")
    value = importlib.import_module(module)
    value = getattr(value, attribute) if attribute else value
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
