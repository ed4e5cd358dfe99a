"""Circuits, backends and the torch layer that runs a circuit on a whole batch at once.

Every backend implements ``bench.quantum.base.Backend``. The package nests by concern:

* top level - the backend contract (``base``), the ansatzes (``circuits``), the torch layer
  (``layer``), circuit timing (``timing``), backend profiles (``profiles``), names to backends
  (``resolve``) and the choice of trainer (``autoselect``);
* ``pennylane/`` - PennyLane devices: exact simulators (``simulators``) and noisy profiles with
  shots, noise channels and ZNE (``noise``);
* ``torch/`` - the ``torch.statevector`` simulator (``sim``) and its tracer, compiler and kernels;
* ``qiskit/`` - fake devices and IBM hardware: circuit translation, execution, job ledger, cost.

The shipped backend profiles and trainer-timings table are package data in ``profiles_data/``.
"""
