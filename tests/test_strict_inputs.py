"""Strict inputs (issue #13): what used to be accepted silently, or crashed, is one line naming the
file and what is wrong."""

from __future__ import annotations

import os
import stat

import pytest

from bench.cli.parser import main
from bench.core.errors import UserError
from bench.core.files import atomic_write, user_file_mode
from bench.results.cache import Cache
from bench.spec.loader import load_suite
from bench.spec.profile_files import load_profile

HEAD = "name: x\ndatasets: [urban-synth]\nheads: [classical]\n"


def _error(tmp_path, text: str | bytes, name: str = "suite.yaml") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(UserError) as info:
        load_suite(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message.removeprefix(f"{path}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD + "qubits: [2]\nqubits: [4]\n",
            ":5: qubits: duplicate key (first given on line 4; give each key once)",
        ),
        (
            HEAD + "qubits: [2]\ntraining: {epochs: 2, epochs: 3}\n",
            ":5: training.epochs: duplicate key (first given on line 5; give each key once)",
        ),
        (HEAD + "qubits: [true]\n", ":4: qubits[0]: expected a number, got the boolean true"),
        (HEAD + "qubits: [2]\nseeds: [0, false]\n", ":5: seeds[1]: expected a number, got the boolean false"),
        (
            HEAD + "qubits: [2]\ntraining: {lr: true}\n",
            ":5: training.lr: expected a number, got the boolean true",
        ),
        (
            "name: x\ndatasets: [{name: urban-synth, params: {n_per_class: true}}]\nheads: [classical]\n"
            "qubits: [2]\n",
            ":2: datasets[0].params.n_per_class: expected a number, got the boolean true",
        ),
        (
            HEAD + "qubits: [2]\nprofiles:\n  p: {shots: true}\n",
            ":6: profiles.p.shots: expected a number, got the boolean true",
        ),
        (
            "name: ..\ndatasets: [urban-synth]\nheads: [classical]\nqubits: [2]\n",
            ":1: name: '..' is not a folder name (reports go to reports/<name>/); use letters, digits, "
            "'_', '.' and '-', not only dots",
        ),
        (
            HEAD.encode() + b"qubits: [2]\n\xff\xfe\x00binary",
            ":5: not a UTF-8 text file (byte 0xff at byte offset 63; save it as UTF-8 YAML)",
        ),
        (
            "name: caf\xe9\n".encode("latin-1"),
            ":1: not a UTF-8 text file (byte 0xe9 at byte offset 9; save it as UTF-8 YAML)",
        ),
    ],
)
def test_silent_accepts_and_crashes_become_one_line(tmp_path, text, message):
    assert _error(tmp_path, text) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD + "qubits: [2]\ncompression: {angle_range: [0.0]}\n",
            ":5: compression.angle_range: needs exactly 2 values (got [0.0])",
        ),
        (
            HEAD + "qubits: [2]\ncontrols: maybe\n",
            ":5: controls: expected true (every control), false or [] (none), a list of kinds (matched-mlp, "
            "no-entanglement, tanh-linear, beta-zero, frozen-circuit) or a mapping of keys "
            "(allowed: kinds, layers, param_tolerance, qubits) (got 'maybe')",
        ),
        (
            HEAD + "qubits: [2]\ntraining: 5\n",
            ":5: training: expected a mapping of keys (allowed: agreement_tol, batch_size, device, epochs, "
            "lightning_from_qubits, lr, patience, timing_repeats, train_on, weight_decay) (got 5)",
        ),
        (
            HEAD + "qubits: [2]\nprofiles:\n  p: {noise: {depolarising: 0.1}}\n",
            ":6: profiles.p.noise.depolarising: unknown key; did you mean 'depolarizing'? "
            "(allowed: amplitude_damping, depolarizing, "
            "fake_device, optimization_level, seed_transpiler)",
        ),
        (HEAD + "qubits: []\n", ":4: qubits: needs at least 1 value (got [])"),
        (
            HEAD + "qubits: [2]\nfeatures: 5\n",
            ":5: features: expected a name or a mapping of keys (allowed: label, name, params) (got 5)",
        ),
        (
            HEAD + "qubits: [2]\nprofiles:\n  p: {diff_method: magic}\n",
            ":6: profiles.p.diff_method: 'magic' is not a differentiation method usable on default.qubit "
            "(allowed: best, backprop, adjoint, parameter-shift, finite-diff, hadamard, spsa)",
        ),
        (
            HEAD + "qubits: [2]\nprofiles:\n  p: {device: lightning.qubit, diff_method: backprop}\n",
            ":6: profiles.p.diff_method: 'backprop' is not a differentiation method usable on "
            "lightning.qubit (allowed: best, adjoint, parameter-shift, finite-diff, hadamard, spsa)",
        ),
        (
            HEAD + "qubits: [2]\nprofiles:\n  p: {shots: 100, diff_method: adjoint}\n",
            ":6: profiles.p.diff_method: 'adjoint' is not a differentiation method usable on "
            "default.qubit with shots (allowed: best, parameter-shift, finite-diff, hadamard, spsa)",
        ),
    ],
)
def test_messages_say_what_is_wrong_and_what_is_allowed(tmp_path, text, message):
    got = _error(tmp_path, text)
    assert got == message
    assert "Spec" not in got and "instance of" not in got and "List should" not in got


def test_a_profile_file_with_a_bad_diff_method_names_the_key(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("shots: 10\ndiff_method: magic\n")
    with pytest.raises(UserError, match=r"p\.yaml:2: diff_method: 'magic' is not a differentiation method"):
        load_profile(path)


def test_a_dataset_larger_than_memory_fails_plan_with_the_estimate(tmp_path, capsys):
    path = tmp_path / "big.yaml"
    path.write_text(
        "name: big\ndatasets: [{name: urban-synth, params: {n_per_class: 1000000000}}]\n"
        "heads: [classical]\nqubits: [2]\n"
    )
    for command in ("plan", "run"):
        assert (
            main(
                [command, str(path), "--reports-dir", str(tmp_path / "r"), "--cache-dir", str(tmp_path / "c")]
            )
            == 2
        )
        err = capsys.readouterr().err
        assert err.startswith(
            f"error: {path}: datasets[0] (urban-synth): needs about 582.1 TiB of memory to load"
        )
        assert err.count("\n") == 1
    assert not (tmp_path / "r").exists() and not (tmp_path / "c").exists()


def test_controls_of_a_treatment_skipped_everywhere_are_skipped_with_its_reason(tmp_path):
    from bench.plan.planner import plan

    path = tmp_path / "s.yaml"
    path.write_text(
        HEAD.replace("[classical]", "[classical, quantum]") + "qubits: [2]\nseeds: [0]\nbackends: [nodev]\n"
        "profiles:\n  nodev: {device: no.such.device}\ncontrols: [matched-mlp, tanh-linear]\n"
    )
    planned = {p.cell.key.split("#")[0]: p for p in plan(load_suite(path), None)}
    treatment = planned["urban-synth/quantum/q2/l1/nodev/s0"]
    assert treatment.state == "skip" and "nodev unavailable" in treatment.reason
    for kind in ("matched-mlp", "tanh-linear"):
        control = planned[f"urban-synth/quantum~{kind}/q2/l1/-/s0"]
        assert (control.state, control.reason) == (
            "skip",
            f"treatment quantum is skipped: {treatment.reason}",
        )
    assert planned["urban-synth/classical/q2/l-/-/s0"].state == "pending"


def test_booleans_stay_allowed_where_the_key_is_a_boolean(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(HEAD + "qubits: [2]\ncontrols: false\ncompression: {standardize: false}\n")
    assert load_suite(path).compression.standardize is False


def test_a_binary_profile_file_is_one_line_and_an_invalid_row_in_backends(tmp_path, monkeypatch, capsys):
    (tmp_path / "backends").mkdir()
    bad = tmp_path / "backends" / "broken.yaml"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(
        UserError, match=r"broken\.yaml:1: not a UTF-8 text file \(byte 0x89 at byte offset 0"
    ):
        load_profile(bad)
    (tmp_path / "backends" / "good.yaml").write_text("shots: 100\n")
    monkeypatch.setattr("bench.spec.profile_files.PACKAGE_PROFILES", tmp_path / "none")
    monkeypatch.chdir(tmp_path)
    assert main(["backends"]) == 0
    out = capsys.readouterr().out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 2}
    assert "invalid" in rows["broken"] and "available" in rows["good"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "{suite}", "--workers", "0"], "--workers: must be >= 1 (got 0)"),
        (["run", "{suite}", "--workers", "-2"], "--workers: must be >= 1 (got -2)"),
        (["predict", "{suite}", "x.wav", "--cell", "c", "--top", "0"], "--top: must be >= 1 (got 0)"),
        (["predict", "{suite}", "x.wav", "--cell", "c", "--top", "-3"], "--top: must be >= 1 (got -3)"),
    ],
)
def test_bad_counts_on_the_command_line(tiny_suite_path, tmp_path, capsys, argv, message):
    argv = [a.replace("{suite}", str(tiny_suite_path)) for a in argv]
    assert main([*argv, "--reports-dir", str(tmp_path / "r"), "--cache-dir", str(tmp_path / "c")]) == 2
    assert capsys.readouterr().err == f"error: {message}\n"
    assert not (tmp_path / "r").exists()


def test_atomic_writes_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        assert user_file_mode() == 0o644
        cached = Cache(tmp_path / "cache").save("heads", "k", {"a": 1})
        written = atomic_write(tmp_path / "x" / "f.bin", lambda fh: fh.write(b"1"))
        os.umask(0o077)
        private = atomic_write(tmp_path / "x" / "g.bin", lambda fh: fh.write(b"1"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(cached.stat().st_mode) == 0o644
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert not [p for p in (tmp_path / "x").iterdir() if p.suffix == ".tmp"]


def test_a_binary_cluster_config_is_one_line_with_the_byte_offset(tmp_path):
    pytest.importorskip("dask_jobqueue")
    from bench.run.dask_executor import load_cluster_config

    config = tmp_path / "slurm.yaml"
    config.write_bytes(b"cores: 1\n\xc0\x00")
    with pytest.raises(UserError, match=r"slurm\.yaml:2: not a UTF-8 text file \(byte 0xc0 at byte offset 9"):
        load_cluster_config(config, "slurm")
    config.write_text("cores: 1\ncores: 2\n")
    with pytest.raises(UserError, match=r"slurm\.yaml:2: cores: duplicate key"):
        load_cluster_config(config, "slurm")
