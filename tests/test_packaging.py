"""Shipped profiles and the trainer-timings table are package data, reachable without a checkout.

``pip install .`` (not editable) copies only what ``[tool.setuptools.package-data]`` names, so every
shipped file must match one of its patterns and load through ``importlib.resources``; the search path
(docs/backends.md) puts user directories before the shipped ones.
"""

from __future__ import annotations

import fnmatch
import json
import os
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from bench.spec.profile_files import (
    BACKENDS_ENV,
    PACKAGE_PROFILES,
    TIMINGS_NAME,
    load_profile,
    profile_dirs,
    trainer_timings_file,
)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = resources.files("bench.quantum") / "profiles_data"


def _package_data_patterns() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]["bench"]


def test_every_shipped_file_is_declared_package_data():
    files = [p for p in SHIPPED.iterdir() if p.is_file()]
    names = {p.name for p in files}
    assert TIMINGS_NAME in names and {"exact.yaml", "fake-manila.yaml", "depolarizing-0.01.yaml"} <= names
    patterns = _package_data_patterns()
    for p in files:
        relative = f"quantum/profiles_data/{p.name}"
        assert any(fnmatch.fnmatch(relative, pat) for pat in patterns), f"{relative} is not package data"


def test_shipped_profiles_and_timings_load_through_the_package():
    profiles = [p for p in SHIPPED.iterdir() if p.name.endswith(".yaml")]
    assert len(profiles) >= 10
    for p in profiles:
        with resources.as_file(p) as path:
            load_profile(path)
    table = json.loads((SHIPPED / TIMINGS_NAME).read_text(encoding="utf-8"))
    assert table["seconds"]["default.qubit"]


def test_search_path_order_user_dirs_then_shipped(tmp_path, monkeypatch):
    project, extra = tmp_path / "project", tmp_path / "extra"
    for d in (project / "backends", project / "suites", extra):
        d.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "backends").mkdir()
    monkeypatch.setenv(BACKENDS_ENV, os.pathsep.join([str(extra), str(tmp_path / "missing")]))
    dirs = profile_dirs(project / "suites" / "x.yaml")
    assert dirs == [project / "backends", tmp_path / "backends", extra, PACKAGE_PROFILES.resolve()]
    assert trainer_timings_file() == PACKAGE_PROFILES / TIMINGS_NAME
    (extra / TIMINGS_NAME).write_text("{}")
    assert trainer_timings_file() == extra / TIMINGS_NAME
    (tmp_path / "backends" / TIMINGS_NAME).write_text("{}")
    assert trainer_timings_file() == tmp_path / "backends" / TIMINGS_NAME


@pytest.mark.parametrize("directory", ["backends", "suites"])
def test_the_user_directories_stay_in_the_checkout(directory):
    assert (ROOT / directory).is_dir()
