// Display board: polls the public board API every second, redraws, and speaks each new call twice.
// The clock shows the SERVER's local time: the page and every poll carry the server's `now` (with its
// UTC offset); the box's clock only measures the seconds in between, its time zone is never used.
// A call is "new" when its (number, window, announced_at) was not seen before; a recall bumps
// announced_at, so it is spoken again. Calls already on the board when the page opens stay silent.
(function () {
  "use strict";
  var api = document.body.getAttribute("data-api");
  var labels = JSON.parse(document.getElementById("board-labels").textContent);
  var initial = JSON.parse(document.getElementById("board-initial").textContent);
  var seen = new Set();
  var DIGITS = "零一二三四五六七八九";
  var offsetMin = parseInt(document.body.getAttribute("data-utc-offset") || "480", 10);
  var skew = 0;  // server time minus the box's time, in ms

  function syncClock(iso) {
    var server = Date.parse(iso || "");
    if (!isNaN(server)) skew = server - Date.now();
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The server's wall-clock time: shift by its UTC offset and read the UTC fields.
  function serverClockText() {
    var d = new Date(Date.now() + skew + offsetMin * 60000);
    return d.getUTCFullYear() + "年" + (d.getUTCMonth() + 1) + "月" + d.getUTCDate() + "日 " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }

  function key(c) { return c.number + "|" + c.window + "|" + c.announced_at; }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // "A012" → "A 零一二", so the voice reads digit by digit as callers expect.
  function spokenNumber(number) {
    return number.replace(/\d/g, function (d) { return DIGITS[+d]; });
  }

  function speak(call) {
    if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") return;
    var text = "请 " + spokenNumber(call.number) + " 号，到 " + call.window + " 号窗口办理";
    for (var i = 0; i < 2; i++) {
      try {
        var u = new SpeechSynthesisUtterance(text);
        u.lang = "zh-CN";
        u.rate = 0.9;
        window.speechSynthesis.speak(u);
      } catch (e) { return; }
    }
  }

  function render(data) {
    var current = document.getElementById("board-current");
    current.replaceChildren();
    if (!data.current.length) current.appendChild(el("li", "empty", "请留意叫号"));
    data.current.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("span", "num", c.number));
      li.appendChild(document.createTextNode(c.text));
      current.appendChild(li);
    });
    var recent = document.getElementById("board-recent");
    recent.replaceChildren();
    data.recent.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("span", "num", c.number));
      li.appendChild(document.createTextNode(" → " + c.window + " 号窗口"));
      recent.appendChild(li);
    });
    var waiting = document.getElementById("board-waiting");
    waiting.replaceChildren();
    Object.keys(data.waiting).forEach(function (code) {
      var li = el("li", null, labels[code] || code);
      li.appendChild(el("strong", null, String(data.waiting[code])));
      waiting.appendChild(li);
    });
  }

  function announce(data) {
    var fresh = data.recent.filter(function (c) { return !seen.has(key(c)); });
    fresh.reverse().forEach(function (c) {  // oldest first
      seen.add(key(c));
      if (c.state === "called") speak(c);
    });
  }

  function tick() {
    var clock = document.getElementById("board-clock");
    clock.textContent = serverClockText();
  }

  function poll() {
    fetch(api, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        syncClock(data.now);
        if (typeof data.utc_offset_minutes === "number") offsetMin = data.utc_offset_minutes;
        if (data.hall) document.getElementById("board-hall").textContent = data.hall.message;
        render(data);
        announce(data);
        document.getElementById("board-status").textContent = "";
      })
      .catch(function () {
        document.getElementById("board-status").textContent = "连接中断，正在重试…";
      })
      .finally(function () { setTimeout(poll, 500); });
  }

  initial.recent.forEach(function (c) { seen.add(key(c)); });
  syncClock(document.body.getAttribute("data-now"));
  tick();
  setInterval(tick, 1000);
  setTimeout(poll, 500);
})();
