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
