"""The conclusion in words: each rule of bench/report/sections/conclusion.py on hand-made verdicts."""

from __future__ import annotations

import math

import pandas as pd

from bench.report.sections.conclusion import conclusion

CONFIG = "hybrid-gated · 8 qubits · 2 layers"


def _rows(**verdicts) -> pd.DataFrame:
    """``matched_mlp="better:0.02"`` -> a comparison row of that control with that verdict and Δ."""
    rows = []
    for kind, spec in verdicts.items():
        verdict, _, delta = spec.partition(":")
        rows.append(
            {
                "control": kind.replace("_", "-"),
                "verdict": {"nsd": "no significant difference", "few": "too few units"}.get(verdict, verdict),
                "delta": float(delta or 0),
                "mde": 0.021,
                "needed": 14 if verdict == "few" else math.nan,
                "unit": "seed",
                "n_pairs": 3 if verdict == "few" else 10,
            }
        )
    return pd.DataFrame(rows)


def test_the_issues_example_attributes_the_gain_to_the_added_parameters():
    text = conclusion(
        CONFIG,
        _rows(matched_mlp="nsd", no_entanglement="nsd", frozen_circuit="nsd", beta_zero="better:0.068"),
    )
    assert text.startswith(
        "The circuit adds nothing measurable: hybrid-gated · 8 qubits · 2 layers beats none"
    )
    assert "(matched-mlp, no-entanglement, frozen-circuit)" in text
    assert (
        "its +6.8 pp over beta-zero is matched by the parameter-matched MLP, so it comes from the added"
        in text
    )


def test_helping_needs_both_the_matched_mlp_and_no_entanglement():
    helps = conclusion(
        CONFIG, _rows(matched_mlp="better:0.03", no_entanglement="better:0.02", tanh_linear="nsd")
    )
    assert (
        helps.startswith("The quantum part helps") and "+3.0 pp" in helps and "does not beat a tanh" in helps
    )
    only_mlp = conclusion(CONFIG, _rows(matched_mlp="better:0.03", no_entanglement="nsd"))
    assert only_mlp.startswith("No evidence that entanglement helps")
    only_ent = conclusion(CONFIG, _rows(matched_mlp="nsd", no_entanglement="better:0.03"))
    assert only_ent.startswith("No evidence that the quantum part helps")
    missing = conclusion(CONFIG, _rows(matched_mlp="better:0.03"))
    assert "without the no-entanglement control" in missing


def test_worse_too_few_and_no_difference():
    assert conclusion(CONFIG, _rows(matched_mlp="worse:-0.02", no_entanglement="nsd")).startswith(
        "The circuit costs accuracy"
    )
    few = conclusion(CONFIG, _rows(matched_mlp="few", no_entanglement="few"))
    assert few.startswith("Too few seeds to conclude (3)") and "at least 14 seeds" in few
    nothing = conclusion(CONFIG, _rows(matched_mlp="nsd", no_entanglement="nsd"))
    assert "could have detected |Δ| ≥ 2.1–2.1 pp" in nothing
    assert conclusion(CONFIG, _rows()).startswith("No comparison")
