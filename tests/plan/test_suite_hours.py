"""The seed suites' CPU hours (``bench.plan.estimate.suite_hours``): docs/suites.md lists what the
model computes, the model grows with items and epochs and reads the measured profile."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from bench.api import plan_suite
from bench.core.registry import DATASETS
from bench.plan import estimate
from bench.plan.estimate import DEFAULT, backbone_seconds, suite_hours

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| `([a-z0-9-]+)` \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| (.*) \|$")


def doc_rows() -> dict[str, tuple]:
    text = (ROOT / "docs" / "suites.md").read_text().split("## What the seed suites cost")[1]
    return {m[1]: m.groups()[1:] for line in text.splitlines() if (m := ROW.match(line))}


def cells_of(name: str):
    return [p.cell for p in plan_suite(ROOT / "suites" / f"{name}.yaml").cells]


def test_the_docs_table_is_what_the_model_computes():
    rows = doc_rows()
    assert len(rows) == 6
    for name, (n, backbone, heads, total, unknown) in rows.items():
        cells = cells_of(name)
        h = suite_hours(cells, DEFAULT)
        got = (str(len(cells)), f"{h.backbone_cpu_h:.1f}", f"{h.heads_cpu_h:.1f}", f"{h.cpu_h:.1f}")
        assert got + (", ".join(h.unknown) or "-",) == (n, backbone, heads, total, unknown), name


def test_backbone_seconds_grow_with_items_and_epochs(monkeypatch):
    cell = cells_of("urbansound8k-hybrid")[0]
    measured = estimate.backbone_profile("cpu")
    base = backbone_seconds(cell, measured, 10)
    assert base > 0
    assert backbone_seconds(cell, measured, 20) > base
    plugin = DATASETS.get("urbansound8k")
    monkeypatch.setattr(plugin, "facts", replace(plugin.facts, items=2 * plugin.facts.items))
    assert backbone_seconds(cell, measured, 10) == pytest.approx(2 * base, rel=1e-3)


def test_the_model_reads_the_measured_profile(tmp_path):
    cell = cells_of("urbansound8k-hybrid")[0]
    measured = estimate.backbone_profile("cpu")
    doubled = {k: {f: 2 * v for f, v in per.items()} for k, per in measured.items()}
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"cpu": {"seconds_per_item": doubled}}))
    from_file = estimate.backbone_profile("cpu", path)
    assert backbone_seconds(cell, from_file, 5) == pytest.approx(2 * backbone_seconds(cell, measured, 5))
    assert estimate.backbone_profile("cuda", path) is None


def test_gpu_hours_say_not_calibrated_without_a_gpu_profile():
    lines = suite_hours(cells_of("cifar100-gated-head"), DEFAULT).describe()
    assert lines[1].startswith("GPU hours: not calibrated")
    assert "CPU hours for the whole suite" in lines[0]


def test_the_uncalibrated_eta_uses_the_measured_backbone_cost():
    cells = cells_of("urbansound8k-hybrid")[:1]
    tasks = estimate.task_seconds(cells, DEFAULT)
    assert tasks.backbones == (backbone_seconds(cells[0], estimate.backbone_profile("cpu"), 40),)
