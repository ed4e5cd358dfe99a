"""Circuits, backends and the torch layer that runs a circuit on a whole batch at once.

Every backend implements ``bench.quantum.base.Backend`` (exact simulators in ``backends``, noisy
PennyLane profiles in ``noise``, fake devices and IBM hardware in ``qiskit_exec``); the shipped
backend profiles and trainer-timings table are package data in ``profiles_data/``.
"""
