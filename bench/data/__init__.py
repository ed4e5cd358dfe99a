"""Datasets: each plugin turns a spec (and, for real data, a local root) into ``RawData``."""
