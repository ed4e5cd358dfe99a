"""The conclusion in words at the top of a dataset's verdict, from the pattern of its controls.

``conclusion(config, rows)`` takes the Verdict's comparison rows of one configuration (columns of
``bench.report.compare.COMPARISON_COLUMNS``; verdicts already Holm-corrected) and returns one or two
sentences. The rules (docs/statistics.md, "The conclusion in words"), applied in this order:

1. No rows: nothing to conclude. Every row "too few units": say so, with the units a 2 pp effect
   needs at the observed spread (the largest over the controls).
2. The quantum part *helps* only when the treatment beats both ``QUANTUM_CLAIM`` controls: the
   parameter-matched MLP (same trainable parameters, no circuit) and its own circuit without
   entangling gates. Controls it does not beat are named.
3. Worse than either of those controls: the circuit costs accuracy.
4. Beating exactly one of them is a partial result, said as such (which of the two is missing).
5. Otherwise the circuit adds nothing measurable; each gain over another control (e.g. beta-zero)
   is explained by the first ``CAPACITY_MATCHED`` control the treatment does not beat (``EXPLAINS``
   says what that control's match implies). "No difference" rows quote their MDE range.
"""

from __future__ import annotations

import math

import pandas as pd

from bench.stats import BETTER, MIN_UNITS, PLANNING_EFFECT, TOO_FEW, WORSE

__all__ = ["CAPACITY_MATCHED", "EXPLAINS", "QUANTUM_CLAIM", "conclusion"]

QUANTUM_CLAIM = ("matched-mlp", "no-entanglement")
CAPACITY_MATCHED = ("matched-mlp", "no-entanglement", "frozen-circuit", "tanh-linear")
EXPLAINS = {
    "matched-mlp": "the parameter-matched MLP, so it comes from the added parameters",
    "no-entanglement": "the same circuit without entangling gates, so entanglement is not what helps",
    "frozen-circuit": "a random frozen circuit, so training the circuit is not what helps",
    "tanh-linear": "a tanh(linear) layer in the circuit's place, so the circuit is not what helps",
}
_NAMES = {
    "matched-mlp": "the parameter-matched MLP",
    "no-entanglement": "the same circuit without entangling gates",
    "frozen-circuit": "a random frozen circuit",
    "tanh-linear": "a tanh(linear) layer in the circuit's place",
    "beta-zero": "the hybrid retrained without its quantum branch (beta-zero)",
}


def _pp(x: float) -> str:
    return f"{x * 100:+.1f} pp".replace("-", "−")


def _name(kind: str) -> str:
    return _NAMES.get(kind, kind)


def conclusion(config: str, rows: pd.DataFrame) -> str:
    """One dataset's conclusion (see the module docstring for the rules)."""
    by_kind = {r["control"]: r for _, r in rows.iterrows()}
    if not by_kind:
        return "No comparison: no control finished with this configuration."
    if all(r["verdict"] == TOO_FEW for r in by_kind.values()):
        return _too_few(config, list(by_kind.values()))
    verdict = {k: r["verdict"] for k, r in by_kind.items()}
    claim = [k for k in QUANTUM_CLAIM if k in by_kind]
    if len(claim) == 2 and all(verdict[k] == BETTER for k in claim):
        return _helps(config, by_kind)
    if any(verdict[k] == WORSE for k in claim):
        worse = [k for k in claim if verdict[k] == WORSE]
        parts = " and ".join(f"{_name(k)} ({_pp(by_kind[k]['delta'])})" for k in worse)
        return f"The circuit costs accuracy: {config} is worse than {parts}."
    beaten = [k for k in claim if verdict[k] == BETTER]
    if beaten:
        return _partial(config, by_kind, beaten[0])
    return _nothing(config, by_kind) + _missing_claim(claim)


def _too_few(config: str, rows: list) -> str:
    needed = [r["needed"] for r in rows if not math.isnan(r["needed"])]
    n = max([MIN_UNITS, *needed])
    unit = rows[0]["unit"]
    units = "seeds" if unit == "seed" else f"{unit} units"
    need = "more than 100,000" if math.isinf(n) else str(int(n))
    return (
        f"Too few {units} to conclude ({int(rows[0]['n_pairs'])}): the comparisons of {config} are "
        f"illustrative; at least {need} {units} are needed to detect a {PLANNING_EFFECT * 100:g} pp effect "
        "at the spread of this run."
    )


def _helps(config: str, by_kind: dict) -> str:
    a, b = (by_kind[k] for k in QUANTUM_CLAIM)
    text = (
        f"The quantum part helps: {config} beats the parameter-matched MLP ({_pp(a['delta'])}) and the "
        f"same circuit without entangling gates ({_pp(b['delta'])})."
    )
    unbeaten = [k for k, r in by_kind.items() if k not in QUANTUM_CLAIM and r["verdict"] != BETTER]
    if unbeaten:
        text += " It does not beat " + ", ".join(_name(k) for k in unbeaten) + "."
    return text


def _partial(config: str, by_kind: dict, beaten: str) -> str:
    other = next(k for k in QUANTUM_CLAIM if k != beaten)
    gain = f"{config} beats {_name(beaten)} ({_pp(by_kind[beaten]['delta'])})"
    if other not in by_kind:
        return f"{gain}, but without the {other} control the gain cannot be credited to the quantum part."
    if beaten == "matched-mlp":
        return f"No evidence that entanglement helps: {gain} but not {EXPLAINS[other].split(', so')[0]}."
    return f"No evidence that the quantum part helps: {gain} but not the parameter-matched MLP."


def _nothing(config: str, by_kind: dict) -> str:
    capacity = [k for k in CAPACITY_MATCHED if k in by_kind]
    text = f"The circuit adds nothing measurable: {config} beats none of the capacity-matched controls"
    text += f" ({', '.join(capacity)})" if capacity else ""
    gains = [k for k, r in by_kind.items() if k not in CAPACITY_MATCHED and r["verdict"] == BETTER]
    explainer = next((k for k in capacity if by_kind[k]["verdict"] != BETTER), None)
    for k in gains:
        source = f"matched by {EXPLAINS[explainer]}" if explainer else "not explained by a control"
        text += f"; its {_pp(by_kind[k]['delta'])} over {k} is {source}"
    mdes = [r["mde"] for r in by_kind.values() if r["verdict"] not in (BETTER, WORSE, TOO_FEW)]
    if mdes and not gains:
        text += f" (it could have detected |Δ| ≥ {min(mdes) * 100:.1f}–{max(mdes) * 100:.1f} pp)"
    few = [k for k, r in by_kind.items() if r["verdict"] == TOO_FEW]
    if few:
        text += f"; too few units for {', '.join(few)}"
    return text + "."


def _missing_claim(claim: list[str]) -> str:
    missing = [k for k in QUANTUM_CLAIM if k not in claim]
    return (
        f" A gain could not be credited to the quantum part without the {' and '.join(missing)} control."
        if missing
        else ""
    )
