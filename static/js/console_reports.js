/* The console's school reports (templates/schoolreports/_console_reports.html).
 *
 * Drafts: what is typed is kept in localStorage at once and saved on the server (POST …/draft) a moment
 * later, so a reload, a lost connection or another device finds it. Submissions go through a queue kept
 * in localStorage, in the shape of the console's live queue (static/js/console_live.js):
 * {nonce, kind, payload, client_time}; an item leaves it only on a definitive answer (2xx, or a refusal),
 * and the server answers a repeated nonce with the first answer, so a resend keeps no second submission.
 * (The live section's queue exists only while the console has an event; reports are asked without one.)
 * A refusal shows each field's reason next to it, in the words the server chose.
 */
(function () {
  "use strict";
  var root = document.getElementById("schoolreports");
  if (!root) return;
  var urlsNode = document.getElementById("console-urls");
  var base = urlsNode ? JSON.parse(urlsNode.textContent).api.school_reports : "";
  var stringsNode = document.getElementById("school-report-strings");
  var S = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  var bridge = root.dataset.bridge;
  var QUEUE_KEY = "diemcau.console-queue.reports." + bridge;
  var DRAFT_KEY = "diemcau.report-draft." + bridge + ".";
  var LANGUAGE = document.documentElement.lang || "vi";
  var DRAFT_DELAY_MS = 1500, MAX_BACKOFF_MS = 30000;
  var state = { sending: false, backoff: 1000, retryTimer: null, memoryQueue: null, timers: {} };

  function fill(text, values) {
    return (text || "").replace(/%\((\w+)\)s/g, function (_m, key) { return values[key] === undefined ? "" : values[key]; });
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), h = "";
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    for (var i = 0; i < 16; i++) h += ("0" + b[i].toString(16)).slice(-2);
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function hhmm(date) { return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2); }
  function formOf(roundId) { return root.querySelector('form[data-round="' + roundId + '"]'); }

  // --- values --------------------------------------------------------------------------------------
  function valuesOf(form) {
    var values = {};
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (input) {
      if (input.hasAttribute("data-meta")) return;
      var name = input.name;
      if (input.hasAttribute("data-multi")) {
        if (!values[name]) values[name] = [];
        if (input.checked) values[name].push(input.value);
      } else if (input.type === "radio") {
        if (input.checked) values[name] = input.value;
        else if (!(name in values)) values[name] = "";
      } else {
        values[name] = input.value;
      }
    });
    return values;
  }
  function show(form, values) {
    Object.keys(values).forEach(function (name) {
      var value = values[name];
      form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
        if (input.hasAttribute("data-multi")) input.checked = (value || []).indexOf(input.value) >= 0;
        else if (input.type === "radio") input.checked = input.value === value;
        else input.value = value;
      });
    });
  }
  function number(text) {
    var n = parseInt(String(text || "").replace(/[.,\s]/g, ""), 10);
    return isNaN(n) ? 0 : n;
  }
  function totals(form) {
    form.querySelectorAll("table.report-grid").forEach(function (table) {
      var columns = [], grand = 0;
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var sum = 0;
        row.querySelectorAll("input").forEach(function (input, i) {
          var n = number(input.value);
          sum += n; columns[i] = (columns[i] || 0) + n;
        });
        grand += sum;
        row.querySelector("[data-row-total]").textContent = sum;
      });
      table.querySelectorAll("[data-column-total]").forEach(function (cell) {
        cell.textContent = columns[parseInt(cell.dataset.columnTotal, 10)] || 0;
      });
      table.querySelector("[data-grand-total]").textContent = grand;
    });
  }

  // --- drafts --------------------------------------------------------------------------------------
  function keepLocally(form) {
    var item = { values: valuesOf(form), typed_by: form.elements.typed_by.value, at: new Date().toISOString() };
    try { localStorage.setItem(DRAFT_KEY + form.dataset.round, JSON.stringify(item)); } catch (e) { /* full */ }
  }
  function localDraft(form) {
    try { return JSON.parse(localStorage.getItem(DRAFT_KEY + form.dataset.round) || "null"); } catch (e) { return null; }
  }
  function dropLocal(roundId) { try { localStorage.removeItem(DRAFT_KEY + roundId); } catch (e) { /* ignore */ } }
  function say(form, text) { var node = form.querySelector("[data-draft-state]"); if (node) node.textContent = text || ""; }
  function saveDraft(form) {
    var local = localDraft(form);
    if (!local) return Promise.resolve();
    return fetch(base + "/" + form.dataset.round + "/draft", {
      method: "POST", credentials: "omit", cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": LANGUAGE },
      body: JSON.stringify({ values: local.values })
    }).then(function (response) {
      if (response.ok) { say(form, fill(S.draftSaved, { time: hhmm(new Date()) })); form.dataset.synced = local.at; }
      else say(form, S.draftLocal);
    }).catch(function () { say(form, S.draftLocal); });
  }
  function typed(form) {
    keepLocally(form);
    totals(form);
    clearTimeout(state.timers[form.dataset.round]);
    state.timers[form.dataset.round] = setTimeout(function () { saveDraft(form); }, DRAFT_DELAY_MS);
  }

  // --- the queue of submissions --------------------------------------------------------------------
  function loadQueue() {
    if (state.memoryQueue) return state.memoryQueue.slice();
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(queue) {
    try { localStorage.setItem(QUEUE_KEY, JSON.stringify(queue)); state.memoryQueue = null; }
    catch (e) { state.memoryQueue = queue.slice(); }
    var node = root.querySelector("[data-report-queue]");
    if (node) { node.textContent = fill(S.waiting, { count: queue.length }); node.classList.toggle("hidden", !queue.length); }
  }
  function enqueue(payload) {
    // One waiting submission per round: a newer one replaces it (same nonce, so a lost answer is not doubled).
    var queue = loadQueue(), found = false;
    queue.forEach(function (item) { if (item.payload.round === payload.round) { item.payload = payload; found = true; } });
    if (!found) queue.push({ nonce: uuid(), kind: "report", payload: payload, client_time: new Date().toISOString() });
    saveQueue(queue);
    flush();
  }
  function scheduleRetry() {
    if (state.retryTimer) return;
    state.retryTimer = setTimeout(function () { state.retryTimer = null; flush(); }, state.backoff);
    state.backoff = Math.min(state.backoff * 2, MAX_BACKOFF_MS);
  }
  function flush() {
    if (state.sending) return;
    var queue = loadQueue();
    if (!queue.length) return;
    var item = queue[0];
    state.sending = true;
    fetch(base + "/" + item.payload.round + "/submit", {
      method: "POST", credentials: "omit", cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": LANGUAGE },
      body: JSON.stringify({ values: item.payload.values, typed_by: item.payload.typed_by, nonce: item.nonce })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        state.sending = false;
        if (!response.status || response.status >= 500 || response.status === 429) { scheduleRetry(); return; }
        saveQueue(loadQueue().filter(function (other) { return other.nonce !== item.nonce; }));
        state.backoff = 1000;
        answered(item, response, body);
        flush();
      });
    }, function () {
      state.sending = false;
      var form = formOf(item.payload.round);
      if (form) generalError(form, S.sendFailed);
      scheduleRetry();
    });
  }
  function answered(item, response, body) {
    var form = formOf(item.payload.round);
    if (response.ok) {
      dropLocal(item.payload.round);
      try { sessionStorage.setItem("diemcau.console-flash", JSON.stringify({ text: body.message || "" })); } catch (e) {}
      var url = new URL(location.href);
      url.hash = "schoolreports";
      history.replaceState(null, "", url.toString());
      location.reload();
      return;
    }
    if (form) showRefusal(form, body);
  }

  // --- refusals ------------------------------------------------------------------------------------
  function generalError(form, text) {
    var node = form.querySelector("[data-form-error]");
    node.textContent = text || "";
    node.classList.toggle("hidden", !text);
  }
  function clearErrors(form) {
    form.querySelectorAll("[data-field-error]").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    generalError(form, "");
  }
  function reasons(place, name, texts) {
    var list = document.createElement("ul");
    list.className = "errorlist";
    list.dataset.fieldError = name;
    texts.forEach(function (reason) { var li = document.createElement("li"); li.textContent = reason; list.appendChild(li); });
    place.appendChild(list);
  }
  function showRefusal(form, body) {
    clearErrors(form);
    say(form, "");
    var fields = body.fields || {}, rest = [];
    Object.keys(fields).forEach(function (name) {
      var place = name ? form.querySelector('[data-field="' + name + '"]') : null;
      if (!place) { rest = rest.concat(fields[name]); return; }
      var isGrid = !!place.querySelector("table.report-grid");
      if (!isGrid) place.querySelectorAll("input, select, textarea").forEach(function (input) { input.setAttribute("aria-invalid", "true"); });
      if (place.tagName === "TD") {
        // A grid cell: the cell is marked, its reason listed under the grid (a cell is too narrow for it).
        place.querySelector("input").title = fields[name].join(" ");
        var grid = place.closest(".report-field");
        if (grid) reasons(grid, name, fields[name]);
        return;
      }
      if (isGrid) {
        // The whole grid: mark its empty cells, where the school has to type.
        place.querySelectorAll("table.report-grid input").forEach(function (input) {
          if (input.value.trim() === "") input.setAttribute("aria-invalid", "true");
        });
      }
      reasons(place, name, fields[name]);
    });
    generalError(form, [S.refused].concat(rest.length ? rest : (Object.keys(fields).length ? [] : [body.detail || ""])).join(" "));
    var first = form.querySelector("[aria-invalid]");
    if (first) first.focus();
  }

  // --- wiring --------------------------------------------------------------------------------------
  root.querySelectorAll("form[data-report-form]").forEach(function (form) {
    var local = localDraft(form), server = form.dataset.draftSaved;
    // Typed on this device after the server's draft (e.g. offline): that is what the school last saw.
    if (local && (!server || local.at > server)) {
      show(form, local.values);
      if (local.typed_by) form.elements.typed_by.value = local.typed_by;
      say(form, S.draftLocal);
      saveDraft(form);
    }
    totals(form);
    form.addEventListener("input", function () { typed(form); });
    form.addEventListener("change", function () { typed(form); });
    form.querySelector("[data-save-draft]").addEventListener("click", function () { keepLocally(form); saveDraft(form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      keepLocally(form);
      generalError(form, "");
      say(form, S.sending);
      enqueue({ round: parseInt(form.dataset.round, 10), values: valuesOf(form), typed_by: form.elements.typed_by.value });
    });
  });
  saveQueue(loadQueue());
  window.addEventListener("online", function () { state.backoff = 1000; flush(); });
  flush();
})();
