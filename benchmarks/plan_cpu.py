"""CPU seconds of ``python -m bench plan`` on synthetic suites of about 1k and 10k cells
(``bench.timing.plan_benchmark``).

Run: ``python benchmarks/plan_cpu.py [--cells 1000 10000] [--repeats 3]``. Each figure is the median
CPU seconds (user + system) of a fresh ``plan`` process over ``--repeats`` runs, after one untimed run
that records the backends' probes (``bench.quantum.probe_cache``). Target (issue 22): <= 3 s at 10k.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench.timing.plan_benchmark import synthetic_suite, time_plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, nargs="+", default=[1000, 10000], help="suite sizes")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per size (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        suites = [synthetic_suite(work / str(n), n) for n in args.cells]
        time_plan(*suites[0], work)  # untimed: records the probes, warms the file cache
        print(f"{'cells':>8}  {'plan CPU s':>10}  {'ms/cell':>8}  {'wall s':>7}")
        for path, cells in suites:
            runs = [time_plan(path, cells, work) for _ in range(args.repeats)]
            cpu = statistics.median(r.cpu_s for r in runs)
            wall = statistics.median(r.wall_s for r in runs)
            print(f"{cells:>8}  {cpu:>10.2f}  {1000 * cpu / cells:>8.3f}  {wall:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
