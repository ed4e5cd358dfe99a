"""``CircuitParams``: the options every circuit head shares (ansatz, input scaling, and the switches
the ablation controls use: no entangling gates, frozen random circuit, circuit replaced by
tanh(linear)). Imports no torch."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bench.core.plugin import Params
from bench.quantum.circuits import DEFAULT_ANSATZ

AnsatzName = Literal["strongly-entangling", "basic-entangler", "zz-realamplitudes", "reuploading"]


class CircuitParams(Params):
    """Options every circuit head shares."""

    ansatz: AnsatzName = Field(
        DEFAULT_ANSATZ,
        description="Circuit family: strongly-entangling (AngleEmbedding + StronglyEntanglingLayers), "
        "basic-entangler (AngleEmbedding + BasicEntanglerLayers), zz-realamplitudes (ZZFeatureMap + "
        "RealAmplitudes), reuploading (data re-uploading: embedding repeated before every layer).",
    )
    input_scale: float = Field(
        1.0,
        gt=0,
        description="Input angle scaling: the circuit encodes input_scale * x (x lies in "
        "compression.angle_range).",
    )
    entangling: bool = Field(
        True, description="False removes every entangling gate of the circuit (the no-entanglement control)."
    )
    train_circuit: bool = Field(
        True,
        description="False keeps the circuit at its random initial weights; only the read-out (and a "
        "classical branch) train (the frozen-circuit control).",
    )
    substitute: Literal["none", "tanh-linear"] = Field(
        "none",
        description="'tanh-linear' replaces the circuit by tanh(W x + b) of the same width, a classical "
        "layer (the classical-substitute control); 'none' keeps the circuit.",
    )
