"""Stage 2, plan: a suite expanded into cells with stable keys; what a run would do and what it would cost."""
