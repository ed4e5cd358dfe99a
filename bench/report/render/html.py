"""Self-contained HTML pages: one file, images embedded, a table of contents, sortable and filterable
tables, no network access (no CDN, no web fonts, no external script).

Reusable by every page the harness writes (run report, timing sweep, compare and trends pages):

- ``page(title, body, base_dir)`` wraps an HTML fragment into a complete document: every ``<h2>`` and
  ``<h3>`` gets an ``id`` (kept when present) and is listed in a table of contents; every
  ``<img src="relative/path">`` that names a readable PNG, SVG, JPEG or GIF under ``base_dir`` is
  replaced by a ``data:`` URI, and so is every ``<a href>`` to such an SVG (downloaded under its
  name when clicked); tables with the class ``sortable`` (``table_html`` makes them) get
  click-to-sort headers and a filter box from the inline ``PAGE_SCRIPT``.
- ``table_html(df)``: a DataFrame of display strings as a sortable, filterable table;
  ``figure_html(path, alt, caption, svg)``: a figure with its caption and a link to the SVG version.
- Pieces for custom pages: ``PAGE_CSS``, ``PAGE_SCRIPT``, ``ERROR_HOOK``, ``data_uri``,
  ``embed_images``, ``heading_ids``, ``toc_html``.

JavaScript errors are observable without a debugger: ``ERROR_HOOK`` (the first script of the page)
records every uncaught error and unhandled rejection in ``<pre id="js-errors">`` and in the
``data-js-errors`` attribute of ``<html>``; ``PAGE_SCRIPT`` sets ``data-report-ready="1"`` on
``<html>`` when it finished. A headless browser's ``--dump-dom`` therefore shows both (see
``tests/report/test_report_browser.py``). Sorting is numeric when both cells start like a number
(``−``, ``±``, thousands separators and the units µs/ms/s/min/h understood), else by text; ``—``
(missing) sorts last in both directions. The filter keeps rows containing every whitespace-separated
term (case-insensitive).
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from pathlib import Path

import pandas as pd

from bench.report.render.markup import html_table

__all__ = [
    "ERROR_HOOK",
    "PAGE_CSS",
    "PAGE_SCRIPT",
    "data_uri",
    "embed_images",
    "figure_html",
    "heading_ids",
    "page",
    "slug",
    "table_html",
    "toc_html",
]

_IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
_IMAGE_TYPES[".gif"] = "image/gif"

_ASSETS = Path(__file__).parent / "assets"

PAGE_CSS = (_ASSETS / "page.css").read_text(encoding="utf-8")
"""The page style (``assets/page.css``): readable on a laptop, a sticky TOC column on wide screens."""

ERROR_HOOK = (_ASSETS / "error_hook.js").read_text(encoding="utf-8")
"""First script of every page (``assets/error_hook.js``): records uncaught errors in the DOM."""

PAGE_SCRIPT = (_ASSETS / "page.js").read_text(encoding="utf-8")
"""Last script of every page (``assets/page.js``): sortable, filterable ``table.sortable``."""

_HEADING = re.compile(r"<h([23])((?:\s+[^>]*)?)>(.*?)</h\1>", re.S)
_ID_ATTR = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""")
_TAGS = re.compile(r"<[^>]+>")
_IMG_SRC = re.compile(r"""(<img\b[^>]*?\ssrc\s*=\s*)(["'])([^"']+)\2""", re.I)
_SVG_HREF = re.compile(r"""(<a\b[^>]*?\shref\s*=\s*)(["'])([^"']+\.svg)\2""", re.I)


def slug(text: str, taken: set[str] | None = None) -> str:
    """A lowercase ``a-z0-9-`` id for ``text``, made unique against ``taken`` (which it updates)."""
    base = re.sub(r"[^a-z0-9]+", "-", html.unescape(_TAGS.sub("", text)).lower()).strip("-") or "section"
    taken = set() if taken is None else taken
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def heading_ids(body: str) -> tuple[str, list[tuple[int, str, str]]]:
    """Give every ``<h2>``/``<h3>`` in ``body`` an id (existing ids are kept) and return
    ``(new body, [(level, id, heading text as HTML-escaped plain text)])`` in document order."""
    taken = set(_ID_ATTR.findall(body))
    headings: list[tuple[int, str, str]] = []

    def add(m: re.Match) -> str:
        level, attrs, inner = int(m.group(1)), m.group(2), m.group(3)
        found = _ID_ATTR.search(attrs)
        ident = found.group(1) if found else slug(inner, taken)
        text = html.escape(html.unescape(_TAGS.sub("", inner)).strip(), quote=False)
        headings.append((level, ident, text))
        new_attrs = attrs if found else f'{attrs} id="{ident}"'
        return f"<h{level}{new_attrs}>{inner}</h{level}>"

    return _HEADING.sub(add, body), headings


def toc_html(headings: list[tuple[int, str, str]], title: str = "Contents") -> str:
    """A ``<nav class="toc">`` with nested lists: level-3 headings under the level-2 one before them."""
    if not headings:
        return ""
    esc = html.escape(title)
    out = [f'<nav class="toc" aria-label="{esc}"><p class="toc-title">{esc}</p><ol>']
    open_sub = False
    for i, (level, ident, text) in enumerate(headings):
        if level == 3 and not open_sub and i > 0:
            out[-1] = out[-1].removesuffix("</li>")
            out.append("<ol>")
            open_sub = True
        elif level == 2 and open_sub:
            out.append("</ol></li>")
            open_sub = False
        out.append(f'<li><a href="#{ident}">{text}</a></li>')
    if open_sub:
        out.append("</ol></li>")
    out.append("</ol></nav>")
    return "\n".join(out)


def data_uri(path: Path) -> str:
    """``data:<mime>;base64,…`` of a file (mime type from its suffix)."""
    path = Path(path)
    mime = (
        _IMAGE_TYPES.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _local_image(base_dir: Path, src: str) -> Path | None:
    if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) or src.startswith(("/", "#")):
        return None  # data:, http:, absolute or fragment: not a file of this report
    path = (base_dir / html.unescape(src)).resolve()
    if path.suffix.lower() not in _IMAGE_TYPES or not path.is_file():
        return None
    return path


def embed_images(body: str, base_dir: Path) -> str:
    """Replace the ``src`` of every ``<img>`` naming a readable image file relative to ``base_dir``
    by its data URI, and the ``href`` of every link to such an SVG file by its data URI with a
    ``download`` attribute (browsers save it under the file's name: a mailed single HTML file keeps
    its vector figures); other values (URLs, data URIs, missing files) are left as they are."""
    base_dir = Path(base_dir)

    def swap(m: re.Match) -> str:
        path = _local_image(base_dir, m.group(3))
        return m.group(0) if path is None else f"{m.group(1)}{m.group(2)}{data_uri(path)}{m.group(2)}"

    def swap_link(m: re.Match) -> str:
        path = _local_image(base_dir, m.group(3))
        if path is None:
            return m.group(0)
        name = html.escape(path.name, quote=True)
        return f'{m.group(1)}{m.group(2)}{data_uri(path)}{m.group(2)} download="{name}"'

    return _SVG_HREF.sub(swap_link, _IMG_SRC.sub(swap, body))


def table_html(df: pd.DataFrame, auto_align: bool = True, sortable: bool = True) -> str:
    """``markup.html_table`` inside a horizontally scrolling ``div``; ``sortable`` adds the class
    that ``PAGE_SCRIPT`` turns into sort-on-click headers and a filter box. ``""`` for no columns."""
    css = "data sortable" if sortable else "data"
    table = html_table(df, css_class=css, auto_align=auto_align)
    return f'<div class="scroll">\n{table}\n</div>' if table else ""


def figure_html(path: str | None, alt: str, caption: str = "", svg: str | None = None) -> str:
    """A ``<figure>`` for an image path relative to the page (embedded later by ``page``), with the
    caption and, when given, a link to the vector version; ``<p class="empty">No data.</p>``
    without a path."""
    if not path:
        return '<p class="empty">No data.</p>'
    link = f' <a href="{html.escape(svg)}">SVG</a>' if svg else ""
    return (
        f'<figure>\n<img src="{html.escape(path)}" alt="{html.escape(alt)}">\n'
        f"<figcaption>{html.escape(caption)}{link}</figcaption>\n</figure>"
    )


def page(title: str, body: str, base_dir: Path | None = None, toc: bool = True, lang: str = "en") -> str:
    """A complete, self-contained HTML document: ``<h1>`` from ``title``, then the TOC (when ``toc``
    and ``body`` has ``<h2>``/``<h3>``), then ``body``. ``body`` is trusted HTML (escape its text
    yourself); with ``base_dir`` its relative ``<img>`` files are embedded (see ``embed_images``)."""
    body, headings = heading_ids(body)
    if base_dir is not None:
        body = embed_images(body, base_dir)
    nav = toc_html(headings) if toc else ""
    esc = html.escape(title)
    return (
        f'<!doctype html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc}</title>\n<script>\n{ERROR_HOOK}\n</script>\n<style>\n{PAGE_CSS}\n</style>\n</head>\n"
        f'<body>\n<div class="layout">\n<header><h1>{esc}</h1></header>\n{nav}\n<main>\n'
        '<pre id="js-errors" hidden></pre>\n'
        f"{body}\n</main>\n</div>\n<script>\n{PAGE_SCRIPT}\n</script>\n</body>\n</html>\n"
    )
