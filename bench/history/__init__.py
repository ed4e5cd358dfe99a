"""Stage 8, history: runs of a suite over time.

``runs`` (starting, resuming and listing runs; which cells a new run may reuse; provenance and
machine differences), ``compare`` (one run against another: accuracy, predictions, runtime,
failures; exit code 3 on a regression), ``changepoints`` (step detection on a series of run
means), ``trends`` (every run of a suite on one page). Not to be confused with
``bench.report.compare``, which compares a treatment head with its controls within one run.
"""
