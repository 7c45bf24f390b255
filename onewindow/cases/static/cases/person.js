/* The workbench's person block (cases/_person_lookup.html) and the ID-card reader hook.
 *
 * Public API (docs/id-card-reader.md):
 *   window.OneWindow.fillFromIdCard({name, idNumber, address, phone})  -> true when filled
 *   document.dispatchEvent(new CustomEvent("onewindow:idcard", {detail: {...same fields}}))
 * Both fill the applicant fields (a person), then look the ID number up as typing it would.
 */
(function () {
  "use strict";
  var IDS = { name: "id_a-name", idNumber: "id_a-id_number", phone: "id_a-phone", address: "id_a-address" };

  function field(key) {
    return document.getElementById(IDS[key]);
  }

  function put(key, value, overwrite) {
    var el = field(key);
    var v = value == null ? "" : String(value).trim();
    if (!el || !v || (!overwrite && el.value.trim())) return;
    el.value = v.slice(0, el.maxLength > 0 ? el.maxLength : v.length);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function fillKnown(block, overwrite) {
    put("name", block.getAttribute("data-person-name"), overwrite);
    put("phone", block.getAttribute("data-person-phone"), overwrite);
    put("address", block.getAttribute("data-person-address"), overwrite);
  }

  function fillFromIdCard(card) {
    var idField = field("idNumber");
    if (!idField || !card || typeof card !== "object") return false;
    var id = String(card.idNumber || "").replace(/\s/g, "").toUpperCase();
    if (!id) return false;
    var person = document.querySelector("input[name='a-kind'][value='person']");
    if (person) person.checked = true;
    idField.value = id;
    put("name", card.name, true); // the card is authoritative for the name
    put("address", card.address, false); // the card's address may be an old one: only into an empty field
    put("phone", card.phone, false);
    lookUp(idField);
    return true;
  }

  // The same look-up as typing it. A card read while the previous answer is still being swapped in
  // waits for it: the new block listens for the field's change only once htmx has settled it.
  function lookUp(idField, tries) {
    var block = document.getElementById("person-lookup");
    var busy = block && /\bhtmx-(swapping|settling|added|request)\b/.test(block.className);
    if (busy && (tries || 0) < 40) {
      setTimeout(function () { lookUp(idField, (tries || 0) + 1); }, 50);
      return;
    }
    idField.dispatchEvent(new Event("change", { bubbles: true }));
  }

  window.OneWindow = window.OneWindow || {};
  window.OneWindow.fillFromIdCard = fillFromIdCard;
  document.addEventListener("onewindow:idcard", function (e) {
    fillFromIdCard(e.detail);
  });

  document.addEventListener("htmx:load", function (e) {
    var el = e.detail && e.detail.elt;
    if (!el || !el.id) return;
    if (el.id === "person-lookup") {
      var known = el.querySelector(".person-known");
      if (known) fillKnown(known, false);
    } else if (el.id === "item-panel") {
      var idField = field("idNumber");
      if (idField && idField.value.trim()) document.body.dispatchEvent(new CustomEvent("ow-lookup"));
    }
  });

  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest ? e.target.closest(".person-fill") : null;
    if (!button) return;
    var known = button.closest(".person-known");
    if (known) fillKnown(known, true);
  });

  // the look-up answers 429 when used too often: show its message in place
  document.addEventListener("htmx:beforeSwap", function (e) {
    var t = e.detail.target;
    if (t && t.id === "person-lookup" && e.detail.xhr && e.detail.xhr.status === 429) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
