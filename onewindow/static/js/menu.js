/* The header menu (base.html, <details id="site-menu">): native, so it opens without this script.
 * This only (1) keeps it open on wide screens in browsers without ::details-content, where the CSS
 * cannot show a closed <details>' links, and (2) closes it with Escape, giving focus back to 菜单. */
(function () {
  "use strict";
  var menu = document.getElementById("site-menu");
  if (!menu) { return; }
  var wide = window.matchMedia("(min-width: 721px)");
  var native = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  function sync() { if (!native && wide.matches) { menu.open = true; } }
  sync();
  if (wide.addEventListener) { wide.addEventListener("change", sync); }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && menu.open && !wide.matches) {
      menu.open = false;
      var s = menu.querySelector("summary");
      if (s) { s.focus(); }
    }
  });
})();
