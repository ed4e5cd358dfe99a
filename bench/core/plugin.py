"""The contract every plugin (dataset, feature, backbone, head) follows.

A plugin class is registered under a name in ``bench.core.registry`` and declares

* ``name`` - the registry name users write in a suite (equal to its registry key);
* a class docstring - what it is, shown in ``bench list`` and the docs;
* ``Params`` - a frozen pydantic model of its options, ``extra="forbid"`` so typos fail;
  every field has a default and a ``description`` (that text is the option's documentation);
* ``test_params`` - a small, fast parameter set (options that keep data, nets and circuits
  tiny) with which the conformance test (``tests/test_plugin_conformance.py``) runs every
  registered plugin through its kind's checks;
* ``unavailable()`` - ``None`` when the plugin can work here, else one line saying why not (a
  missing data root, a missing weights file); never raises. Planning skips such cells with that
  reason, and the conformance test skips with it.

Instances are built from validated params (``Plugin.from_dict(raw)``, i.e.
``Plugin(Plugin.Params(**raw))``); building is cheap and reads no file. The same params give
the same behaviour: plugins are deterministic given their params and the seeds passed to them.
What a plugin of each kind must do on top is in its base class: ``bench.data.base.BaseDataset``,
``bench.features.base.BaseFeature``, ``bench.backbones.base.BaseBackbone``,
``bench.heads.base.BaseHead``. Backends (``bench.quantum.base.Backend``) and executors
(``bench.run.executors.Executor``) have contracts of their own.
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

    def unavailable(self) -> str | None:
        """One line saying why this plugin cannot work here, or ``None`` when it can (never raises)."""
        return None
