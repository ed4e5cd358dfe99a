"""Foundations every stage uses: user errors, stable hashes, seeds, provenance, plugin base and lazy
registries.
"""
