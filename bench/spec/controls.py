"""Matched controls: for every quantum or hybrid cell, the cells that tell whether its circuit helps.

A *treatment* is a head that runs a circuit (``uses_circuit`` and no ``substitute``). For each
treatment cell (dataset x head x qubits x layers x seed), ``control_heads`` derives one head
entry per control kind of the suite's ``controls.kinds``. Each kind is a plugin of
``bench.core.registry.CONTROLS`` (``bench.controls``): it says what changes and whether the control
still runs a circuit, or that it does not apply to this treatment.

Everything else is the treatment's: dataset, compressed input, seed, training settings (with the
treatment head's ``training`` overrides), early stopping and ``select`` rule (options a control
does not have, or that cannot matter to it, are dropped from ``select``). The grid builds the
cells (``bench.plan.grid.expand``): the control's label is ``<treatment label>~<kind>``, its
``control``/``treatment`` fields link it to the treatment, and its head init and shuffling use
the treatment's random streams, so a control differs from its treatment only by what its kind
changes. Circuit controls are trained on the treatment's training simulator and evaluated on one
backend the treatment is evaluated on (exact backends agree; the treatment's own cells check
that): see ``bench.plan.grid.control_backend``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.core.registry import CONTROLS, HEADS
from bench.spec.suite import HeadRef, Suite


@dataclass(frozen=True)
class ControlHead:
    """One control of a treatment: its kind, head entry, and whether it runs a circuit."""

    kind: str
    head: HeadRef
    runs_circuit: bool


def is_treatment(head: HeadRef) -> bool:
    """Whether ``head`` runs a circuit, so that controls are generated for it."""
    return HEADS.get(head.name).uses_circuit and head.params.get("substitute", "none") == "none"


def wants_controls(suite: Suite, n_qubits: int, n_layers: int) -> bool:
    """Whether the suite asks for controls of circuit cells of this size."""
    spec = suite.controls
    return (
        bool(spec.kinds)
        and (spec.qubits is None or n_qubits in spec.qubits)
        and (spec.layers is None or n_layers in spec.layers)
    )


def control_heads(suite: Suite, head: HeadRef, n_qubits: int, n_layers: int) -> list[ControlHead]:
    """The controls of one treatment size, in the suite's ``controls.kinds`` order ([] if none apply)."""
    if not is_treatment(head) or not wants_controls(suite, n_qubits, n_layers):
        return []
    out = []
    for name in suite.controls.kinds:
        kind = CONTROLS.get(name)
        control = kind.control_of(head, n_qubits, n_layers, suite.controls)
        if control is not None:
            out.append(ControlHead(name, control, kind.runs_circuit))
    return out
