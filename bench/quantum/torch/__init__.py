"""``torch.statevector``: a batched torch state-vector simulator compiled from the PennyLane circuit.

``sim`` is the backend; ``trace`` records the circuit once, ``compile`` fuses it into blocks,
``run`` executes them, ``gates`` holds the batched kernels. These modules import only each other
(and ``bench.quantum.base``).
"""
