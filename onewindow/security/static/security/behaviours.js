/* Small page behaviours without inline JavaScript (the Content-Security-Policy forbids inline scripts):
 *   <select data-autosubmit>            submit its form when changed
 *   <button data-print>                 print the page
 *   <form data-confirm="question?">     ask before submitting
 *   <div data-reload-after="5000">      reload the page after N milliseconds
 */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
  });
  document.addEventListener("click", function (e) {
    var el = e.target && e.target.closest ? e.target.closest("[data-print]") : null;
    if (el) { e.preventDefault(); window.print(); }
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form && form.getAttribute ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) { e.preventDefault(); }
  }, true);
  function reloads() {
    var nodes = document.querySelectorAll("[data-reload-after]");
    for (var i = 0; i < nodes.length; i++) {
      var ms = parseInt(nodes[i].getAttribute("data-reload-after"), 10);
      if (ms > 0) { setTimeout(function () { window.location.reload(); }, ms); }
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", reloads); } else { reloads(); }
})();
