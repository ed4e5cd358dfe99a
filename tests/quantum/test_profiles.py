"""Backend profiles: shipped ones load, bad ones fail with one exact line, suites resolve names."""

from __future__ import annotations

import pytest

from bench.core.errors import UserError
from bench.quantum.resolve import evaluation_backends, is_evaluate_only
from bench.spec.loader import load_suite
from bench.spec.profile_files import PACKAGE_PROFILES, load_all, load_profile, profile_files
from tests.conftest import write_suite

SHIPPED = sorted(profile_files([PACKAGE_PROFILES]))


def test_every_shipped_profile_loads_and_the_required_ones_exist():
    loaded = load_all([PACKAGE_PROFILES])
    assert not [n for n, p in loaded.items() if isinstance(p, UserError)]
    kinds = {name: p.kind for name, p in loaded.items()}
    assert kinds["exact"] == "exact" and kinds["shots-1024"] == "shots"
    assert [k for n, k in kinds.items() if n.startswith("depolarizing-")].count("noisy") >= 3
    assert kinds["fake-manila"] == kinds["fake-brisbane"] == "fake-device"
    assert kinds["ibm-hardware"] == "ibm" and not loaded["ibm-hardware"].ibm.rehearse
    assert loaded["ibm-rehearsal"].ibm.rehearse


@pytest.mark.parametrize("name", SHIPPED)
def test_kind_decides_train_or_evaluate(name):
    profile = load_profile(PACKAGE_PROFILES / f"{name}.yaml")
    assert profile.evaluate_only == (profile.kind != "exact")
    assert profile.summary()


BAD = [
    (
        "devise: default.qubit\n",
        "p.yaml:1: devise: unknown key; did you mean 'device'? (allowed: description, device, "
        "diff_method, eval_samples, ibm, "
        "max_qubits, mitigation, noise, params, shots)",
    ),
    ("shots: 0\n", "p.yaml:1: shots: Input should be greater than or equal to 1 (got 0)"),
    (
        "device: default.mixed\nnoise: {depolarizing: 0.01, amplitude_damping: 0.1}\n",
        "p.yaml:2: noise: give exactly one of depolarizing, amplitude_damping, fake_device "
        "(got ['depolarizing', 'amplitude_damping'])",
    ),
    (
        "noise:\n  depolarizing: 1.5\n",
        "p.yaml:2: noise.depolarizing: Input should be less than or equal to 0.75 (got 1.5)",
    ),
    (
        "device: default.qubit\nnoise: {depolarizing: 0.01}\n",
        "p.yaml:1: device: noise.depolarizing needs a mixed-state device (allowed: default.mixed; got "
        "'default.qubit')",
    ),
    ("noise: {fake_device: FakeManilaV2}\n", "p.yaml:1: shots: required for fake_device and ibm profiles"),
    (
        "noise: {fake_device: manila}\nshots: 10\n",
        "p.yaml:1: noise.fake_device: String should match pattern '^Fake[A-Za-z0-9]+$' (got 'manila')",
    ),
    (
        "shots: 10\nibm:\n  backend: ibm_x\n  mode: sesion\n",
        "p.yaml:4: ibm.mode: Input should be 'job', 'batch' or 'session' (got 'sesion')",
    ),
    ("shots: 10\nibm: {mode: batch}\n", "p.yaml:2: ibm.backend: required key is missing"),
    (
        "shots: 10\nibm: {backend: X}\nnoise: {depolarizing: 0.1}\n",
        "p.yaml:2: ibm: give either noise or ibm, not both (hardware brings its own noise)",
    ),
    (
        "shots: 10\nmitigation: {}\n",
        "p.yaml:2: mitigation: needs noise or ibm (there is no noise to mitigate)",
    ),
    (
        "noise: {depolarizing: 0.1}\nmitigation: {scale_factors: [1, 2]}\n",
        "p.yaml:2: mitigation: scale_factors must be odd integers (got [1.0, 2.0])",
    ),
    ("- a\n", "p.yaml:1: <top level>: a backend profile must be a mapping of keys (got list)"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m.split(": ", 1)[1][:40] for _, m in BAD])
def test_bad_profile_fails_with_one_exact_line(tmp_path, text, message):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as info:
        load_profile(path)
    assert str(info.value) == f"{tmp_path}/{message}"


def test_suite_resolves_files_inline_profiles_and_rejects_unknown_names(tmp_path):
    (tmp_path / "backends").mkdir()
    (tmp_path / "backends" / "my-noise.yaml").write_text("noise: {amplitude_damping: 0.2}\n")
    suites = tmp_path / "suites"
    suites.mkdir()
    inline = {"inline-shots": {"shots": 50, "eval_samples": 4}}
    suite = load_suite(
        write_suite(
            suites,
            {
                "backends": ["default.qubit", "my-noise", "inline-shots", "depolarizing-0.01"],
                "profiles": inline,
            },
        )
    )
    assert set(suite.profiles) == {"my-noise", "inline-shots", "depolarizing-0.01"}  # files next to the suite
    assert suite.profiles["my-noise"].pennylane_device == "default.mixed"
    assert is_evaluate_only(suite, "inline-shots") and not is_evaluate_only(suite, "default.qubit")
    assert [v for v, _ in evaluation_backends(suite, "my-noise", seed=0)] == ["raw"]
    unknown = r"suite.yaml:\d+: backends\[1\]: unknown backend 'my-nois'; did you mean"
    with pytest.raises(UserError, match=unknown):
        load_suite(write_suite(suites, {"backends": ["default.qubit", "my-nois"]}))
    with pytest.raises(UserError, match=r"profiles.default.qubit: 'default.qubit' is a built-in simulator"):
        load_suite(write_suite(suites, {"profiles": {"default.qubit": {"shots": 5}}}))


def test_bad_file_profile_named_by_a_suite_fails_at_suite_load(tmp_path):
    (tmp_path / "backends").mkdir()
    (tmp_path / "backends" / "broken.yaml").write_text("shots: -1\n")
    (tmp_path / "suites").mkdir()
    with pytest.raises(UserError) as info:
        load_suite(write_suite(tmp_path / "suites", {"backends": ["broken"]}))
    expected = "backends/broken.yaml:1: shots: Input should be greater than or equal to 1 (got -1)"
    assert str(info.value).endswith(expected)


def test_editing_a_profile_changes_the_cell_keys_but_not_the_trained_head(tmp_path):
    from bench.plan.grid import expand

    (tmp_path / "backends").mkdir()
    (tmp_path / "suites").mkdir()
    profile = tmp_path / "backends" / "n.yaml"
    cells = []
    for p in (0.01, 0.02):
        profile.write_text(f"noise: {{depolarizing: {p}}}\n")
        suite = load_suite(write_suite(tmp_path / "suites", {"backends": ["default.qubit", "n"]}))
        cells.append([c for c in expand(suite) if c.backend == "n"][0])
    assert cells[0].key != cells[1].key
    assert cells[0].train_key == cells[1].train_key
