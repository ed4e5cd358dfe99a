"""End to end: a tiny suite with controls on runs, links every control to its treatment, and the
report opens with a Verdict over every control."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cli.parser import main
from bench.results.store import ResultsStore
from tests.conftest import write_suite

KINDS = ["matched-mlp", "no-entanglement", "tanh-linear", "beta-zero", "frozen-circuit"]


@pytest.fixture(scope="module")
def ablation_run(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("ablation")
    suite = write_suite(
        tmp,
        {
            "heads": ["classical", "hybrid-fixed"],
            "backends": ["default.qubit"],
            "seeds": [0, 1],
            "controls": True,
        },
    )
    code = main(["run", str(suite), "--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache")])
    assert code == 0
    return tmp


def test_controls_ran_and_are_linked(ablation_run):
    records = ResultsStore(ablation_run / "reports" / "tiny" / "results.sqlite").get()
    assert all(r.status == "ok" for r in records), [r.error for r in records if r.status != "ok"]
    controls = [r for r in records if r.control]
    assert sorted({r.control for r in controls}) == sorted(KINDS)
    assert len(controls) == len(KINDS) * 2
    assert all(r.treatment == "hybrid-fixed" and r.head == f"hybrid-fixed~{r.control}" for r in controls)
    by = {(r.control, r.seed): r for r in records}
    for seed in (0, 1):
        treatment = next(r for r in records if r.head == "hybrid-fixed" and r.seed == seed)
        matched = by[("matched-mlp", seed)]
        assert abs(matched.metrics["param_ratio"] - 1) <= 0.1
        assert matched.metrics["param_target"] == treatment.n_params_classical + treatment.n_params_quantum
        assert by[("frozen-circuit", seed)].n_params_quantum == 0
        assert by[("beta-zero", seed)].n_params_quantum == 0 and by[("beta-zero", seed)].backend is None
        assert treatment.labels == matched.labels  # same test split: pairable
        assert treatment.selection["chosen"] == {} and "validation" in treatment.selection["rule"]


def test_report_opens_with_a_verdict_over_every_control(ablation_run):
    md = (ablation_run / "reports" / "tiny" / "latest" / "index.md").read_text()
    assert md.index("## Verdict") < md.index("## Run summary") < md.index("## Overfitting")
    verdict = md[md.index("## Verdict") : md.index("## Run summary")]
    lines = [line for line in verdict.splitlines() if line.startswith("| urban-synth")]
    conclusion, rows = lines[0], lines[1:]  # the conclusion in words first, then one row per control
    assert "Too few seeds to conclude (2)" in conclusion  # two seeds cannot decide: it says so
    assert len(rows) == len(KINDS)
    for kind in KINDS:
        assert any(f"| {kind} (" in row for row in rows)
    assert all("| too few seeds to conclude (2): at least " in row for row in rows)
    assert "hybrid-fixed · 2 qubits · 1 layers" in rows[0]
    figures = ablation_run / "reports" / "tiny" / "latest" / "figures"
    assert (figures / "forest.png").exists() and (figures / "cost_accuracy.png").exists()
    # one qubit count and one layer count: the controls-vs-qubits/layers lines would be single points
    assert (
        not (figures / "controls_vs_qubits.png").exists()
        and not (figures / "controls_vs_layers.png").exists()
    )
    assert "Accuracy vs layers" not in md and "No data." not in md
