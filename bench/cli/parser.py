"""Command line: ``python -m bench {run,runs,compare,repair,plan,report,predict,backends,calibrate,sweep,
benchmark,options,stats-check} ...``.

This module only assembles the sub-commands of ``bench.cli.commands`` (one module each, its parser
beside its body). User mistakes (``UserError``) print one line to stderr and exit 2 without a
traceback. Exit codes (``bench.core.exit_codes.ExitCode``, docs/scheduled-jobs.md): 0 ok, 1 a cell
failed, 2 bad input or the store cannot be used (a failed file operation too: one line naming the
path), 3 a regression (``compare``), 4 a bounded wait ran out (``run``), 130 interrupted (Ctrl-C at
any phase: one line, what finished is already committed), 143 and 129 the same after SIGTERM and
SIGHUP (``bench.run.interrupts``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

from bench.cli import views
from bench.cli.commands import COMMANDS
from bench.cli.output import StdoutError, stdout_problem
from bench.core.errors import KEPT, UserError, os_error_line
from bench.core.exit_codes import ExitCode
from bench.run.interrupts import interrupt_exit_code, interruption_name, stop_signals_as_ctrl_c


def command_module(name: str) -> ModuleType:
    """The module ``bench.cli.commands.<name>`` of sub-command ``name``."""
    return importlib.import_module(f"bench.cli.commands.{name.replace('-', '_')}")


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m bench`` parser with every sub-command of ``COMMANDS``. Each sub-command's
    description is its one-line help; the output options (``add_output_options``) are accepted
    before or after the sub-command."""
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="qhead-bench: fair quantum-head ablations"
    )
    parser.add_argument(
        "--version", action="version", version=version_line(), help="print the version and exit"
    )
    add_output_options(parser, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        command_module(name).add_parser(sub)
    for choice in sub._choices_actions:
        command = sub.choices[choice.dest]
        command.description = command.description or (choice.help[:1].upper() + choice.help[1:] + ".")
        add_output_options(command, argparse.SUPPRESS)
    return parser


def version_line() -> str:
    """``qhead-bench 0.1.0 (git abc1234, Python 3.11.7)``."""
    import platform

    from bench import __version__
    from bench.core.provenance import git_sha

    return f"qhead-bench {__version__} (git {git_sha()[:12]}, Python {platform.python_version()})"


def add_output_options(p: argparse.ArgumentParser, default) -> None:
    """``--quiet``, ``--verbose`` and ``--log-file`` (see ``bench.cli.views.configure``)."""
    p.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        default=default,
        help="print only failures, warnings and where the results are (no per-cell lines, no bars)",
    )
    p.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        default=default,
        help="also print the executor, cache and scheduling notes",
    )
    p.add_argument(
        "--log-file",
        type=Path,
        default=default,
        metavar="FILE",
        help="append every event of the command as one timestamped plain-text line to FILE "
        "(whatever --quiet says)",
    )


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), run the sub-command, return its exit code."""
    args = build_parser().parse_args(argv)
    if getattr(args, "quiet", False) and getattr(args, "verbose", False):
        print("error: --quiet and --verbose: give one", file=sys.stderr)
        return ExitCode.USER_ERROR
    views.configure(
        quiet=getattr(args, "quiet", False),
        verbose=getattr(args, "verbose", False),
        log_file=getattr(args, "log_file", None),
    )
    try:
        with stop_signals_as_ctrl_c():
            code = command_module(args.command).run(args)
        _flush_stdout()
        return code
    except UserError as exc:
        _say(f"error: {exc}")
        return exc.exit_code
    except StdoutError as exc:
        _say(f"error: {exc}; {KEPT}")
        return ExitCode.USER_ERROR
    except OSError as exc:
        _say(f"error: {os_error_line(exc)}")
        return ExitCode.USER_ERROR
    except sqlite3.OperationalError as exc:  # disk full or I/O error under the results store
        _say(f"error: results store: {exc}; {KEPT}")
        return ExitCode.USER_ERROR
    except KeyboardInterrupt:
        _say(
            f"interrupted ({interruption_name()}) during `{args.command}`: nothing finished is lost; "
            "re-run the same command to go on"
        )
        return interrupt_exit_code()


def _flush_stdout() -> None:
    """Flush what the command printed; a full or closed stdout is ``StdoutError`` (one line)."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError) as exc:
        raise StdoutError(stdout_problem(exc)) from None


def _say(line: str) -> None:
    """Print one line to stderr; a stderr that cannot be written is left alone."""
    with contextlib.suppress(OSError, ValueError):
        print(line, file=sys.stderr, flush=True)
