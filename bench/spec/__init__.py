"""Stage 1, spec: YAML suites and backend profiles loaded into frozen, validated objects with located
errors.
"""
