"""Finding and loading backend profiles (``backends/*.yaml``) with one-line errors.

A backend name in a suite resolves, in order, to: a built-in simulator
(``bench.core.registry.SIMULATORS``), a profile defined inline under the suite's ``profiles`` key,
or ``<dir>/<name>.yaml`` in the first profile directory that has it. Profile directories (the
search path), in order:

1. ``backends/`` beside the suite's folder (``<suite file>/../../backends``: for
   ``suites/x.yaml``, the ``backends/`` of the same project);
2. ``./backends`` (the working directory's);
3. every directory in ``$QHEAD_BACKENDS`` (``os.pathsep``-separated);
4. the profiles shipped inside the package (``bench/quantum/profiles_data``, package data, so a
   non-editable install has them too).

A file earlier on the path overrides a shipped profile of the same name. The trainer-timings
table (``trainer-timings.json``, see ``bench.quantum.autoselect``) is looked up the same way,
without the suite's directory: ``trainer_timings_file()`` is the only place that decides which
file it is. Errors name the file, line, key path and allowed values.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from bench.core.errors import UserError
from bench.quantum.profiles import BackendProfile
from bench.spec.located import Located
from bench.spec.yaml_source import load_yaml

PACKAGE_PROFILES = Path(str(resources.files("bench.quantum") / "profiles_data"))
"""The profiles (and trainer-timings table) shipped as package data."""
BACKENDS_ENV = "QHEAD_BACKENDS"
"""Extra profile directories, ``os.pathsep``-separated, searched after ``./backends``."""
TIMINGS_NAME = "trainer-timings.json"

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.+-]+$")
_KEY_FIRST = re.compile(r"^([a-z_]+): (.*)$")


def profile_dirs(suite_path: Path | None = None) -> list[Path]:
    """Profile directories in lookup order (the module docstring's search path; existing ones
    only, without duplicates)."""
    env = [Path(d) for d in os.environ.get(BACKENDS_ENV, "").split(os.pathsep) if d]
    candidates = [Path.cwd() / "backends", *env, PACKAGE_PROFILES]
    if suite_path is not None:
        candidates.insert(0, Path(suite_path).resolve().parent.parent / "backends")
    out: list[Path] = []
    for d in candidates:
        d = d.resolve()
        if d.is_dir() and d not in out:
            out.append(d)
    return out


def trainer_timings_file() -> Path:
    """The trainer-timings table in effect: ``trainer-timings.json`` in the first directory of
    ``profile_dirs()`` that has one (the shipped table when no other exists). ``python -m bench
    calibrate --write`` rewrites this same file."""
    found = [d / TIMINGS_NAME for d in profile_dirs() if (d / TIMINGS_NAME).is_file()]
    return found[0] if found else PACKAGE_PROFILES / TIMINGS_NAME


def profile_files(dirs: Iterable[Path]) -> dict[str, Path]:
    """``{name: path}`` of every ``*.yaml`` profile; an earlier directory wins on a name clash."""
    found: dict[str, Path] = {}
    for d in dirs:
        for path in sorted(Path(d).glob("*.yaml")):
            found.setdefault(path.stem, path)
    return found


def validate_profile(raw: object, where, prefix: tuple = ()) -> BackendProfile:
    """Validate ``raw`` into a profile; ``where`` is a ``bench.spec.located.Located`` for error lines."""
    if not isinstance(raw, dict):
        raise where.error(prefix, f"a backend profile must be a mapping of keys (got {type(raw).__name__})")
    where.check_numbers(raw, BackendProfile, prefix)
    try:
        return BackendProfile(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        if not first["loc"] and first["type"] == "value_error":
            message = first["msg"].removeprefix("Value error, ")
            match = _KEY_FIRST.match(message)
            if match and match.group(1) in BackendProfile.model_fields:
                raise where.error((*prefix, match.group(1)), match.group(2)) from None
        raise where.from_validation(exc, BackendProfile, prefix) from None


def load_profile(path: str | Path) -> BackendProfile:
    """Load and validate one profile file; ``UserError`` (one line) on any problem."""
    path = Path(path)
    if not NAME_PATTERN.match(path.stem):
        raise UserError(f"{path}: the file name is the profile name and must match {NAME_PATTERN.pattern}")
    data, lines = load_yaml(path)
    return validate_profile(data if data is not None else {}, Located(path, lines))


def load_all(dirs: Iterable[Path]) -> dict[str, BackendProfile | UserError]:
    """Every profile found in ``dirs``, or the ``UserError`` that loading it raised."""
    out: dict[str, BackendProfile | UserError] = {}
    for name, path in profile_files(dirs).items():
        try:
            out[name] = load_profile(path)
        except UserError as exc:
            out[name] = exc
    return out
