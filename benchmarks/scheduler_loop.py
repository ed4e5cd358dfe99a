"""Driver CPU per node of the scheduling loop over no-op tasks (``bench.timing.scheduler_benchmark``).

Run: ``python benchmarks/scheduler_loop.py [--nodes 1000 10000 50000] [--workers 2]``.
Target (issue 22): <= 0.2 ms per node, flat from 1k to 50k nodes.
"""

from __future__ import annotations

import argparse

from bench.timing.scheduler_benchmark import scheduler_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[1000, 10000, 50000], help="graph sizes")
    parser.add_argument("--workers", type=int, default=2, help="tasks in flight at once (default 2)")
    args = parser.parse_args()
    print(f"{'nodes':>8}  {'driver CPU s':>12}  {'ms/node':>8}")
    for t in scheduler_benchmark(args.nodes, args.workers):
        print(f"{t.nodes:>8}  {t.cpu_s:>12.3f}  {t.ms_per_node:>8.4f}", flush=True)


if __name__ == "__main__":
    main()
