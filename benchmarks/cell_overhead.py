"""Per-cell overhead of cheap cells, in this process (``bench.timing.cell_overhead``).

Run: ``python benchmarks/cell_overhead.py [--cells 200] [--seeds 50] [--write-suite FILE]``.
Target (issue 22): <= 10 ms per cell beyond the cell's own training and evaluation.
``--write-suite FILE`` only writes the 1,000-cell suite, for
``python -m bench benchmark --executors sequential process --suite FILE`` (pool beside sequential).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench.timing.cell_overhead import measure_overhead, write_cheap_suite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200, help="cells timed (default 200)")
    parser.add_argument("--seeds", type=int, default=50, help="suite seeds, 20 cells each (default 50)")
    parser.add_argument("--write-suite", type=Path, default=None, help="write the suite here and stop")
    args = parser.parse_args()
    if args.write_suite:
        write_cheap_suite(args.write_suite, args.seeds)
        print(f"wrote {args.write_suite} ({20 * args.seeds} cells)")
        return
    with tempfile.TemporaryDirectory(prefix="qhead-overhead-") as tmp:
        suite = write_cheap_suite(Path(tmp) / "suite.yaml", args.seeds)
        r = measure_overhead(suite, Path(tmp), args.cells)
    print(f"cells timed: {r.cells}")
    print(f"own work (training + evaluation), median: {r.own_ms:.1f} ms")
    print(f"overhead per cell, median: {r.overhead_ms:.1f} ms (mean {r.overhead_mean_ms:.1f} ms)")
    print(f"  of which the durable commit, median: {r.commit_ms:.1f} ms")
    print(f"fixed parts of the last cell, each alone (median of 9; 1-minute load {os.getloadavg()[0]:.1f}):")
    for name, ms in r.parts_ms.items():
        print(f"  {name}: {ms:.2f} ms wall, {r.parts_cpu_ms[name]:.2f} ms CPU")


if __name__ == "__main__":
    main()
