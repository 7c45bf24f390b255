// Kiosk: the on-screen numeric keypad of 预约签到 (no system keyboard on the touch screen) and a
// locked screen (no way out to the full site: no links, no context menu, no back into other pages).
(function () {
  "use strict";
  document.addEventListener("contextmenu", function (e) { e.preventDefault(); });
  document.querySelectorAll("form[data-keypad]").forEach(function (form) {
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[name]:not([type=hidden])"));
    var target = inputs[0];
    inputs.forEach(function (input) {
      input.addEventListener("focus", function () { target = input; mark(); });
    });
    function mark() {
      inputs.forEach(function (i) { i.classList.toggle("keypad-target", i === target); });
    }
    form.querySelectorAll("[data-key]").forEach(function (button) {
      button.addEventListener("click", function () {
        var key = button.getAttribute("data-key");
        var max = parseInt(target.getAttribute("maxlength") || "32", 10);
        if (key === "back") target.value = target.value.slice(0, -1);
        else if (key === "clear") target.value = "";
        else if (target.value.length < max) target.value += key;
        // a full field moves on to the next one (预约号/手机号 → 预约码)
        var next = inputs[inputs.indexOf(target) + 1];
        if (key.length === 1 && /\d/.test(key) && target.value.length >= max && next) target = next;
        mark();
      });
    });
    mark();
  });
})();
