"""PennyLane-device backends: exact state-vector simulators and noisy profiles (shots, noise, ZNE)."""
