(function () {
  "use strict";
  var UNITS = { "\u00b5s": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1, "min": 60, "h": 3600 };
  var NUMBER = /^\s*[<>~\u2248]?\s*([+\-\u2212]?)(\d[\d,]*\.?\d*|\.\d+)(e[+\-]?\d+)?\s*(\u00b5s|us|ms|min|s|h)?(?![a-z])/i;
  function sortValue(cell) {
    var text = (cell.getAttribute("data-sort") || cell.textContent || "").trim();
    if (text === "" || text === "\u2014") { return { missing: true, num: null, text: "" }; }
    var m = NUMBER.exec(text);
    if (!m) { return { missing: false, num: null, text: text.toLowerCase() }; }
    var sign = m[1] === "\u2212" || m[1] === "-" ? "-" : "";
    var v = parseFloat(sign + m[2].replace(/,/g, "") + (m[3] || ""));
    if (m[4]) { v *= UNITS[m[4].toLowerCase()] || 1; }
    return { missing: false, num: isNaN(v) ? null : v, text: text.toLowerCase() };
  }
  function compare(a, b) {
    if (a.num !== null && b.num !== null) { return a.num - b.num; }
    return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
  }
  function sortBy(table, col, th) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var rows = Array.prototype.map.call(body.rows, function (row, i) {
      return { row: row, i: i, v: sortValue(row.cells[col] || row.cells[0]) };
    });
    rows.sort(function (x, y) {
      if (x.v.missing !== y.v.missing) { return x.v.missing ? 1 : -1; }
      return dir * compare(x.v, y.v) || x.i - y.i;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
  }
  function filterRows(table, query, count) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0, rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    Array.prototype.forEach.call(rows, function (row) {
      var text = row.textContent.toLowerCase();
      var keep = terms.every(function (t) { return text.indexOf(t) >= 0; });
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    count.textContent = terms.length ? shown + " of " + rows.length + " rows" : rows.length + " rows";
  }
  var FILTER_MIN_ROWS = 6;
  function enhance(table, n) {
    if (!table.tHead || !table.tHead.rows.length) { return; }
    table.setAttribute("data-sortable-ready", "1");
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.tabIndex = 0;
      th.title = "sort by this column";
      th.addEventListener("click", function () { sortBy(table, col, th); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, col, th); }
      });
    });
    if (!table.tBodies[0] || table.tBodies[0].rows.length < FILTER_MIN_ROWS) { return; }
    var tools = document.createElement("div");
    tools.className = "table-tools";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "filter rows\u2026";
    input.setAttribute("aria-label", "filter table rows");
    input.id = "filter-" + n;
    var count = document.createElement("span");
    tools.appendChild(input);
    tools.appendChild(count);
    var anchor = table.parentNode && table.parentNode.classList.contains("scroll") ? table.parentNode : table;
    anchor.parentNode.insertBefore(tools, anchor);
    input.addEventListener("input", function () { filterRows(table, input.value, count); });
    filterRows(table, "", count);
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), enhance);
    document.documentElement.setAttribute("data-report-ready", "1");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
