"""YAML loading that remembers where each key came from.

``load_yaml(path)`` returns ``(data, lines)`` where ``lines[("training", "epochs")]`` is the
1-based line of that key (sequence items are addressed by index). Errors about a key path
can then name the exact line, e.g. ``suites/a.yaml:12: training.epochs: ...``.

Strict: a file that is not UTF-8 text, or not valid YAML, fails with one line naming the file,
line and byte offset; a key given twice in one mapping fails (YAML parsers silently keep the
last one). Only regular files are read (a FIFO or a device would block or never end), and
aliases may expand the document to at most ``MAX_NODES`` nodes (an "alias bomb" of nested
anchors would otherwise take hours and all memory): beyond, one line names the file and line.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from bench.core.errors import UserError

KeyPath = tuple[str | int, ...]
MAX_NODES = 100_000  # a suite has hundreds; aliases expanding past this are refused


def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], file: Path, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise UserError(
            f"{file}:{node.start_mark.line + 1}: YAML aliases expand this file to more than "
            f"{MAX_NODES} values (nested anchors: an alias bomb?); write the values out"
        )
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            line = key_node.start_mark.line + 1
            if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                if key_node.value in seen:
                    raise UserError(
                        f"{file}:{line}: {format_path(child)}: duplicate key (first given on line "
                        f"{seen[key_node.value]}; give each key once)"
                    )
                seen[key_node.value] = line
            lines[child] = line
            _walk(value_node, child, lines, file, budget)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, file, budget)


def load_yaml(path: str | Path) -> tuple[Any, dict[KeyPath, int]]:
    """Parse a YAML file into plain data plus a key-path -> line map.

    Raises ``UserError`` (one line, with file and line) for a missing file or bad YAML.
    """
    path = Path(path)
    text = read_text(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        lines: dict[KeyPath, int] = {}
        if node is not None:
            _walk(node, (), lines, path, [MAX_NODES])  # before anything expands the aliases
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        offset = f" (byte offset {len(text[: mark.index].encode())})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{path}{where}: invalid YAML: {problem}{offset}") from None
    return data, lines


def read_text(path: Path) -> str:
    """The file as UTF-8 text; ``UserError`` (file, byte offset) when it is missing, unreadable
    or not UTF-8 (a binary file, a Latin-1 file)."""
    try:
        mode = os.stat(path).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
            raise UserError(f"{path}: is {kind}, not a regular file (give the path of a YAML file)")
        blob = Path(path).read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a YAML file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = blob[: exc.start].count(b"\n") + 1
        raise UserError(
            f"{path}:{line}: not a UTF-8 text file (byte 0x{blob[exc.start]:02x} at byte offset "
            f"{exc.start}; save it as UTF-8 YAML)"
        ) from None


def format_path(path: KeyPath) -> str:
    """``("heads", 1, "name")`` -> ``heads[1].name``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<top level>"


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """Line of ``path``, or of its nearest ancestor that has one."""
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None
