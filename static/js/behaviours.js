// Small page behaviours that used to be inline handlers (onclick="...", <script>...</script>): the
// Content-Security-Policy runs scripts from our origin only, so they live here, keyed by data attributes.
//   data-select-on-click       a read-only field whose whole text is selected when clicked (links to copy)
//   data-submit-on-change      a select that submits its form when changed
//   data-reload-when-done      the page reloads when its job finishes (core/_progress.html's job:finished)
//   data-width="12.5"          a bar drawn that many percent wide (style attributes are not allowed either)
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var field = event.target.closest && event.target.closest("[data-select-on-click]");
    if (field) field.select();
  });

  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("[data-submit-on-change]");
    if (select && select.form) select.form.submit();
  });

  document.addEventListener("job:finished", function () {
    if (document.querySelector("[data-reload-when-done]")) window.location.reload();
  });

  function drawBars(root) {
    root.querySelectorAll("[data-width]").forEach(function (bar) {
      var width = parseFloat(bar.dataset.width);
      bar.style.width = (isFinite(width) ? Math.max(0, Math.min(100, width)) : 0) + "%";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawBars(document); });
  } else {
    drawBars(document);
  }
})();
