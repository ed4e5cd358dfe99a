"""Suites that would hang the loader: an alias bomb, a FIFO. Each is one line, in seconds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bench.cli.parser import main
from tests.conftest import TINY

ROOT = Path(__file__).resolve().parents[2]

BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(f'*{chr(97 + i)}' for _ in range(9))}]" for i in range(8)]
    + ["name: bomb", "heads: *i"]
)  # 9**9 = 387 million strings once expanded


def test_an_alias_bomb_is_refused_in_one_line(tmp_path, capsys):
    suite = tmp_path / "bomb.yaml"
    suite.write_text(BOMB)
    t0 = time.monotonic()
    assert main(["plan", str(suite)]) == 2
    assert time.monotonic() - t0 < 10
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "YAML aliases expand this file to more than 100000 values" in err
    assert err.startswith(f"error: {suite}:")


def test_a_few_aliases_still_load(tmp_path):
    from bench.spec.yaml_source import load_yaml

    text = yaml.safe_dump(TINY, sort_keys=False) + "extra: &t {epochs: 2}\nmore: *t\n"
    (tmp_path / "s.yaml").write_text(text)
    data, _ = load_yaml(tmp_path / "s.yaml")
    assert data["more"] == {"epochs": 2}


def test_a_fifo_as_suite_is_one_line_not_a_hang(tmp_path):
    fifo = tmp_path / "suite.yaml"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "bench", "plan", str(fifo)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"error: {fifo}: is a FIFO, not a regular file (give the path of a YAML file)\n"


@pytest.mark.parametrize("command", ["plan", "run"])
def test_a_folder_as_suite_is_one_line(tmp_path, capsys, command):
    assert main([command, str(tmp_path)]) == 2
    assert "is a folder, not a YAML file" in capsys.readouterr().err
