"""The trends page on a synthetic results store (``bench.timing.trends_benchmark``).

Run: ``python benchmarks/trends_store.py [--cells 10000] [--runs 30] [--seeds 5] [--store FILE]``.
Target (issue 22): <= 10 s and <= 1 GB for 10k records x 30 runs. Prints three pages: the first
(every run read from the store), the rewrite after a nightly run (the other runs' summaries kept
under ``trends/runs/``, the latest read), and an unchanged rewrite. ``--store FILE`` keeps the
synthetic store there (built when missing) for another run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.timing.trends_benchmark import synthetic_store, time_trends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=10000, help="records per run (default 10000)")
    parser.add_argument("--runs", type=int, default=30, help="runs (default 30)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds per configuration (default 5)")
    parser.add_argument("--store", type=Path, default=None, help="keep the synthetic store here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qhead-trends-") as tmp:
        store = args.store or Path(tmp) / "results.sqlite"
        if not store.exists():
            t0 = time.perf_counter()
            synthetic_store(store, args.cells, args.runs, args.seeds)
            size = store.stat().st_size / 2**20
            print(f"built {store} ({size:.0f} MiB) in {time.perf_counter() - t0:.1f} s")
        out = Path(tmp) / "trends"
        for label in ("first page (no run summarized yet)", "after a nightly run", "unchanged"):
            if label == "after a nightly run":  # the latest run is new: only it is read from the store
                sorted((out / "runs").glob("*.json"))[-1].unlink()
            t = time_trends(store, out, args.cells, args.runs)
            print(
                f"{label}: {t.records} records x {t.runs} runs: "
                f"{t.seconds:.2f} s wall, {t.cpu_seconds:.2f} s CPU, peak RSS {t.peak_rss_mb:.0f} MB"
            )


if __name__ == "__main__":
    main()
