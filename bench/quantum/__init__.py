"""Circuits, simulators and the torch layer that runs a circuit on a whole batch at once."""
