"""The demo-sized HTML report in a real browser (headless Chromium): no JavaScript error, the
sortable and filterable tables work, every embedded image loads and no figure is wider than 3000 px.

How errors are caught: the page's first script (``bench.report.render.html.ERROR_HOOK``) records every
uncaught error in ``<html data-js-errors=N>`` and ``<pre id="js-errors">``, and the page script sets
``data-report-ready="1"`` when it finished; a probe script appended to a copy of the page clicks a
header, filters rows and measures the images after ``load``, writing JSON into ``<pre
id="browser-probe">``. ``chromium --headless --dump-dom`` prints the DOM after the page settled, so
the test reads all of it from stdout (no console-log parsing, no DevTools protocol). Skips, with
the reason, only where no Chromium can be run (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bench.report.render.html import page

MAX_FIGURE_PX = 3000

PROBE = r"""
<script>
window.addEventListener("load", function () {
  var out = { images: [], sort: null, filter: null };
  function colValues(table, col) {
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      return row.cells[col].textContent.trim();
    });
  }
  try {
    Array.prototype.forEach.call(document.images, function (img) {
      out.images.push({ alt: img.alt, complete: img.complete, width: img.naturalWidth,
                        height: img.naturalHeight, embedded: img.src.indexOf("data:image/") === 0 });
    });
    var target = null, col = -1;
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (t) {
      Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th, i) {
        if (!target && th.textContent.trim() === "test acc %" && t.tBodies[0].rows.length > 5) {
          target = t; col = i;
        }
      });
    });
    var th = target.tHead.rows[0].cells[col];
    var before = colValues(target, col);
    th.click();
    var asc = colValues(target, col), ariaAsc = th.getAttribute("aria-sort");
    th.click();
    var desc = colValues(target, col), ariaDesc = th.getAttribute("aria-sort");
    out.sort = { before: before, asc: asc, desc: desc, ariaAsc: ariaAsc, ariaDesc: ariaDesc };
    var input = target.closest(".scroll").previousElementSibling.querySelector("input");
    input.value = "quantum 8";
    input.dispatchEvent(new Event("input"));
    var rows = Array.prototype.slice.call(target.tBodies[0].rows);
    out.filter = { total: rows.length,
                   shown: rows.filter(function (r) { return !r.hidden; })
                              .map(function (r) { return r.textContent; }),
                   count: input.parentNode.textContent };
  } catch (e) { out.exception = String(e && e.stack || e); }
  var pre = document.createElement("pre");
  pre.id = "browser-probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(page_path: Path, profile: Path) -> str:
    """The DOM of ``page_path`` after load, as headless Chromium serialises it."""
    cmd = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page_path.resolve().as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or "<html" not in done.stdout:
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-600:]}")
    return done.stdout


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A callable ``dom(path)``; skips the module when Chromium is missing or cannot run here."""
    if _chromium() is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    probe = tmp_path_factory.mktemp("probe") / "probe.html"
    probe.write_text(page("probe", "<h2>x</h2>"), encoding="utf-8")
    try:
        dump_dom(probe, profile)
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"chromium cannot run here: {exc}")
    return lambda path: dump_dom(path, profile)


def _probe(dom: str) -> dict:
    found = re.search(r'<pre id="browser-probe">(.*?)</pre>', dom, re.S)
    assert found, "the probe script did not run"
    return json.loads(html.unescape(found.group(1)))


def _number(text: str) -> float:
    return float(re.match(r"[+\-−]?\d+(\.\d+)?", text).group(0).replace("−", "-"))


def test_demo_report_in_chromium(browser, demo_report, tmp_path):
    source = demo_report["html"]
    probed = source.parent / "index.browser-test.html"
    probed.write_text(
        source.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    dom = browser(probed)
    assert 'data-report-ready="1"' in dom, "the page script did not finish"
    root = re.search(r"<html[^>]*>", dom).group(0)
    errors = re.search(r'<pre id="js-errors"[^>]*>(.*?)</pre>', dom, re.S)
    assert "data-js-errors" not in root, errors.group(1) if errors else ""
    result = _probe(dom)
    assert "exception" not in result, result.get("exception")

    images = result["images"]
    assert len(images) >= 8
    for img in images:
        assert img["complete"] and img["width"] > 0 and img["embedded"], img
        assert img["width"] <= MAX_FIGURE_PX, f"{img['alt']} is {img['width']} px wide"

    sort = result["sort"]
    values = [_number(v) for v in sort["before"]]
    assert [_number(v) for v in sort["asc"]] == sorted(values) and sort["ariaAsc"] == "ascending"
    assert [_number(v) for v in sort["desc"]] == sorted(values, reverse=True) and sort[
        "ariaDesc"
    ] == "descending"
    assert sorted(sort["asc"]) != sort["before"] or sort["before"] != sort["asc"][::-1]

    shown = result["filter"]["shown"]
    assert 0 < len(shown) < result["filter"]["total"]
    assert all("quantum" in row and "8" in row for row in shown)
    assert f"{len(shown)} of {result['filter']['total']} rows" in result["filter"]["count"]


def test_browser_check_catches_a_script_error(browser, tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text(page("broken", "<h2>x</h2><script>undefinedFunction();</script>"), encoding="utf-8")
    dom = browser(broken)
    assert 'data-js-errors="' in re.search(r"<html[^>]*>", dom).group(0)
    assert re.search(r'<pre id="js-errors">[^<]*undefinedFunction', dom)
