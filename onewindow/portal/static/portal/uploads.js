/* The resident's upload forms (网上申请, 补正) on a phone — progressive enhancement, no library.
 *
 * - Photos are compressed before upload: a JPEG/PNG larger than MAX_PX on its long side (or heavier
 *   than MIN_BYTES) is redrawn on a canvas at most MAX_PX wide/high and sent as JPEG (quality 0.85);
 *   PDFs and anything else are sent untouched. The server's checks (type by content, size and pixel
 *   limits) stay the authority: a file this script cannot read is sent as it is.
 * - The chosen files are listed under each input with their size (before → after compression).
 * - "您还缺 N 项必需材料：…" is kept up to date; submitting the application with a required material
 *   missing asks for it (or for the box "材料暂时不全，仍然提交") before anything is uploaded.
 * - The form is sent with XMLHttpRequest and a progress bar; the answer (the next page, or the same
 *   form with its error and the files kept as "已选择") replaces the page.
 * Without JavaScript the plain form posts the same fields and works the same.
 */
(function () {
  "use strict";
  var MAX_PX = 2000;
  var QUALITY = 0.85;
  var MIN_BYTES = 500 * 1024;
  var prepared = new WeakMap();

  function fmt(n) {
    if (n >= 1024 * 1024) { return (n / 1024 / 1024).toFixed(1) + " MB"; }
    return Math.max(1, Math.round(n / 1024)) + " KB";
  }

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" });
    }
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  function compress(file) {
    var asIs = { blob: file, name: file.name, before: file.size };
    if (!/^image\/(jpeg|png)$/.test(file.type) || !window.HTMLCanvasElement) {
      return Promise.resolve(asIs);
    }
    return decode(file).then(function (img) {
      var w = img.width, h = img.height;
      var scale = Math.min(1, MAX_PX / Math.max(w, h));
      if (scale === 1 && file.size <= MIN_BYTES) { return asIs; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      if (img.close) { img.close(); }
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || (blob.size >= file.size && scale === 1)) { resolve(asIs); return; }
          var name = file.name.replace(/\.[^./\\]*$/, "") + ".jpg";
          resolve({ blob: blob, name: name, before: file.size });
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return asIs; });
  }

  function show(input, entries) {
    var box = input.closest("fieldset").querySelector(".picked");
    if (!box) { return; }
    box.textContent = "";
    if (!entries.length) { return; }
    var ul = document.createElement("ul");
    entries.forEach(function (e) {
      var li = document.createElement("li");
      var size = e.blob.size === e.before ? fmt(e.before) : fmt(e.before) + " → " + fmt(e.blob.size) + "（已压缩）";
      li.textContent = "已选择：" + e.name + "（" + size + "）";
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  function onPick(input) {
    var files = Array.prototype.slice.call(input.files || []);
    var job = Promise.all(files.map(compress));
    prepared.set(input, job);
    job.then(function (entries) { show(input, entries); });
  }

  function provided(fs) {
    var input = fs.querySelector("input[type=file]");
    if (input && input.files && input.files.length) { return true; }
    var reuse = fs.querySelector(".reuse input[type=checkbox]");
    if (reuse && reuse.checked) { return true; }
    return Array.prototype.some.call(fs.querySelectorAll("ul.chosen li"), function (li) {
      var drop = li.querySelector("input[name=drop]");
      return !(drop && drop.checked);
    });
  }

  function missingNames(form) {
    var apply = form.getAttribute("data-kind") === "apply";
    var sel = apply ? "fieldset.material[data-required]" : "fieldset.material";
    return Array.prototype.filter.call(form.querySelectorAll(sel), function (fs) {
      return !provided(fs);
    }).map(function (fs) { return fs.getAttribute("data-name"); });
  }

  function hint(form, strong) {
    var el = form.querySelector("#missing-hint");
    if (!el) { return []; }
    var names = missingNames(form);
    var apply = form.getAttribute("data-kind") === "apply";
    var text = "";
    if (names.length) {
      text = (apply ? "您还缺 " + names.length + " 项必需材料：" : "还有 " + names.length + " 项需补正的材料未选择：") + names.join("、");
    }
    el.textContent = "";
    if (text) {
      var s = document.createElement("strong");
      s.textContent = text;
      el.appendChild(s);
      if (strong) {
        el.appendChild(document.createTextNode("。请补齐，或勾选下方“材料暂时不全，仍然提交”。"));
      }
    }
    var box = document.getElementById("missing-box");
    if (box) { box.classList.toggle("has-error", Boolean(strong && text)); }
    return names;
  }

  function replacePage(xhr, postedTo) {
    var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var url = xhr.responseURL || postedTo;
    if (url && url !== postedTo && window.history && history.replaceState) {
      history.replaceState(null, "", url);
    }
    document.title = doc.title;
    document.body.replaceWith(doc.body);
    if (window.htmx && window.htmx.process) { window.htmx.process(document.body); }
    window.scrollTo(0, 0);
    init();
    var focus = document.getElementById("form-error") || document.querySelector("main h1");
    if (focus) {
      if (!focus.hasAttribute("tabindex")) { focus.setAttribute("tabindex", "-1"); }
      focus.focus();
    }
  }

  function send(form, data, button) {
    var bar = form.querySelector(".upload-progress");
    var progress = bar && bar.querySelector("progress");
    var label = bar && bar.querySelector(".upload-progress-text");
    var action = form.action || window.location.href;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", action);
    if (bar) { bar.hidden = false; }
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable || !progress) { return; }
      var pct = Math.round((e.loaded / e.total) * 100);
      progress.value = pct;
      label.textContent = "正在上传 " + pct + "%（" + fmt(e.loaded) + " / " + fmt(e.total) + "）";
    });
    xhr.upload.addEventListener("load", function () {
      if (label) { label.textContent = "上传完成，正在核对材料…"; }
    });
    xhr.addEventListener("load", function () {
      if (xhr.status >= 500 || !xhr.responseText) {
        fail(form, button, "服务器暂时无法处理（" + xhr.status + "），请稍后重试；已选择的文件仍在。");
        return;
      }
      replacePage(xhr, action);
    });
    xhr.addEventListener("error", function () {
      fail(form, button, "网络中断，上传没有完成，请检查网络后重新提交；已选择的文件仍在。");
    });
    xhr.send(data);
  }

  function fail(form, button, text) {
    var bar = form.querySelector(".upload-progress");
    if (bar) {
      bar.hidden = false;
      bar.querySelector(".upload-progress-text").textContent = text;
      bar.setAttribute("role", "alert");
    }
    if (button) { button.disabled = false; }
  }

  function onSubmit(form, ev) {
    if (!window.FormData || !window.XMLHttpRequest || !window.Promise || !window.DOMParser) { return; }
    var apply = form.getAttribute("data-kind") === "apply";
    var incomplete = form.querySelector("#id_incomplete");
    if (apply && missingNames(form).length && !(incomplete && incomplete.checked)) {
      ev.preventDefault();
      hint(form, true);
      var el = form.querySelector("#missing-hint");
      el.setAttribute("tabindex", "-1");
      el.focus();
      return;
    }
    ev.preventDefault();
    var button = ev.submitter || form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=file]"));
    var jobs = inputs.map(function (input) {
      if (!prepared.has(input)) { onPick(input); }
      return prepared.get(input);
    });
    Promise.all(jobs).then(function (all) {
      var data = new FormData(form);
      inputs.forEach(function (input, i) {
        data.delete(input.name);
        all[i].forEach(function (e) { data.append(input.name, e.blob, e.name); });
      });
      send(form, data, button);
    }).catch(function () {
      fail(form, button, "照片处理失败，请重新选择文件。");
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form.upload-form"), function (form) {
      if (form.getAttribute("data-ready")) { return; }
      form.setAttribute("data-ready", "1");
      form.addEventListener("change", function (e) {
        var t = e.target;
        if (t.type === "file") { onPick(t); }
        if (t.name === "drop") { t.closest("li").classList.toggle("dropped", t.checked); }
        hint(form, false);
      });
      form.addEventListener("submit", function (ev) { onSubmit(form, ev); });
      if (!form.querySelector("#missing-box.has-error")) { hint(form, false); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
