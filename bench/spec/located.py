"""Located errors: a key path of a YAML file turned into ``file:line: key.path: message``.

``Located(path, lines)`` wraps the line map that ``bench.spec.yaml_source.load_yaml`` returns;
``error`` builds the one-line ``UserError``, ``from_validation`` turns a pydantic error into one
(naming the allowed keys for an unknown key). ``labelled`` gives plugin refs unique labels.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bench.core.errors import UserError
from bench.core.hashing import stable_hash
from bench.spec.yaml_source import KeyPath, format_path, line_of

R = TypeVar("R", bound=BaseModel)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``list[PluginRef]`` or ``X | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    if isinstance(annotation, types.UnionType):
        return None
    return None


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str] | None:
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = _model_of(field.annotation) if field else None
        if model is None:
            return None
    return sorted(model.model_fields)


def _message(error: dict, model: type[BaseModel]) -> str:
    if error["type"] == "extra_forbidden":
        allowed = _allowed_keys(model, error["loc"])
        return "unknown key" + (f" (allowed: {', '.join(allowed)})" if allowed else "")
    if error["type"] == "missing":
        return "required key is missing"
    msg = error["msg"].removeprefix("Value error, ")
    if "input" in error and error["type"] not in ("value_error",):
        msg += f" (got {error['input']!r})"
    return msg


class Located:
    """Turns a key path into ``file:line: path`` using the YAML line map."""

    def __init__(self, path: Path, lines: dict[KeyPath, int]):
        self.path, self.lines = path, lines

    def error(self, key_path: KeyPath, message: str) -> UserError:
        line = line_of(self.lines, key_path)
        where = f"{self.path}:{line}" if line else str(self.path)
        return UserError(f"{where}: {format_path(key_path)}: {message}")

    def from_validation(self, exc: ValidationError, model: type[BaseModel], prefix: KeyPath) -> UserError:
        first = exc.errors()[0]
        loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        return self.error((*prefix, *loc), _message({**first, "loc": loc}, model))


def labelled(refs: list[R], axis: str, loc: Located) -> list[R]:
    """Give every ref a label unique within its axis (the name when that is unique)."""
    names = [r.name for r in refs]
    out = []
    for ref in refs:
        label = ref.label or (
            ref.name if names.count(ref.name) == 1 else f"{ref.name}~{stable_hash(ref.params, 6)}"
        )
        out.append(ref.model_copy(update={"label": label}))
    labels = [r.label for r in out]
    for i, label in enumerate(labels):
        if labels.index(label) != i:
            what = (
                f"label '{label}' is used twice"
                if refs[i].label
                else (f"'{refs[i].name}' is listed twice with the same params (give one a label)")
            )
            raise loc.error((axis, i), what)
    return out
