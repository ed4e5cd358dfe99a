"""Record a PennyLane circuit once with symbolic parameters, for the torch state-vector backend.

``trace(circuit, n_inputs, weight_shape, gate_set)`` runs the *same* circuit function the
PennyLane devices run, but on numpy object arrays of ``Sym`` placeholders: ``x[i]`` for input
``i`` and ``w[idx]`` for weight ``idx``. Arithmetic the circuit does on them (``2.0 * x[i]``,
``(pi - x[i]) * (pi - x[j])``) is recorded as an expression tree, so each gate parameter of the
tape becomes an ``Expr`` over inputs and weights. Templates (AngleEmbedding,
StronglyEntanglingLayers, ...) are decomposed into ``gate_set`` first.

``ParamProgram`` compiles all those expressions into a few vectorised torch operations: the
expressions are grouped by structure (``2 * (pi - x) * (pi - x)`` for every pair is one group),
each group gathers its leaves with one index per leaf position, so evaluating every parameter
of a circuit costs a handful of tensor operations whatever its size, never one per gate.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np

Expr = tuple
"""``("x", i)`` | ``("w", flat_index)`` | ``("const", value)`` | ``(op, a, b)`` | ``("neg", a)``."""

_BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}


class Sym:
    """A symbolic scalar: arithmetic on it builds an ``Expr``."""

    __array_priority__ = 1000

    def __init__(self, node: Expr):
        self.node = node

    def _op(self, name: str, other, reverse: bool = False) -> Sym:
        a, b = self.node, as_expr(other)
        return Sym((name, b, a) if reverse else (name, a, b))

    def __add__(self, o):
        return self._op("add", o)

    def __radd__(self, o):
        return self._op("add", o, True)

    def __sub__(self, o):
        return self._op("sub", o)

    def __rsub__(self, o):
        return self._op("sub", o, True)

    def __mul__(self, o):
        return self._op("mul", o)

    def __rmul__(self, o):
        return self._op("mul", o, True)

    def __truediv__(self, o):
        return self._op("div", o)

    def __rtruediv__(self, o):
        return self._op("div", o, True)

    def __neg__(self):
        return Sym(("neg", self.node))

    def __pos__(self):
        return self

    def __repr__(self) -> str:
        return f"Sym{self.node}"


def as_expr(value) -> Expr:
    """The ``Expr`` of a ``Sym``, a 0-d object array holding one, or a number."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, Sym):
        return value.node
    try:
        return ("const", float(value))
    except (TypeError, ValueError):
        raise TypeError(f"gate parameter {value!r} is not a number or a function of inputs/weights") from None


def _register() -> None:
    import autoray

    autoray.register_backend(Sym, "numpy")  # qml.math treats a Sym as a numpy scalar


def symbols(prefix: str, shape: tuple[int, ...]) -> np.ndarray:
    """An object array of ``Sym((prefix, flat_index))`` of ``shape``."""
    out = np.empty(shape, dtype=object)
    for flat, idx in enumerate(np.ndindex(*shape)):
        out[idx] = Sym((prefix, flat))
    return out


@dataclass(frozen=True)
class TracedOp:
    """One gate of the recorded tape: its PennyLane name, wires and parameter expressions."""

    name: str
    wires: tuple[int, ...]
    params: tuple[Expr, ...]
    matrix: np.ndarray | None  # the constant matrix of a parameter-free gate


@dataclass(frozen=True)
class Traced:
    ops: tuple[TracedOp, ...]
    observables: tuple[tuple[str, tuple[int, ...]], ...]  # ("PauliZ", wires) per measured expectation


def trace(circuit, n_inputs: int, weight_shape: tuple[int, ...], gate_set: set[str]) -> Traced:
    """Record ``circuit(inputs, weights)`` once on symbolic (unbatched) inputs and weights."""
    import pennylane as qml

    _register()
    tape = qml.tape.make_qscript(circuit)(symbols("x", (n_inputs,)), symbols("w", tuple(weight_shape)))
    [tape], _ = qml.transforms.decompose(tape, gate_set=gate_set)
    ops = []
    for op in tape.operations:
        params = tuple(as_expr(p) for p in op.parameters)
        matrix = None if params else np.asarray(qml.matrix(op, wire_order=op.wires))
        ops.append(TracedOp(op.name, tuple(int(w) for w in op.wires), params, matrix))
    observables = []
    for mp in tape.measurements:
        obs = mp.obs
        names = [o.name for o in getattr(obs, "operands", [obs])] if obs is not None else ["?"]
        if type(mp).__name__ != "ExpectationMP" or set(names) != {"PauliZ"}:
            raise ValueError(
                f"torch.statevector measures expectation values of PauliZ products only (got {mp})"
            )
        observables.append(("PauliZ", tuple(int(w) for w in obs.wires)))
    return Traced(tuple(ops), tuple(observables))


def _signature(expr: Expr) -> tuple:
    """The structure of ``expr`` with leaf indices and constants abstracted away."""
    kind = expr[0]
    if kind in ("x", "w", "const"):
        return (kind,)
    return (kind, *(_signature(e) for e in expr[1:]))


def _leaves(expr: Expr) -> list:
    """Leaf indices and constant values of ``expr`` in the order ``_signature`` visits them."""
    if expr[0] in ("x", "w", "const"):
        return [expr[1]]
    return [leaf for e in expr[1:] for leaf in _leaves(e)]


def depends_on_inputs(expr: Expr) -> bool:
    if expr[0] == "x":
        return True
    return expr[0] not in ("w", "const") and any(depends_on_inputs(e) for e in expr[1:])


class ParamProgram:
    """Evaluate many ``Expr`` at once: ``(inputs (B, n), weights) -> (B, P)`` and ``(P_w,)``.

    Expressions that involve no input give the unbatched vector ``weight_params`` (indices
    ``0..P_w-1``); the others give the batched ``input_params`` (indices ``P_w..``). ``column(e)``
    is the index of expression ``e`` in that numbering.
    """

    def __init__(self, exprs: list[Expr]):
        unique = list(dict.fromkeys(exprs))
        weight_only = [e for e in unique if not depends_on_inputs(e)]
        batched = [e for e in unique if depends_on_inputs(e)]
        self.n_weight_params = len(weight_only)
        self._columns = {e: i for i, e in enumerate(weight_only + batched)}
        self._groups = [self._groups_of(weight_only), self._groups_of(batched)]
        self._order = [self._order_of(weight_only), self._order_of(batched)]

    def column(self, expr: Expr) -> int:
        return self._columns[expr]

    @property
    def expressions(self) -> list[Expr]:
        """Every distinct expression, in column order."""
        return list(self._columns)

    @staticmethod
    def _groups_of(exprs: list[Expr]) -> list[tuple[tuple, np.ndarray]]:
        by_sig: dict[tuple, list[Expr]] = {}
        for e in exprs:
            by_sig.setdefault(_signature(e), []).append(e)
        return [
            (sig, np.array([_leaves(e) for e in members], dtype=float)) for sig, members in by_sig.items()
        ]

    @staticmethod
    def _order_of(exprs: list[Expr]) -> np.ndarray:
        """Permutation from grouped order back to ``exprs`` order."""
        by_sig: dict[tuple, list[int]] = {}
        for i, e in enumerate(exprs):
            by_sig.setdefault(_signature(e), []).append(i)
        grouped = [i for members in by_sig.values() for i in members]
        return np.argsort(np.array(grouped, dtype=np.int64), kind="stable")

    def bind(self, device, dtype):
        """``evaluate(inputs (B, n), weights_flat) -> (weight_params (P_w,), input_params (B, P_x))``
        with every index and constant already on ``device``; either part is ``None`` when empty."""
        import torch

        def tensors(sig: tuple, leaves: np.ndarray) -> list:
            out = []
            for kind, col in zip(_leaf_kinds(sig), leaves.T, strict=True):
                if kind == "const":
                    out.append(torch.as_tensor(col, dtype=dtype, device=device))
                else:
                    out.append(torch.as_tensor(col.astype(np.int64), device=device))
            return out

        bound = [[(sig, tensors(sig, leaves)) for sig, leaves in groups] for groups in self._groups]
        orders = [
            None if np.array_equal(o, np.arange(len(o))) else torch.as_tensor(o, device=device)
            for o in self._order
        ]

        def evaluate(inputs, weights_flat) -> tuple:
            out = []
            for groups, order in zip(bound, orders, strict=True):
                parts = [_eval_group(sig, leaves, inputs, weights_flat) for sig, leaves in groups]
                if not parts:
                    out.append(None)
                    continue
                values = cat_broadcast(parts, -1) if len(parts) > 1 else parts[0]
                out.append(values if order is None else values[..., order])
            return out[0], out[1]

        return evaluate


def cat_broadcast(parts: list, dim: int):
    """``torch.cat`` along negative ``dim`` after broadcasting the leading (batch) dimensions."""
    import torch

    lead = torch.broadcast_shapes(*[p.shape[:dim] for p in parts])
    return torch.cat([p.expand(*lead, *p.shape[dim:]) for p in parts], dim=dim)


def _leaf_kinds(sig: tuple) -> list[str]:
    if sig[0] in ("x", "w", "const"):
        return [sig[0]]
    return [k for s in sig[1:] for k in _leaf_kinds(s)]


def _eval_group(sig: tuple, leaves: list, inputs, weights_flat):
    """Evaluate every expression of one structure at once (``leaves``: one tensor per leaf position)."""
    position = iter(leaves)

    def walk(node: tuple):
        kind = node[0]
        if kind == "const":
            return next(position)
        if kind in ("x", "w"):
            idx = next(position)
            return inputs[..., idx] if kind == "x" else weights_flat[idx]
        if kind == "neg":
            return -walk(node[1])
        a = walk(node[1])
        return _BINARY[kind](a, walk(node[2]))

    return walk(sig)
