"""The contract every plugin (dataset, feature, backbone, head) follows.

A plugin class declares

* ``name`` - the registry name users write in a suite;
* ``Params`` - a frozen pydantic model of its options, ``extra="forbid"`` so typos fail;
  every field has a default and a ``description`` (that text is the option's documentation);
* ``test_params`` - a small, fast parameter set used by the conformance tests, which run
  every registered plugin through the same checks.

Instances are built from validated params: ``Plugin(Plugin.Params(**raw))``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class Params(BaseModel):
    """Base for plugin options: frozen, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Plugin:
    """Base class: holds validated ``params``; subclasses add their own behaviour."""

    name: ClassVar[str] = ""
    Params: ClassVar[type[Params]] = Params
    test_params: ClassVar[dict[str, Any]] = {}

    def __init__(self, params: Params | None = None):
        self.params = params if params is not None else self.Params()

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None = None) -> Plugin:
        """Build from a plain mapping (validated through ``Params``)."""
        return cls(cls.Params(**(raw or {})))
