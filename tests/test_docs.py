"""The documentation's references resolve: links, anchors, file paths and named sections.

Scanned: README.md, docs/*.md, backends/README.md and the comments of suites/*.yaml. Checked:

* Markdown links ``[text](target)`` to a relative file exist; a ``#anchor`` (in the same page or
  another) names a heading of the target page (GitHub's slug rule) or an ``<a id="…">`` in it;
* repository paths written in the prose (``docs/datasets.md``, ``bench/plan/grid.py``) exist, except
  files a command writes and one-letter placeholders (``suites/x.yaml``);
* a section named in words (``README "Datasets"``, ``see "Running on a cluster" in docs/x.md``)
  is a heading of that page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", ROOT / "backends" / "README.md", *(ROOT / "docs").glob("*.md")])
SUITES = sorted((ROOT / "suites").glob("*.yaml"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
PATH = re.compile(
    r"(?<![\w./-])((?:docs|suites|backends|benchmarks|bench|tests)/[\w./-]*\w\.(?:md|yaml|py|json))"
)
WRITTEN_BY_COMMANDS = {"backends/trainer-timings.json"}  # `python -m bench calibrate` writes it
SECTION = re.compile(
    r"\b([\w./-]+\.md|README)\s+(?:section\s+)?\"([^\"]+)\"|\"([^\"]+)\"\s+(?:section\s+)?(?:in|of)\s+([\w./-]+\.md)"
)


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _headings(page: Path) -> list[str]:
    text = re.sub(r"^[ \t]*```.*?^[ \t]*```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    return [m.group(1).strip() for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*$", text, re.M)]


def _prose(path: Path) -> str:
    """The page's prose: code blocks and inline code (examples, whose file names are made up) left
    out; a suite file's comments."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".yaml":
        return "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    text = re.sub(r"^[ \t]*```.*?^[ \t]*```", "", text, flags=re.S | re.M)
    text = re.sub(r"^(?: {4}|\t).*$", "", text, flags=re.M)  # indented code blocks
    return re.sub(r"`[^`]*`", "", text)  # inline code: commands and messages with example names


def _page_named(name: str, source: Path) -> Path:
    if name == "README":
        return ROOT / "README.md"
    for base in (source.parent, ROOT, ROOT / "docs"):
        if (base / name).is_file():
            return base / name
    return ROOT / name


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_and_anchors_resolve(page):
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        linked = (page.parent / file).resolve() if file else page
        assert linked.exists(), f"{page.relative_to(ROOT)} links to missing {file}"
        if anchor and linked.suffix == ".md":
            text = linked.read_text(encoding="utf-8")
            slugs = {_slug(h) for h in _headings(linked)} | set(
                re.findall(r'<a\s+(?:id|name)="([^"]+)"', text)
            )
            assert anchor in slugs, f"{page.relative_to(ROOT)}: no heading for #{anchor} in {linked.name}"


@pytest.mark.parametrize("source", PAGES + SUITES, ids=lambda p: str(p.relative_to(ROOT)))
def test_paths_and_named_sections_exist(source):
    text = _prose(source)
    for path in PATH.findall(text):
        if path in WRITTEN_BY_COMMANDS or len(Path(path).stem) == 1:  # `suites/x.yaml`: a placeholder
            continue
        assert (ROOT / path).exists() or (source.parent / path).exists(), (
            f"{source.name} names missing {path}"
        )
    for match in SECTION.finditer(text):
        name, section = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        )
        page = _page_named(name, source)
        assert page.is_file(), f"{source.name} refers to missing page {name}"
        headings = {h.lower() for h in _headings(page)}
        assert section.lower() in headings, f'{source.name} refers to a section "{section}" {page.name} lacks'


def test_the_checker_finds_a_dead_reference(tmp_path):
    page = tmp_path / "page.md"
    page.write_text('# Top\n\nSee [x](#nowhere) and README "No such section".\n')
    assert _slug("Running on a cluster") == "running-on-a-cluster"
    assert LINK.findall(page.read_text()) == ["#nowhere"]
    assert SECTION.search(page.read_text()).group(2) == "No such section"
