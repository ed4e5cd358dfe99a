"""Located errors: a key path of a YAML file turned into ``file:line: key.path: message``.

``Located(path, lines)`` wraps the line map that ``bench.spec.yaml_source.load_yaml`` returns;
``error`` builds the one-line ``UserError``, ``from_validation`` turns a pydantic error into one
(naming the allowed keys for an unknown key). ``labelled`` gives plugin refs unique labels.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bench.core.errors import UserError, did_you_mean
from bench.core.hashing import stable_hash
from bench.spec.yaml_source import KeyPath, format_path, line_of

R = TypeVar("R", bound=BaseModel)
_KEY_FIRST = re.compile(r"^([a-z_]+): (.*)$")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``list[PluginRef]`` or ``X | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _keyed_by_name(annotation: Any) -> bool:
    """Whether the annotation is (optionally) a ``dict[str, ...]``: its next key path part is a name."""
    return any(typing.get_origin(a) is dict for a in _flat(annotation))


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model that validates the value at ``loc`` (list indices and dict names skipped)."""
    skip_name = False
    for part in loc:
        if isinstance(part, int) or skip_name:
            skip_name = False
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        skip_name = _keyed_by_name(field.annotation)
        model = _model_of(field.annotation)
        if model is None:
            return None
    return model


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str] | None:
    found = _model_at(model, loc[:-1])
    return sorted(found.model_fields) if found is not None else None


def _shown(value: Any) -> str:
    """A YAML value as the user wrote it: true/false/null, lists in brackets, strings quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return repr(value)


def _expected_mapping(model: type[BaseModel], loc: tuple, value: Any) -> str:
    """The message for a value where a mapping of options was expected: what is allowed there."""
    found = _model_at(model, loc)
    if found is None:
        return f"expected a mapping of keys (got {_shown(value)})"
    keys = ", ".join(sorted(found.model_fields))
    forms = getattr(found, "ACCEPTS", "a mapping of keys (allowed: {keys})")
    return f"expected {forms.format(keys=keys)} (got {_shown(value)})"


def _expected_list(loc: tuple, value: Any) -> str:
    """The message for a single value where a list was expected, naming the list forms."""
    name = loc[-1] if loc and isinstance(loc[-1], str) else "values"
    text = f"expected a list, written [a, b, ...] or one '- item' per line (got {_shown(value)})"
    if name == "seeds" and isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 100:
        return text + f"; for {value} seeds write seeds: {list(range(value))}"
    return text + (f"; for one value write {name}: [{_shown(value)}]" if not isinstance(value, dict) else "")


def _tuple_length(model: type[BaseModel], loc: tuple) -> int | None:
    """How many items the tuple field at ``loc`` holds (``tuple[float, float]`` -> 2)."""
    parent = _model_at(model, loc[:-1]) if loc else None
    field = parent.model_fields.get(loc[-1]) if parent is not None and isinstance(loc[-1], str) else None
    for alt in _flat(field.annotation) if field else ():
        args = typing.get_args(alt)
        if typing.get_origin(alt) is tuple and args and args[-1] is not Ellipsis:
            return len(args)
    return None


def _message(error: dict, model: type[BaseModel]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc)
        if not allowed:
            return "unknown key"
        return f"unknown key{did_you_mean(str(loc[-1]), allowed)} (allowed: {', '.join(allowed)})"
    if kind == "too_few":
        n = _tuple_length(model, loc)
        need = f"exactly {n} values" if n else "more values"
        return f"needs {need} (got {_shown(error.get('input'))})"
    if kind == "missing":
        return "required key is missing"
    if kind == "list_type":
        return _expected_list(loc, error.get("input"))
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return _expected_mapping(model, loc, error.get("input"))
    if kind in ("too_short", "too_long"):
        ctx = error.get("ctx", {})
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        noun = "value" if bound == 1 else "values"
        return f"needs {word} {bound} {noun} (got {_shown(error.get('input'))})"
    msg = error["msg"].removeprefix("Value error, ")
    if "input" in error and kind not in ("value_error",):
        msg += f" (got {_shown(error['input'])})"
    return msg


def _flat(annotation: Any) -> list[Any]:
    """The alternatives of an annotation, ``Annotated`` / ``Optional`` / unions unwrapped."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _flat(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [alt for arg in typing.get_args(annotation) for alt in _flat(arg)]
    return [annotation]


def _bool_in(value: Any, annotation: Any, path: KeyPath) -> KeyPath | None:
    alternatives = _flat(annotation)
    if isinstance(value, bool):
        numeric = any(a in (int, float) for a in alternatives)
        return path if numeric and bool not in alternatives else None
    for alt in alternatives:
        origin, args = typing.get_origin(alt), typing.get_args(alt)
        if isinstance(value, list) and origin in (list, tuple) and args:
            for i, item in enumerate(value):
                found = _bool_in(
                    item, args[min(i, len(args) - 1)] if origin is tuple else args[0], (*path, i)
                )
                if found:
                    return found
        elif isinstance(value, dict) and origin is dict and len(args) == 2:
            for key, item in value.items():
                found = _bool_in(item, args[1], (*path, key))
                if found:
                    return found
        elif isinstance(value, dict) and isinstance(alt, type) and issubclass(alt, BaseModel):
            found = bool_for_number(value, alt, path)
            if found:
                return found
    return None


def bool_for_number(data: Any, model: type[BaseModel], prefix: KeyPath = ()) -> KeyPath | None:
    """The first key path where ``data`` gives a YAML boolean (``true``/``false``) for a number
    field of ``model`` (pydantic would quietly read it as 1 or 0), or ``None``."""
    if not isinstance(data, dict):
        return None
    for key, value in data.items():
        field = model.model_fields.get(key) if isinstance(key, str) else None
        found = _bool_in(value, field.annotation, (*prefix, key)) if field else None
        if found:
            return found
    return None


class Located:
    """Turns a key path into ``file:line: path`` using the YAML line map."""

    def __init__(self, path: Path, lines: dict[KeyPath, int]):
        self.path, self.lines = path, lines

    def error(self, key_path: KeyPath, message: str) -> UserError:
        line = line_of(self.lines, key_path)
        where = f"{self.path}:{line}" if line else str(self.path)
        return UserError(f"{where}: {format_path(key_path)}: {message}")

    def check_numbers(self, data: Any, model: type[BaseModel], prefix: KeyPath = ()) -> None:
        """``UserError`` where ``data`` gives true/false for a number of ``model``."""
        found = bool_for_number(data, model, prefix)
        if found:
            value = data
            for part in found[len(prefix) :]:
                value = value[part]
            word = "true" if value else "false"
            raise self.error(found, f"expected a number, got the boolean {word}")

    def from_validation(self, exc: ValidationError, model: type[BaseModel], prefix: KeyPath) -> UserError:
        errors = exc.errors()
        # an unknown key first: a typo (`qubit:`) also makes a required key (`qubits`) missing
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        if first["type"] == "missing" and loc and isinstance(loc[-1], int):  # a tuple given too few items
            first, loc = {**first, "type": "too_few"}, loc[:-1]
        if first["type"] == "value_error":  # "key: message" from a model check names its key
            match = _KEY_FIRST.match(first["msg"].removeprefix("Value error, "))
            target = _model_at(model, loc)
            if match and target is not None and match.group(1) in target.model_fields:
                return self.error((*prefix, *loc, match.group(1)), match.group(2))
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
