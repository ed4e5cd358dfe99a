"""Suite validation: good suites load frozen; bad ones fail with one exact line."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bench.core.errors import UserError
from bench.core.registry import SIMULATORS
from bench.spec.loader import load_suite
from bench.spec.profile_files import profile_dirs, profile_files

GOOD_HEAD = "classical"
ALLOWED_BACKENDS = ", ".join(sorted({*SIMULATORS.names(), *profile_files(profile_dirs())}))


def test_demo_suite_loads_and_is_frozen():
    suite = load_suite("suites/audio.yaml")
    assert suite.name == "audio"
    assert [h.name for h in suite.heads] == ["classical", "quantum", "hybrid-fixed", "hybrid-gated"]
    assert {k: suite.heads[2].params[k] for k in ("alpha", "beta")} == {"alpha": 1.0, "beta": 0.5}
    with pytest.raises(ValidationError):
        suite.name = "other"


def test_defaults_are_made_explicit(tiny_suite_path):
    suite = load_suite(tiny_suite_path)
    assert suite.heads[0].params == {}
    assert "dropout" in suite.backbone.params  # the backbone's defaults are filled in
    assert suite.datasets[0].params["seed"] == 0


BAD = [
    ("name: x\nheads: [classical]\nqubits: [2]\n", "suite.yaml:1: datasets: required key is missing"),
    (
        "name: x\ndatasets: [urban-synth]\nheads: [quantom]\nqubits: [2]\n",
        "suite.yaml:3: heads[0].name: unknown head 'quantom'; did you mean 'quantum'? "
        "(allowed: classical, hybrid-fixed, hybrid-gated, matched-mlp, quantum)",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads: [classical]\nqubits: [2]\ntrainig: {epochs: 3}\n",
        "suite.yaml:5: trainig: unknown key; did you mean 'training'? (allowed: backbone, backends, "
        "budget, compression, controls, "
        "datasets, description, features, heads, layers, name, profiles, qubits, seeds, training)",
    ),
    (  # the typo is named, not only the required key it leaves missing
        "name: x\ndatasets: [urban-synth]\nheads: [classical]\nqubit: [2]\n",
        "suite.yaml:4: qubit: unknown key; did you mean 'qubits'? (allowed: backbone, backends, budget, "
        "compression, controls, datasets, description, features, heads, layers, name, profiles, qubits, "
        "seeds, training)",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads: [classical]\nqubits: [2]\nseeds: 5\n",
        "suite.yaml:5: seeds: expected a list, written [a, b, ...] or one '- item' per line (got 5); "
        "for 5 seeds write seeds: [0, 1, 2, 3, 4]",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads: [classical]\nqubits: 4\n",
        "suite.yaml:4: qubits: expected a list, written [a, b, ...] or one '- item' per line (got 4); "
        "for one value write qubits: [4]",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads:\n  - name: quantum\n    training: {lr: 0}\nqubits: [2]\n",
        "suite.yaml:5: heads[0].training.lr: Input should be greater than 0 (got 0)",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads:\n  - name: quantum\n    training: {lrr: 0.1}\n"
        "qubits: [2]\n",
        "suite.yaml:5: heads[0].training.lrr: unknown key; did you mean 'lr'? (allowed: agreement_tol, "
        "batch_size, device, epochs, lightning_from_qubits, lr, patience, timing_repeats, train_on, "
        "weight_decay)",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads: [classical]\nqubits: [2]\ntraining:\n  epochs: 0\n",
        "suite.yaml:6: training.epochs: Input should be greater than or equal to 1 (got 0)",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads: [classical]\nqubits: [2, 40]\n",
        "suite.yaml:4: qubits[1]: Input should be less than or equal to 30 (got 40)",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads: [classical]\nqubits: [2]\nbackends: [default.qbit]\n",
        "suite.yaml:5: backends[0]: unknown backend 'default.qbit'; did you mean 'default.qubit'? "
        f"(allowed: {ALLOWED_BACKENDS})",
    ),
    (  # a family name suggests the simulator that runs everywhere, not lightning.gpu
        "name: x\ndatasets: [urban-synth]\nheads: [classical]\nqubits: [2]\nbackends: [lightning]\n",
        "suite.yaml:5: backends[0]: unknown backend 'lightning'; did you mean 'lightning.qubit'? "
        f"(allowed: {ALLOWED_BACKENDS})",
    ),
    (
        "name: x\ndatasets:\n  - name: urban-synth\n    params:\n      n_per_clas: 3\nheads: [classical]\n"
        "qubits: [2]\n",
        "suite.yaml:5: datasets[0].params.n_per_clas: unknown key; did you mean 'n_per_class'? "
        "(allowed: n_classes, n_per_class, "
        "overlap_prob, sample_rate, seconds, seed, snr_db, test_fraction, val_fraction)",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads:\n  - name: hybrid-fixed\n    params: {beta: high}\n"
        "qubits: [2]\n",
        "suite.yaml:5: heads[0].params.beta: Input should be a valid number, "
        "unable to parse string as a number (got 'high')",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads: [classical]\nqubits: [2]\ntraining: {train_on: gpu}\n",
        "suite.yaml:5: training.train_on: unknown value 'gpu' (allowed: auto, each, default.qubit, "
        "lightning.gpu, lightning.kokkos, lightning.qubit, torch.statevector)",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads: [classical, quantum, classical]\nqubits: [2]\n",
        "suite.yaml:3: heads[2]: 'classical' is listed twice with the same params (give one a label)",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads: [classical]\nqubits: [2, 2]\n",
        "suite.yaml:4: qubits: duplicate values in [2, 2]",
    ),
    (
        "name: x\ndatasets: [urban-synth]\nheads: [classical]\nqubits: [2]\n"
        "compression: {angle_range: [3, 1]}\n",
        "suite.yaml:5: compression: angle_range must be [low, high] with low < high (got [3.0, 1.0])",
    ),
    (
        "name: x\ndatasets: [urban-synth\n",
        "suite.yaml:3: invalid YAML: expected ',' or ']', but got '<stream end>' (byte offset 31)",
    ),
    ("- just\n- a list\n", "suite.yaml:1: <top level>: a suite must be a mapping of keys (got list)"),
    (
        "name: 'bad name'\ndatasets: [urban-synth]\nheads: [classical]\nqubits: [2]\n",
        "suite.yaml:1: name: String should match pattern '^[A-Za-z0-9_.-]+$' (got 'bad name')",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m.split(": ", 1)[1][:40] for _, m in BAD])
def test_bad_suite_fails_with_one_exact_line(tmp_path, text, message):
    path = tmp_path / "suite.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as info:
        load_suite(path)
    assert str(info.value) == f"{tmp_path}/{message}"
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="file not found"):
        load_suite(tmp_path / "nope.yaml")
