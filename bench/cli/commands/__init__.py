"""One module per sub-command, its parser beside its body (asv's ``commands/*.py``).

Each module exposes ``add_parser(subparsers)``, which adds its sub-command, and ``run(args) -> int``,
which does it and returns the exit code (``bench.core.exit_codes.ExitCode``). Importing a command
module is light (no torch): heavy imports happen inside ``run``.
"""

COMMANDS = (
    "run",
    "runs",
    "compare",
    "export",
    "repair",
    "plan",
    "report",
    "predict",
    "backends",
    "options",
    "calibrate",
    "sweep",
    "benchmark",
    "stats-check",
)
"""The sub-commands in ``python -m bench --help`` order; each is module ``bench.cli.commands.<name>``
(a hyphen in the name is an underscore in the module's: ``stats-check`` is ``stats_check``)."""
