"""Heads: the classifiers compared on top of a frozen backbone's compressed embedding."""
