/* Entrustment item picker: filter the checkbox list while typing (name, alias, pinyin initials).
   Without JS the plain list works; chosen items always stay visible. */
(function () {
  "use strict";
  var box = document.querySelector("[data-px-pick]");
  if (!box) return;
  var input = box.querySelector("[data-px-filter]");
  var count = box.querySelector("[data-px-count]");
  var empty = box.querySelector("[data-px-empty]");
  var opts = Array.prototype.slice.call(box.querySelectorAll(".px-opt"));
  function norm(s) { return (s || "").toLowerCase().replace(/\s+/g, ""); }
  function update() {
    var q = norm(input.value), shown = 0, chosen = 0;
    opts.forEach(function (o) {
      var checked = o.querySelector("input").checked;
      var hit = !q || (o.getAttribute("data-search") || "").toLowerCase().indexOf(q) !== -1;
      o.hidden = !(hit || checked);
      if (!o.hidden) shown += 1;
      if (checked) chosen += 1;
    });
    count.textContent = "已选 " + chosen + " 项";
    empty.hidden = shown !== 0;
  }
  input.hidden = false;
  input.previousElementSibling.hidden = false;
  count.hidden = false;
  input.addEventListener("input", update);
  input.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
  box.addEventListener("change", update);
  update();
})();
