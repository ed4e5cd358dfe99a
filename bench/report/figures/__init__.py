"""The report's figures: one visual language (``style``), the plots (``plots``, ``headline``,
``ablation``, ``images``) and ``write``, which draws every figure of a run report."""
