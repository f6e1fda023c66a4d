/* A round's page (templates/schoolreports/round.html) keeps its figures and district totals current: it
 * re-reads the round's rollup from the API (/api/school-reports/rounds/<id>, the viewer's scope) every
 * 20 seconds while the page is visible. Polling, not push: answers arrive over days, not seconds.
 */
(function () {
  "use strict";
  var root = document.getElementById("round-figures");
  if (!root || !root.dataset.api) return;
  var EVERY_MS = 20000;
  var num = window.DiemcauNumbers.num;  // static/js/numbers.js: the counts as the server writes them (1.234)

  function cell(tag, text, className) {
    var node = document.createElement(tag);
    node.textContent = text === null || text === undefined ? "" : String(text);
    if (className) node.className = className;
    return node;
  }
  function row(tag, totals) {
    var tr = document.createElement("tr");
    [totals.name, num(totals.submitted) + "/" + num(totals.expected), num(totals.missing), num(totals.late)].forEach(function (v) {
      tr.appendChild(cell(tag, v));
    });
    totals.numbers.forEach(function (n) { tr.appendChild(cell(tag, n, "num")); });
    return tr;
  }
  function show(data) {
    var figures = { submitted: data.total.submitted, missing: data.total.missing, late: data.total.late,
                    drafts: data.total.drafts };
    Object.keys(figures).forEach(function (key) {
      var node = root.querySelector('[data-figure="' + key + '"]');
      if (node) node.textContent = num(figures[key]);
    });
    var table = document.getElementById("district-totals");
    if (!table) return;
    var body = table.querySelector("tbody"), foot = table.querySelector("tfoot");
    body.replaceChildren.apply(body, data.districts.map(function (d) { return row("td", d); }));
    foot.replaceChildren(row("th", data.total));
  }
  function refresh() {
    if (document.hidden) return;
    fetch(root.dataset.api, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) show(data); })
      .catch(function () { /* offline: the page keeps what it shows */ });
  }
  setInterval(refresh, EVERY_MS);
  document.addEventListener("visibilitychange", refresh);
})();
