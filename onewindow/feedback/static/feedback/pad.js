// The locked window rating pad: ask every few seconds which visit waits for its rating; when it is
// another one than shown (the clerk finished the next ticket), show it (a GET of the pad, never a re-post).
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-state-url");
  var shown = body.getAttribute("data-ticket") || "";
  var every = parseInt(body.getAttribute("data-poll-ms"), 10) || 3000;
  document.addEventListener("contextmenu", function (e) { e.preventDefault(); });
  function poll() {
    fetch(url, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var now = data.ticket === null ? "" : String(data.ticket);
        if (now !== shown) { window.location.replace(window.location.pathname); return; }
        setTimeout(poll, every);
      })
      .catch(function () { setTimeout(poll, every * 2); });
  }
  setTimeout(poll, every);
})();
