"""Head entries with ``grid`` (options swept as axes) and ``select`` (options tuned on validation).

``expand_heads`` turns the suite's ``heads`` list into validated, labelled head entries:

* every entry's ``params`` are validated by its plugin and normalised (defaults explicit);
* ``grid: {option: [values]}`` becomes one entry per combination (cartesian product, in key
  then list order), labelled ``<label>+<value>`` for strings, ``<label>+<option><value>``
  otherwise (``quantum+basic-entangler``, ``hybrid-fixed+beta0.25``); the entries that come out
  carry no ``grid``;
* ``select: {option: [values]}`` stays on the entry (one cell trains every combination and keeps
  the best on validation, see ``bench.cell.selection``); each value is validated and normalised.

Errors name the entry's key path, e.g. ``heads[1].grid.ansatz``, with the allowed values.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from pydantic import ValidationError

from bench.core.registry import HEADS
from bench.spec.located import Located, labelled
from bench.spec.suite import HeadRef

_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9_.+~-]")


def _suffix(option: str, value: Any) -> str:
    text = str(value) if isinstance(value, str) else f"{option}{value}"
    return "+" + _LABEL_UNSAFE.sub("_", text)


def _check_options(ref: HeadRef, which: str, fields: dict, at: tuple, loc: Located) -> None:
    for option, values in getattr(ref, which).items():
        if option not in fields:
            allowed = ", ".join(sorted(fields)) or "none"
            raise loc.error((*at, which, option), f"unknown option (allowed: {allowed})")
        if not values:
            raise loc.error((*at, which, option), "needs at least one value")
        if which == "select" and option in ref.grid:
            raise loc.error((*at, which, option), "an option cannot be both in grid and in select")


def _validated(params_cls, params: dict, at: tuple, loc: Located) -> dict:
    try:
        return params_cls(**params).model_dump(mode="json")
    except ValidationError as exc:
        raise loc.from_validation(exc, params_cls, at) from None


def _one_entry(ref: HeadRef, at: tuple, loc: Located) -> list[HeadRef]:
    params_cls = HEADS.get(ref.name).Params
    for which in ("grid", "select"):
        _check_options(ref, which, params_cls.model_fields, at, loc)
    out = []
    options = list(ref.grid)
    for combo in itertools.product(*(ref.grid[o] for o in options)):
        chosen = dict(zip(options, combo, strict=True))
        params = _validated(params_cls, {**ref.params, **chosen}, (*at, "grid"), loc)
        select = {
            o: [_validated(params_cls, {**params, o: v}, (*at, "select"), loc)[o] for v in values]
            for o, values in ref.select.items()
        }
        label = ref.label + "".join(_suffix(o, v) for o, v in chosen.items())
        out.append(HeadRef(name=ref.name, params=params, label=label, select=select, training=ref.training))
    return out


def expand_heads(refs: list[HeadRef], loc: Located) -> list[HeadRef]:
    """Validate, label and expand the suite's head entries (see the module docstring)."""
    resolved = []
    for i, ref in enumerate(refs):
        try:
            plugin = HEADS.get(ref.name)
        except KeyError as exc:
            raise loc.error(("heads", i, "name"), exc.args[0]) from None
        params = _validated(plugin.Params, ref.params, ("heads", i, "params"), loc)
        resolved.append(ref.model_copy(update={"params": params}))
    heads = labelled(resolved, "heads", loc)
    out: list[HeadRef] = []
    for i, ref in enumerate(heads):
        out.extend(_one_entry(ref, ("heads", i), loc))
    labels = [h.label for h in out]
    for label in labels:
        if labels.count(label) > 1:
            raise loc.error(("heads",), f"two head entries get the label '{label}' (give one a label)")
    return out
