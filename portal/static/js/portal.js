// Small behaviours shared by every page. No inline scripts anywhere: the pages work under a strict CSP.
document.addEventListener("htmx:afterSwap", function (event) {
  // Focus the first field of a form that was just swapped in, so keyboard users can type at once.
  var field = event.detail.target.querySelector("[data-autofocus]");
  if (field) { field.focus(); }
});
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) { window.print(); }
});
document.addEventListener("htmx:configRequest", function (event) {
  // Requests htmx makes by itself (polling, marked data-background) are not the user's activity: they
  // must not keep an idle session alive.
  if (event.detail.elt && event.detail.elt.hasAttribute("data-background")) {
    event.detail.headers["X-Background-Request"] = "1";
  }
});
htmx.onLoad(function (content) {
  // Widths from data (progress bars) are set through the CSSOM: the CSP forbids style attributes.
  content.querySelectorAll("[data-width]").forEach(function (bar) {
    bar.style.width = Math.max(0, Math.min(100, parseFloat(bar.dataset.width) || 0)) + "%";
  });
});
