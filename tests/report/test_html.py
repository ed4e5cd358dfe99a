"""The self-contained HTML helpers: heading ids and TOC, embedded images, sortable tables, no network."""

from __future__ import annotations

import re

import pandas as pd

from bench.report.render.html import (
    data_uri,
    embed_images,
    figure_html,
    heading_ids,
    page,
    slug,
    table_html,
    toc_html,
)

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
)


def test_slug_unique_and_plain():
    taken: set[str] = set()
    assert slug("Accuracy vs <i>qubits</i>", taken) == "accuracy-vs-qubits"
    assert slug("Accuracy vs qubits", taken) == "accuracy-vs-qubits-2"
    assert slug("Δ!", taken) == "section"


def test_heading_ids_keep_existing_and_toc_nests():
    body = '<h2>Verdict</h2><h3>Forest plot</h3><h2 id="kept">Runtime &amp; cost</h2><h3>A</h3><h3>B</h3>'
    new, headings = heading_ids(body)
    assert headings == [
        (2, "verdict", "Verdict"),
        (3, "forest-plot", "Forest plot"),
        (2, "kept", "Runtime &amp; cost"),
        (3, "a", "A"),
        (3, "b", "B"),
    ]
    assert '<h2 id="verdict">' in new and new.count('id="kept"') == 1
    toc = toc_html(headings)
    assert toc.count("<ol>") == 3 and toc.count("</ol>") == 3
    assert re.search(r'href="#verdict">Verdict</a>\s*<ol>\s*<li><a href="#forest-plot">', toc)
    assert toc_html([]) == ""


def test_embed_images_only_local_files(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "a.png").write_bytes(PNG_1PX)
    body = (
        '<img src="figures/a.png" alt="a"><img src="figures/missing.png">'
        '<img src="https://example.org/x.png"><img src="data:image/png;base64,AAAA">'
    )
    out = embed_images(body, tmp_path)
    assert out.count("data:image/png;base64,") == 2
    assert 'src="figures/missing.png"' in out and 'src="https://example.org/x.png"' in out
    assert data_uri(tmp_path / "figures" / "a.png") in out


def test_svg_links_are_embedded_as_downloads_so_a_mailed_page_keeps_them(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    body = '<a href="figures/a.svg">SVG</a> <a href="figures/gone.svg">SVG</a> <a href="#top">top</a>'
    out = embed_images(body, tmp_path)
    assert f'href="{data_uri(tmp_path / "figures" / "a.svg")}" download="a.svg">SVG</a>' in out
    assert 'href="figures/gone.svg">' in out and 'href="#top"' in out


def test_table_and_figure_html_escape():
    df = pd.DataFrame({"name": ["<b>x</b>"], "value": ["1.5 ms"]})
    html = table_html(df)
    assert 'class="data sortable"' in html and "&lt;b&gt;" in html and '<td class="num">1.5 ms</td>' in html
    assert 'class="data"' in table_html(df, sortable=False)
    assert table_html(pd.DataFrame()) == ""
    fig = figure_html("figures/a.png", 'a "b"', "cap <c>", svg="figures/a.svg")
    assert 'alt="a &quot;b&quot;"' in fig and "cap &lt;c&gt;" in fig and 'href="figures/a.svg"' in fig
    assert figure_html(None, "x") == '<p class="empty">No data.</p>'


def test_page_is_self_contained(tmp_path):
    (tmp_path / "a.png").write_bytes(PNG_1PX)
    doc = page("T <1>", '<h2>One</h2><img src="a.png"><h2>Two</h2>', tmp_path)
    assert doc.startswith("<!doctype html>") and "<h1>T &lt;1&gt;</h1>" in doc
    assert '<nav class="toc"' in doc and 'href="#two"' in doc
    assert 'src="data:image/png;base64,' in doc
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", doc), "no network references"
    assert doc.index("data-js-errors") < doc.index("<style>")  # error hook runs first
    assert "data-report-ready" in doc and 'id="js-errors"' in doc
    assert '<nav class="toc"' not in page("T", "<h2>One</h2>", toc=False)
