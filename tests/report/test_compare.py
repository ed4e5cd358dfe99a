"""Treatment vs control comparisons on synthetic cases with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from bench.report.compare import comparisons, reference_keys
from bench.results.record import Record
from bench.stats import mean_ci, paired_bootstrap_ci

N_TEST = 200
SEEDS = (0, 1, 2, 3, 4)
LABELS = (np.arange(N_TEST) % 4).tolist()


def _predictions(accuracy: float, seed: int, salt: int) -> list[int]:
    """Predictions with exactly ``accuracy`` of the labels right, the wrong ones drawn from ``salt``."""
    rng = np.random.default_rng([seed, salt])
    y = np.array(LABELS)
    pred = y.copy()
    wrong = rng.choice(N_TEST, size=int(round((1 - accuracy) * N_TEST)), replace=False)
    pred[wrong] = (y[wrong] + 1) % 4
    return pred.tolist()


def _record(
    head: str,
    seed: int,
    predictions: list[int],
    control: str | None = None,
    backend: str | None = "default.qubit",
    n_qubits: int = 4,
    n_layers: int = 2,
) -> Record:
    acc = float(np.mean(np.array(predictions) == np.array(LABELS)))
    label = f"{head}~{control}" if control else head
    return Record(
        key=f"toy/{label}/q{n_qubits}/l{n_layers}/{backend}/s{seed}",
        status="ok",
        dataset="toy",
        head=label,
        n_qubits=n_qubits,
        n_layers=n_layers,
        backend=backend,
        seed=seed,
        trained_on="default.qubit",
        metrics={"test_accuracy": acc, "val_accuracy": acc, "train_accuracy": acc},
        predictions=predictions,
        labels=list(LABELS),
        n_params_classical=50,
        n_params_quantum=24 if control is None else 0,
        timings={
            "head_training_s": 10.0 if control is None else 1.0,
            "evaluation_s": 0.5 if control is None else 0.1,
        },
        control=control,
        treatment=head if control else None,
    )


def _pair(
    acc_t: float, acc_c: float, kind: str = "matched-mlp", same: bool = False, seeds=SEEDS
) -> list[Record]:
    out = []
    for s in seeds:
        pred_t = _predictions(acc_t, s, 1)
        out.append(_record("quantum", s, pred_t))
        out.append(
            _record("quantum", s, pred_t if same else _predictions(acc_c, s, 2), control=kind, backend=None)
        )
    return out


def test_identical_predictions_give_no_significant_difference():
    row = comparisons(_pair(0.8, 0.8, same=True)).iloc[0]
    assert row["delta"] == 0 and row["p_value"] == 1.0
    assert row["verdict"] == "no significant difference"


@pytest.mark.parametrize(("acc_t", "acc_c", "word"), [(0.9, 0.6, "better"), (0.55, 0.85, "worse")])
def test_a_planted_large_difference_is_detected_with_the_right_sign(acc_t, acc_c, word):
    row = comparisons(_pair(acc_t, acc_c)).iloc[0]
    assert row["delta"] == pytest.approx(acc_t - acc_c)
    assert row["ci_low"] <= acc_t - acc_c <= row["ci_high"]
    assert row["p_holm"] < 1e-6 and row["n_pairs"] == len(SEEDS)
    assert row["verdict"] == word
    assert row["train_time_ratio"] == pytest.approx(10.0) and row["inference_time_ratio"] == pytest.approx(
        5.0
    )
    assert row["cost_reference"] == "matched-mlp"
    assert (row["treatment_params"], row["control_params"]) == (74, 50)


def test_same_accuracy_different_errors_is_no_significant_difference():
    row = comparisons(_pair(0.75, 0.75)).iloc[0]
    assert row["delta"] == 0 and row["p_value"] > 0.05
    assert row["verdict"] == "no significant difference"


@pytest.mark.parametrize("seeds", [(0,), (0, 1, 2), (0, 1, 2, 3)])
def test_fewer_than_five_seed_pairs_never_give_a_verdict(seeds):
    row = comparisons(_pair(0.95, 0.4, seeds=seeds)).iloc[0]
    assert row["n_pairs"] == len(seeds) and np.isnan(row["ci_low"]) == (len(seeds) == 1)
    assert row["verdict"] == "too few units"
    assert row["verdict_text"].startswith(f"too few seeds to conclude ({len(seeds)}): at least 5 needed")


def test_pairs_match_by_seed_not_by_position():
    records = _pair(0.9, 0.6)
    # drop the control of seed 0 and relabel: treatment seeds 0..4, control seeds 1..4
    records = [r for r in records if not (r.control and r.seed == 0)]
    records.reverse()
    row = comparisons(records).iloc[0]
    assert row["n_pairs"] == 4
    accs = {(r.control, r.seed): r.metrics["test_accuracy"] for r in records}
    expected = np.mean([accs[(None, s)] - accs[("matched-mlp", s)] for s in (1, 2, 3, 4)])
    assert row["delta"] == pytest.approx(expected)


def test_other_backends_of_a_treatment_are_not_counted_twice():
    records = _pair(0.9, 0.6)
    copies = [
        _record("quantum", r.seed, r.predictions, backend="lightning.qubit") for r in records if not r.control
    ]
    all_records = records + copies
    row = comparisons(all_records).iloc[0]
    assert row["n_pairs"] == len(SEEDS) and row["backend"] == "default.qubit"
    assert not reference_keys(all_records) & {r.key for r in copies}


def test_holm_corrects_across_the_comparisons_of_a_report():
    """Five modest differences, each significant alone (t over seeds: p = 0.025), none after Holm."""
    kinds = ["matched-mlp", "no-entanglement", "tanh-linear", "beta-zero", "frozen-circuit"]
    deltas = (0.02, 0.035, 0.005, 0.03, 0.01)
    records = []
    for i, kind in enumerate(kinds):
        for s, d in zip(SEEDS, deltas, strict=True):
            if i == 0:
                records.append(_record("quantum", s, _predictions(0.80, s, 1)))
            records.append(
                _record("quantum", s, _predictions(0.80 - d, s, 10 + i), control=kind, backend=None)
            )
    table = comparisons(records)
    assert list(table["control"]) == kinds  # CONTROL_KINDS order
    assert table["p_value"].to_numpy() == pytest.approx(0.0247, abs=5e-4) and (table["ci_low"] > 0).all()
    assert (table["p_holm"] > 0.05).all()
    assert set(table["verdict"]) == {"no significant difference"}
    assert table["verdict_text"].str.contains("could have detected").all()
    alone = comparisons([r for r in records if r.control in (None, "matched-mlp")]).iloc[0]
    assert alone["p_holm"] == alone["p_value"] and alone["verdict"] == "better"
    assert 0.95 < alone["p_better"] < 1 and alone["mde"] > 0.02


def test_ci_coverage_is_roughly_nominal_on_simulated_data():
    """Δ per seed ~ Normal(0.02, 0.03): the share of 95 % intervals that contain 0.02."""
    rng = np.random.default_rng(7)
    sims, truth = 400, 0.02
    t_hits = {5: 0}
    boot_hits = {5: 0, 10: 0}
    for i in range(sims):
        for n in boot_hits:
            d = rng.normal(truth, 0.03, n)
            _, low, high = paired_bootstrap_ci(d, np.zeros(n), n_boot=2000, seed=i, expand=True)
            boot_hits[n] += low <= truth <= high
            if n in t_hits:
                m, hw = mean_ci(d)
                t_hits[n] += m - hw <= truth <= m + hw
    assert 0.91 <= t_hits[5] / sims <= 0.99  # Student-t: exact for normal data
    assert 0.85 <= boot_hits[5] / sims <= 0.97  # expanded bootstrap, 5 pairs (plain percentile: ~0.84)
    assert 0.90 <= boot_hits[10] / sims <= 0.99
