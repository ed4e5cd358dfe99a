"""Matched controls: for every quantum or hybrid cell, the cells that tell whether its circuit helps.

A *treatment* is a head that runs a circuit (``uses_circuit`` and no ``substitute``). For each
treatment cell (dataset x head x qubits x layers x seed), ``control_heads`` derives one head
entry per control kind of the suite's ``controls.kinds``:

==================  ===========================================================  ==============
kind                what changes                                                 runs a circuit
==================  ===========================================================  ==============
matched-mlp         a tanh MLP with the treatment's trainable-parameter count    no
no-entanglement     ``entangling: false`` (only from 2 qubits, when entangling)  yes
tanh-linear         ``substitute: tanh-linear`` (circuit -> tanh(W x + b))       no
beta-zero           ``beta: 0`` (heads with a ``beta`` option, when beta != 0)   no (branch unused)
frozen-circuit      ``train_circuit: false`` (when the treatment trains it)      yes
==================  ===========================================================  ==============

Everything else is the treatment's: dataset, compressed input, seed, training budget, early
stopping and ``select`` rule (options a control does not have, or that cannot matter to it, are
dropped from ``select``). The grid builds the cells (``bench.plan.grid.expand``): the control's
label is ``<treatment label>~<kind>``, its ``control``/``treatment`` fields link it to the
treatment, and its head init and shuffling use the treatment's random streams, so a control
differs from its treatment only by what its kind changes. Circuit controls are trained and
evaluated on the treatment's training simulator only (exact backends agree; the treatment's
own cells check that).
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.core.registry import HEADS
from bench.quantum.circuits import has_entangling_gates
from bench.spec.suite import HeadRef, Suite

CIRCUIT_ONLY_OPTIONS = ("ansatz", "entangling", "input_scale", "train_circuit")
"""Options that change nothing once the circuit is gone (dropped from a control's ``select``)."""


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


def _variant(head: HeadRef, kind: str, changes: dict, drop_select: tuple[str, ...] = ()) -> HeadRef:
    params = HEADS.get(head.name).Params(**{**head.params, **changes}).model_dump(mode="json")
    select = {k: v for k, v in head.select.items() if k not in changes and k not in drop_select}
    return HeadRef(name=head.name, params=params, label=f"{head.label}~{kind}", select=select)


def _matched(head: HeadRef, n_layers: int, tolerance: float) -> HeadRef:
    target = {"name": head.name, "params": head.params}
    raw = {"target": target, "target_layers": n_layers, "tolerance": tolerance}
    params = HEADS.get("matched-mlp").Params(**raw).model_dump(mode="json")
    return HeadRef(name="matched-mlp", params=params, label=f"{head.label}~matched-mlp")


def control_heads(suite: Suite, head: HeadRef, n_qubits: int, n_layers: int) -> list[ControlHead]:
    """The controls of one treatment size, in ``CONTROL_KINDS`` order ([] if none apply)."""
    if not is_treatment(head) or not wants_controls(suite, n_qubits, n_layers):
        return []
    p, fields = head.params, HEADS.get(head.name).Params.model_fields
    out = []
    for kind in suite.controls.kinds:
        if kind == "matched-mlp":
            out.append(ControlHead(kind, _matched(head, n_layers, suite.controls.param_tolerance), False))
        elif kind == "no-entanglement" and p["entangling"] and has_entangling_gates(n_qubits):
            out.append(ControlHead(kind, _variant(head, kind, {"entangling": False}), True))
        elif kind == "tanh-linear":
            changes = {"substitute": "tanh-linear"}
            out.append(ControlHead(kind, _variant(head, kind, changes, CIRCUIT_ONLY_OPTIONS), False))
        elif kind == "beta-zero" and "beta" in fields and (p["beta"] != 0 or "beta" in head.select):
            out.append(ControlHead(kind, _variant(head, kind, {"beta": 0.0}, CIRCUIT_ONLY_OPTIONS), False))
        elif kind == "frozen-circuit" and p["train_circuit"]:
            out.append(ControlHead(kind, _variant(head, kind, {"train_circuit": False}), True))
    return out
