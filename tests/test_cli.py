"""CLI: one-line errors with exit code 2, plan, backends, options."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.api.reference import options_markdown
from bench.cli.parser import main
from bench.core.registry import SIMULATORS
from tests.conftest import write_suite

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )


def test_bad_suite_prints_one_line_and_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndatasets: [urban-synth]\nheads: [quantom]\nqubits: [2]\n")
    result = _cli("run", str(bad))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {bad}:3: heads[0].name: unknown head 'quantom'")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "reports").exists()


def test_plan_lists_cells_and_states(tiny_suite_path, tmp_path, capsys):
    assert main(["plan", str(tiny_suite_path), "--reports-dir", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "urban-synth/quantum/q2/l1/lightning.qubit/s0" in out
    assert "pending: 3" in out
    assert "seeds needed: no pilot run" in out  # nothing in the store yet


def test_backends_lists_lightning_gpu_with_a_reason(capsys):
    assert main(["backends"]) == 0
    rows = [line.split("│")[1:-1] for line in capsys.readouterr().out.splitlines() if line.startswith("│")]
    status = {cells[0].strip(): cells[-1].strip() for cells in rows if cells[0].strip()}
    assert status["default.qubit"] == "available"
    reason = SIMULATORS.get("lightning.gpu").probe()
    if reason is None:
        assert status["lightning.gpu"] == "available"
    else:  # the status cell's first line starts the reason (a long one wraps onto the next lines)
        assert status["lightning.gpu"].startswith("unavailable: ") and len(status["lightning.gpu"]) > 20
        assert f"unavailable: {reason}".startswith(status["lightning.gpu"])


def test_report_without_results_is_a_user_error(tiny_suite_path, tmp_path, capsys):
    assert main(["report", str(tiny_suite_path), "--reports-dir", str(tmp_path / "r")]) == 2
    assert "no results yet" in capsys.readouterr().err


def test_readme_is_short_and_its_links_resolve():
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) <= 12 * 1024
    for target in re.findall(r"\]\(([^)#:]+)\)", readme):
        assert (ROOT / target).exists(), f"README links to missing {target}"


def test_option_reference_page_is_current():
    page = (ROOT / "docs" / "options.md").read_text(encoding="utf-8")
    assert options_markdown() == page, "run: python -m bench options --write"


def test_every_dataset_option_is_on_the_reference_page_once_per_table():
    from bench.core.registry import DATASETS

    page = (ROOT / "docs" / "options.md").read_text(encoding="utf-8")
    for name in DATASETS.names():
        for option in DATASETS.get(name).Params.model_fields:
            assert f"| `{option}` |" in page, f"{name}.{option} is not documented"
    assert page.count("| `max_per_class` |") == 1  # shared loader options printed once


def test_ci_runs_the_readme_test_command():
    ci_command = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci_command in (ROOT / "README.md").read_text()
    assert "ruff check" in ci_command and "ruff format --check" in ci_command
    assert ci_command.endswith("python -m pytest")


def test_plan_on_a_suite_file_from_another_directory(tmp_path):
    suite = write_suite(tmp_path)
    result = _cli("plan", str(suite), "--reports-dir", str(tmp_path / "r"))
    assert result.returncode == 0, result.stderr


def test_commands_that_only_read_a_store_import_no_torch():
    code = (
        "import sys; from bench.cli.parser import COMMANDS, command_module; "
        "[command_module(name) for name in COMMANDS]; print('torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_a_process_pool_run_ends_cleanly(tmp_path):
    # `python -m bench` skips interpreter finalization: multiprocessing must still clean up its
    # semaphores (else its resource tracker warns of leaks after the run)
    suite = write_suite(tmp_path, {"backends": ["default.qubit"]})
    dirs = ["--reports-dir", str(tmp_path / "r"), "--cache-dir", str(tmp_path / "c"), "--no-report"]
    result = _cli("run", str(suite), "--executor", "process", "--workers", "2", *dirs)
    assert result.returncode == 0, result.stderr
    assert "leaked" not in result.stderr and "Traceback" not in result.stderr, result.stderr
