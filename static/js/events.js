// Small helpers of the organizer's event pages: confirmation prompts, "tick all", the invite form's
// mode switch and the bridge filter.
(function () {
  "use strict";

  document.addEventListener("submit", function (ev) {
    var button = ev.submitter;
    var message = (button && button.dataset.confirm) || ev.target.dataset.confirm;
    if (message && !window.confirm(message)) ev.preventDefault();
  });

  document.querySelectorAll("[data-check-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      var container = document.querySelector(button.dataset.checkAll);
      if (!container) return;
      var boxes = Array.prototype.filter.call(container.querySelectorAll("input[type=checkbox]"), function (box) {
        return box.offsetParent !== null;  // only the ones shown (a filter may hide some)
      });
      var allChecked = boxes.every(function (box) { return box.checked; });
      boxes.forEach(function (box) { box.checked = !allChecked; });
    });
  });

  document.querySelectorAll("[data-filter-list]").forEach(function (input) {
    var list = document.querySelector(input.dataset.filterList);
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      list.querySelectorAll("li[data-text]").forEach(function (li) {
        li.hidden = needle !== "" && li.dataset.text.indexOf(needle) === -1;
      });
    });
  });

  var modeInputs = document.querySelectorAll("input[name=mode]");
  function showMode() {
    var checked = document.querySelector("input[name=mode]:checked");
    var mode = checked ? checked.value : "all";
    document.querySelectorAll(".mode-part").forEach(function (part) {
      part.hidden = part.dataset.mode !== mode;
    });
  }
  modeInputs.forEach(function (input) { input.addEventListener("change", showMode); });
  if (modeInputs.length) showMode();
})();
