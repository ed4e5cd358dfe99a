"""Matched-control kinds: what a control changes about its treatment, and how reports show it.

Each kind is one module holding one ``bench.controls.base.ControlKind`` registered in
``bench.core.registry.CONTROLS``; the suite's ``controls.kinds`` key, the grid
(``bench.spec.controls``), the Verdict's words and the figures' markers all read it from there.
"""
