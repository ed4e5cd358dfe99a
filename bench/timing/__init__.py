"""Timing studies beside the main flow: circuit-time sweeps, trainer calibration and the training-step
benchmark.
"""
