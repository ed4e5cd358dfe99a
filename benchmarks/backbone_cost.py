"""Measured seconds per item per epoch of each seed suite's backbone, for the cost model
(``bench.plan.estimate``): writes ``bench/plan/profiles_data/backbone-cost.json``.

Run: ``python benchmarks/backbone_cost.py [--device cpu|cuda] [--batch 8] [--repeats 3] [--write]``.
For every suite in ``suites/`` (no data needed: shapes come from ``bench.plan.sizes``) and each
distinct backbone x input shape, it builds the backbone (``BaseBackbone.build``, random weights) and
times, on one thread (``torch.set_num_threads(1)``), a training step (forward, cross-entropy,
backward, optimizer step) and an inference forward on a batch of ``--batch`` random inputs: the
median of ``--repeats`` after one untimed warm-up, divided by the batch size. ``--write`` merges the
figures into the profile under ``--device`` with a machine note and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from bench.plan.estimate import BACKBONE_PROFILE, backbone_key

SUITES = Path(__file__).resolve().parents[1] / "suites"


def shapes() -> dict[str, tuple]:
    """Profile key -> (backbone ref, input shape) over every suite's cells."""
    from bench.api import plan_suite
    from bench.core.errors import UserError
    from bench.plan.sizes import input_shape

    out = {}
    for path in sorted(SUITES.glob("*.yaml")):
        try:
            cells = plan_suite(path).cells
        except UserError:  # not a suite (e.g. suites/timing.yaml)
            continue
        for planned in cells:
            shape = input_shape(planned.cell)
            if shape is not None:
                ref = planned.cell.suite.backbone
                out.setdefault(backbone_key(ref.name, ref.params, shape), (ref, shape))
    return out


def time_backbone(ref, shape: tuple, device: str, batch: int, repeats: int) -> dict[str, float]:
    """Seconds per item of one training step and of one inference forward."""
    import torch

    from bench.core.registry import BACKBONES

    torch.manual_seed(0)
    net = BACKBONES.get(ref.name).from_dict(ref.params).build(shape, 10).to(device)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    x, y = torch.randn(batch, *shape, device=device), torch.randint(0, 10, (batch,), device=device)

    def step() -> None:
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()

    def forward() -> None:
        with torch.no_grad():
            net(x)

    return {
        name: _median_s(fn, device, repeats) / batch
        for name, fn in (("train_s", step), ("forward_s", forward))
    }


def _median_s(fn, device: str, repeats: int) -> float:
    import torch

    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--batch", type=int, default=8, help="items per timed batch (default 8)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats (default 3)")
    parser.add_argument("--write", action="store_true", help="merge the figures into the profile")
    args = parser.parse_args()
    torch.set_num_threads(1)
    load = os.getloadavg()[0]
    figures = {}
    for key, (ref, shape) in shapes().items():
        figures[key] = time_backbone(ref, shape, args.device, args.batch, args.repeats)
        print(
            f"{key:70}  train {figures[key]['train_s'] * 1e3:8.2f} ms/item  "
            f"forward {figures[key]['forward_s'] * 1e3:8.2f} ms/item",
            flush=True,
        )
    if args.write:
        write(args, figures, load)


def write(args, figures: dict, load: float) -> None:
    """Merge ``figures`` under ``args.device`` into the profile, published atomically."""
    import torch

    profile = json.loads(BACKBONE_PROFILE.read_text()) if BACKBONE_PROFILE.exists() else {}
    profile[args.device] = {
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "threads": 1,
            "torch": torch.__version__,
            "load_average_1min": round(load, 2),
        },
        "note": f"Measured with `python benchmarks/backbone_cost.py --device {args.device} --batch "
        f"{args.batch} --repeats {args.repeats} --write`: median seconds per item of a training "
        "step and an inference forward, one thread, random inputs at the suite's input shape.",
        "seconds_per_item": figures,
    }
    tmp = BACKBONE_PROFILE.with_suffix(".tmp")
    tmp.write_text(json.dumps(profile, indent=2, sort_keys=True) + "\n")
    tmp.replace(BACKBONE_PROFILE)
    print(f"wrote {BACKBONE_PROFILE}")


if __name__ == "__main__":
    main()
