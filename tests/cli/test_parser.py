"""The parser: every sub-command has a description, every option a help text; --version; output flags."""

from __future__ import annotations

import argparse

import pytest

from bench.cli.parser import build_parser, main


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_sub_command_has_a_description_and_every_option_a_help_text():
    parser = build_parser()
    missing = [
        a.dest for a in parser._actions if not a.help and not isinstance(a, argparse._SubParsersAction)
    ]
    for name, command in _commands(parser).items():
        if not (command.description and command.description.strip()):
            missing.append(f"{name}: description")
        for action in command._actions:
            if not (action.help and action.help.strip()) and action.help is not argparse.SUPPRESS:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == [], f"without help text: {missing}"
    assert len(_commands(parser)) >= 12


def test_version_prints_the_package_version_and_git_sha(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("qhead-bench 0.1.0 (git ") and "Python 3." in out


def test_output_flags_go_before_or_after_the_sub_command(tiny_suite_path, tmp_path, capsys):
    dirs = ["--reports-dir", str(tmp_path / "r")]
    assert main(["--quiet", "plan", str(tiny_suite_path), *dirs]) == 0
    assert main(["plan", str(tiny_suite_path), *dirs, "--verbose"]) == 0
    capsys.readouterr()
    assert main(["plan", str(tiny_suite_path), *dirs, "--quiet", "--verbose"]) == 2
    assert "--quiet and --verbose: give one" in capsys.readouterr().err
