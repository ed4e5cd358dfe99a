"""The control-kind contract.

A control kind derives, from one treatment head entry (a head that runs a circuit), the head
entry of its control, or ``None`` when the kind does not apply to that treatment (e.g.
``beta-zero`` for a head without a ``beta`` option). Everything else about the control cell is
the treatment's (``bench.spec.controls``). A kind declares:

* ``name`` - its registry key, the word a suite writes under ``controls.kinds`` and the suffix of
  the control's label (``<treatment label>~<name>``);
* ``summary`` - one line on what changes (suite option help and ``docs/options.md``);
* ``label`` - the short words the report's Verdict and comparison tables show;
* ``marker`` - its matplotlib marker in every figure (treatments use ``o``);
* ``runs_circuit`` - whether the control still runs a circuit (then it trains and evaluates on
  the treatment's training simulator);
* ``control_of(head, n_qubits, n_layers, controls)`` - the control's head entry, or ``None``.

Registration order in ``bench.core.registry.CONTROLS`` is the order of the suite's default
``kinds``, of the controls of a treatment, and of tables and legends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from bench.core.registry import CONTROLS, HEADS
from bench.spec.suite import HeadRef

if TYPE_CHECKING:
    from bench.spec.suite import ControlsSpec

CIRCUIT_ONLY_OPTIONS = ("ansatz", "entangling", "input_scale", "train_circuit")
"""Options that change nothing once the circuit is gone (dropped from a control's ``select``)."""


class ControlKind:
    """Base of every control kind; subclasses set the class attributes and ``control_of``."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    label: ClassVar[str] = ""
    marker: ClassVar[str] = "P"
    runs_circuit: ClassVar[bool] = False

    def control_of(
        self, head: HeadRef, n_qubits: int, n_layers: int, controls: ControlsSpec
    ) -> HeadRef | None:
        raise NotImplementedError

    def variant(self, head: HeadRef, changes: dict, drop_select: tuple[str, ...] = ()) -> HeadRef:
        """``head`` with its options ``changes`` (validated), labelled ``<label>~<kind>``; the changed
        options and ``drop_select`` leave its ``select``."""
        params = HEADS.get(head.name).Params(**{**head.params, **changes}).model_dump(mode="json")
        select = {k: v for k, v in head.select.items() if k not in changes and k not in drop_select}
        label = f"{head.label}~{self.name}"
        return HeadRef(name=head.name, params=params, label=label, select=select, training=head.training)


def control_label(kind: str) -> str:
    """The words reports show for a control kind (the kind's name itself if it is not registered)."""
    return CONTROLS.get(kind).label if kind in CONTROLS else kind


def control_marker(kind: str) -> str:
    """The figure marker of a control kind (``P`` for an unregistered one)."""
    return CONTROLS.get(kind).marker if kind in CONTROLS else ControlKind.marker


def control_rank(kind: str) -> int:
    """A kind's place in registration order, for sorting tables and legends (unregistered: last)."""
    order = CONTROLS.in_order()
    return order.index(kind) if kind in order else len(order)
