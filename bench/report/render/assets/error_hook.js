(function () {
  var errors = [];
  function report(text) {
    errors.push(String(text));
    document.documentElement.setAttribute("data-js-errors", String(errors.length));
    var pre = document.getElementById("js-errors");
    if (pre) { pre.hidden = false; pre.textContent = errors.join("\n"); }
  }
  window.addEventListener("error", function (e) {
    report("error: " + (e.message || e.type) + (e.filename ? " at " + e.filename + ":" + e.lineno : ""));
  }, true);
  window.addEventListener("unhandledrejection", function (e) { report("unhandled rejection: " + e.reason); });
  document.addEventListener("DOMContentLoaded", function () { if (errors.length) report("(page loaded)"); });
})();
