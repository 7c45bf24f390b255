/* Case pages: the error summary takes the focus, and legal acts ask once before they are taken.
 *
 * <div id="error-summary">               after a failed submit: focus moves to the first field in error
 *                                          (or to the summary); its links focus their field
 * <form data-act-confirm="<action>">      asks in <dialog id="act-confirm"> what will be issued; 确认
 *                                          adds confirmed=1 (the server asks on its own page otherwise)
 * <form data-intake-confirm>              the workbench's 受理 / 一次性告知 / 不予受理, the same way
 */
(function () {
  "use strict";
  var MATERIAL = { accept: 1, request_correction: 1, supplement: 1 };

  function focusFirstError() {
    var summary = document.getElementById("error-summary");
    if (!summary) { return; }
    var field = document.querySelector("[aria-invalid='true']");
    // the focus is in the first field in error; the view stays on the summary, which names them all
    (field || summary).focus({ preventScroll: true });
    if (summary.scrollIntoView) { summary.scrollIntoView({ block: "start" }); }
  }

  document.addEventListener("click", function (e) {
    var link = e.target && e.target.closest ? e.target.closest("#error-summary a[href^='#']") : null;
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    e.preventDefault();
    var field = target.matches("input,select,textarea") ? target : target.querySelector("[aria-invalid='true'],input:not([type=hidden]),select,textarea");
    (field || target).focus();
    if (target.scrollIntoView) { target.scrollIntoView({ block: "center" }); }
  });

  function missing(form) {
    var rows = [];
    var boxes = form.querySelectorAll("input[type=checkbox][data-required]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) { continue; }
      var note = form.querySelector("input[name='" + boxes[i].name.replace(/-provided$/, "-note") + "']");
      var why = note && note.value.trim() ? "材料不符合要求：" + note.value.trim() : "未提交";
      rows.push(boxes[i].getAttribute("data-name") + "：" + why);
    }
    return rows;
  }

  function typed(form) {
    var lines = [];
    var fields = form.querySelectorAll("[data-confirm-line]");
    for (var i = 0; i < fields.length; i++) {
      var el = fields[i];
      var value = el.tagName === "SELECT" ? (el.value ? el.options[el.selectedIndex].text : "") : el.value.trim();
      if (value) { lines.push(el.getAttribute("data-confirm-line") + "：" + value); }
    }
    return lines;
  }

  function needsInput(form) {
    var needed = form.querySelectorAll("[data-needed]");
    for (var i = 0; i < needed.length; i++) { if (!needed[i].value.trim()) { return true; } }
    return false;
  }

  /* What the act will issue: [headline, lines], or null when the server will refuse it anyway. */
  function question(form, dialog) {
    var action = form.getAttribute("data-act-confirm");
    var headline = form.getAttribute("data-confirm-headline") || "";
    var lines = [];
    if (MATERIAL[action]) {
      lines = missing(form);
      if ((action === "accept" && lines.length) || (action === "request_correction" && !lines.length)) { return null; }
      headline = lines.length ? dialog.getAttribute("data-notice").replace("{n}", lines.length) : dialog.getAttribute("data-accept");
      if (action === "supplement" && lines.length) { lines.unshift("补正后材料仍不齐全，本件不能受理。"); }
    }
    return [headline, lines.concat(typed(form))];
  }

  /* The workbench: 受理 / 一次性告知 by the checklist, or 不予受理 by the button pressed. */
  function intakeQuestion(form, dialog, outcome) {
    var needed = form.querySelectorAll(outcome === "reject" ? "[data-needed]" : "[data-needed=intake],[aria-required=true]");
    for (var i = 0; i < needed.length; i++) { if (!needed[i].value.trim()) { return null; } }
    if (outcome === "reject") { return [form.getAttribute("data-reject-headline"), typed(form.querySelector("details") || form), "确认不予受理"]; }
    var lines = missing(form);
    if (lines.length) { return [dialog.getAttribute("data-notice").replace("{n}", lines.length), lines, "确认出具一次性告知书"]; }
    return [dialog.getAttribute("data-accept"), [], "确认受理"];
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form || !form.matches) { return; }
    var dialog = document.getElementById("act-confirm");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    var asked = null;
    var extra = {};
    if (form.matches("form[data-intake-confirm]")) {
      var submitter = e.submitter;
      var outcome = submitter && submitter.name === "outcome" ? submitter.value : "intake";
      if (outcome !== "intake" && outcome !== "reject") { return; }
      asked = intakeQuestion(form, dialog, outcome);
      extra.outcome = outcome;
    } else if (form.matches("form[data-act-confirm]") && !needsInput(form)) {
      asked = question(form, dialog);
      if (asked) { asked.push(form.getAttribute("data-confirm-button") || "确认"); }
    }
    if (!asked) { return; }
    e.preventDefault();
    dialog.querySelector(".confirm-headline strong").textContent = asked[0];
    var list = dialog.querySelector(".confirm-lines");
    list.textContent = "";
    for (var i = 0; i < asked[1].length; i++) {
      var li = document.createElement("li");
      li.textContent = asked[1][i];
      list.appendChild(li);
    }
    dialog.querySelector("button[value=confirm]").textContent = asked[2];
    dialog.returnValue = "";
    extra.confirmed = "1";
    dialog.onclose = function () {
      if (dialog.returnValue !== "confirm") { return; }
      for (var name in extra) {
        var flag = document.createElement("input");
        flag.type = "hidden";
        flag.name = name;
        flag.value = extra[name];
        form.appendChild(flag);
      }
      form.submit();
    };
    dialog.showModal();
  });

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", focusFirstError); } else { focusFirstError(); }
})();
