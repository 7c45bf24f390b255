// Window console: htmx swaps the panel also for 4xx answers (e.g. 404 「当前没有等候的号」), whose body
// is the panel with the Chinese message.
document.addEventListener("htmx:beforeSwap", function (evt) {
  var status = evt.detail.xhr.status;
  if (status >= 400 && status < 500 && evt.detail.target && evt.detail.target.id === "queue-panel") {
    evt.detail.shouldSwap = true;
    evt.detail.isError = false;
  }
});
