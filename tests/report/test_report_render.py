"""End-to-end: write_report on synthetic records, classical-only records and an empty list."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from bench.report import write_report
from bench.report.compare import best_configurations, comparisons
from bench.report.figures.plots import confusion_subset
from bench.report.sections.plots import confusion_picks

HEADINGS = [
    "## Run summary",
    "## Accuracy",
    "## Runtime",
    "## Plots",
    "### Accuracy vs qubits",
    "### Circuit time vs qubits",
    "### Confusion matrices",
    "### Gate trajectories",
    "## Failures and skips",
    "## Provenance",
]
FIGURES = ["accuracy_vs_qubits", "circuit_time_vs_qubits", "confusion_matrices", "gate_trajectories"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SUMMARY = {
    "suite": "smoke",
    "suite_path": "suites/smoke.yaml",
    "run_id": "2024-01-01T00-00-00",
    "started": "2024-01-01T00:00:00",
    "finished": "2024-01-01T01:02:05",
    "wall_s": 3725.0,
    "cells_total": 80,
    "cells_ok": 78,
    "cells_failed": 1,
    "cells_skipped": 1,
    "cells_run_now": 50,
    "cells_reused": 28,
    "provenance": {"git_sha": "abc123", "pennylane": "0.40.0", "cpu": "test-cpu", "gpu": "none"},
}


@pytest.fixture(scope="module")
def full_report(synthetic_records, tmp_path_factory) -> dict[str, Path]:
    return write_report(synthetic_records, tmp_path_factory.mktemp("full"), SUMMARY)


def _assert_headings(md: str, html: str, title: str, absent: tuple[str, ...] = ()) -> None:
    assert md.startswith(f"# qhead-bench report: {title}\n")
    headings = [h for h in HEADINGS if h not in absent]
    positions = [md.index(f"\n{h}\n") for h in headings]
    assert positions == sorted(positions), "sections out of order"
    assert f"<h1>qhead-bench report: {title}</h1>" in html
    for h in absent:
        assert f"\n{h}\n" not in md and f">{h.lstrip('# ')}</h" not in html, f"empty figure shown: {h}"
    for h in headings:
        level = h.count("#")
        assert re.search(rf'<h{level} id="[a-z0-9-]+">{re.escape(h.lstrip("# "))}</h{level}>', html), h


def _assert_tables_consistent(md: str) -> None:
    blocks = re.findall(r"(?:^\|.*\|$\n?)+", md, flags=re.M)
    assert blocks
    for block in blocks:
        counts = {len(re.split(r"(?<!\\)\|", line)) for line in block.strip().splitlines()}
        assert len(counts) == 1, f"inconsistent columns in:\n{block}"


def test_full_report_sections_and_tables(full_report):
    md, html = full_report["md"].read_text(), full_report["html"].read_text()
    assert set(full_report) == {"md", "html"}
    _assert_headings(md, html, "smoke")
    _assert_tables_consistent(md)
    assert "95 % Student-t" in md and "paired by seed" in md and "Holm over this table" in md
    assert "1 h 2 min 5 s" in md and "suites/smoke.yaml" in md and "Cells reused from the store" in md
    assert "out of memory \\| at step 3" in md and "qiskit not installed" in md
    assert "git_sha" in md and "old999" in md  # differing record provenance is surfaced
    assert "No data." not in md
    assert '<table class="data sortable">' in html and 'src="data:image/png;base64,' in html
    assert '<nav class="toc"' in html and "figures/confusion_matrices.png" not in html


def test_full_report_figures(full_report):
    figures = full_report["md"].parent / "figures"
    md = full_report["md"].read_text()
    for name in FIGURES:
        png = figures / f"{name}.png"
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 1024, name
        assert f"](figures/{name}.png)" in md
        svg = png.with_suffix(".svg").read_text()
        assert (
            svg.lstrip().startswith("<?xml") and "<svg" in svg and "<image" not in svg.split("</defs>")[0]
        ), name
    assert plt.get_fignums() == []  # nothing left open in pyplot


def _mean_val(records, **match) -> float:
    chosen = [r for r in records if r.status == "ok" and all(getattr(r, k) == v for k, v in match.items())]
    return sum(r.metrics["val_accuracy"] for r in chosen) / len(chosen)


def test_confusion_subset_is_chosen_on_validation(demo_records):
    best = best_configurations(demo_records, comparisons(demo_records))
    panels = confusion_subset(demo_records, confusion_picks(demo_records, best))
    roles = [role for role, _ in panels]
    assert roles[0].startswith("classical baseline") and roles[1].startswith("best configuration")
    assert roles[2].startswith("its best control") and len(panels) == 3
    classical, treatment, control = (recs for _, recs in panels)
    b = best.iloc[0]
    assert {r.head for r in classical} == {"classical"} and {r.n_qubits for r in classical} == {b["n_qubits"]}
    assert {(r.head, r.n_qubits, r.n_layers, r.backend) for r in treatment} == {
        (b["head"], b["n_qubits"], b["n_layers"], b["backend"])
    }
    assert [r.seed for r in treatment] == [0, 1, 2]  # every seed, pooled: no choice on the test split
    kinds = {r.control for r in demo_records if r.control and r.treatment == b["head"]}
    by_val = {k: _mean_val(demo_records, control=k, treatment=b["head"]) for k in kinds}
    assert {r.control for r in control} == {max(by_val, key=by_val.get)}


def test_classical_only_report(synthetic_records, tmp_path):
    classical = [r for r in synthetic_records if r.head == "classical"]
    paths = write_report(classical, tmp_path, {"suite": "classical-only"})
    md, html = paths["md"].read_text(), paths["html"].read_text()
    empty = (
        "### Circuit time vs qubits",
        "### Gate trajectories",
        "### Accuracy vs layers: best configuration",
    )
    _assert_headings(md, html, "classical-only", absent=empty)
    _assert_tables_consistent(md)
    assert (tmp_path / "figures" / "accuracy_vs_qubits.png").exists()
    assert (tmp_path / "figures" / "confusion_matrices.png").exists()
    assert not (tmp_path / "figures" / "gate_trajectories.png").exists()
    assert "No data." not in md  # figures without data are left out, heading and all
    assert "None recorded for this run." in md


def test_empty_report_and_stale_figures_removed(full_report, tmp_path):
    stale = tmp_path / "figures" / "gate_trajectories.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(PNG_SIGNATURE)
    paths = write_report([], tmp_path, {})
    md, html = paths["md"].read_text(), paths["html"].read_text()
    _assert_headings(
        md, html, "(unnamed suite)", absent=tuple(h for h in HEADINGS if h.startswith("### ")) + ("## Plots",)
    )
    assert "No data." not in md and "<img" not in html
    assert not stale.exists()
    assert "Records in this report | 0 (0 ok, 0 failed, 0 skipped)" in md


def test_html_escapes_user_text(synthetic_records, tmp_path):
    failed = [r for r in synthetic_records if r.status == "failed"]
    bad = failed[0].__class__(**{**failed[0].to_dict(), "error": "<script>alert(1)</script>"})
    paths = write_report([bad], tmp_path, {"suite": "<b>x</b>", "provenance": {"cpu": "<i>"}})
    html = paths["html"].read_text()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<h1>qhead-bench report: &lt;b&gt;x&lt;/b&gt;</h1>" in html and "&lt;i&gt;" in html


def test_report_shows_the_suite_description_settings_and_links_its_trends_and_compare_pages(
    synthetic_records, tmp_path
):
    suite_dir = tmp_path / "reports" / "smoke"
    (suite_dir / "compare" / "r1..r2").mkdir(parents=True)
    (suite_dir / "compare" / "r1..r2" / "index.html").write_text("<p>compare</p>")
    (suite_dir / "compare" / "r0..r1").mkdir(parents=True)
    (suite_dir / "compare" / "r0..r1" / "index.html").write_text("<p>other</p>")
    (suite_dir / "results.sqlite").write_bytes(b"")
    summary = {**SUMMARY, "run_id": "r2", "description": "Digits <8x8>.", "settings_yaml": "name: smoke\n"}
    paths = write_report(synthetic_records, suite_dir / "r2", summary)
    md, html = paths["md"].read_text(), paths["html"].read_text()
    assert "Digits <8x8>." in md and "Digits &lt;8x8&gt;." in html
    assert "```yaml\nname: smoke\n```" in md and "<pre>name: smoke\n</pre>" in html
    assert '<a href="../trends/index.html">' in html and '<a href="../compare/r1..r2/index.html">' in html
    assert "r0..r1" not in html and "[trends of this suite](../trends/index.md)" in md
    assert "settings_yaml" not in md  # not repeated in the summary table


def test_report_says_why_circuit_controls_ran_elsewhere_than_their_treatment(record_factory):
    from bench.report.sections.verdict import control_backend_note

    treatment = record_factory("quantum", 2, 0, 1, "depolarizing-0.01", accuracy=0.6)
    control = record_factory("quantum", 2, 0, 1, "torch.statevector", accuracy=0.5, control="no-entanglement")
    note = control_backend_note([treatment, control])
    assert (
        "ran on torch.statevector (treatments on depolarizing-0.01)" in note and "no exact simulator" in note
    )
    same = record_factory("quantum", 2, 0, 1, "depolarizing-0.01", accuracy=0.5, control="frozen-circuit")
    assert control_backend_note([treatment, same]) == ""
