/* The console's school reports (templates/schoolreports/_console_reports.html).
 *
 * Drafts: what is typed is kept in localStorage at once and saved on the server (POST …/draft) a moment
 * later, so a reload, a lost connection or another device finds it. Submissions go through the console's
 * one offline queue (static/js/offline_queue.js, shared with the live section, static/js/console_live.js),
 * as items of kind "school_report"; an item leaves it only on a definitive answer (2xx, or a refusal),
 * and the server answers a repeated nonce with the first answer, so a resend keeps no second submission.
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
  var queue = window.diemcauQueue.get(bridge);
  var KIND = "school_report";
  var DRAFT_KEY = "diemcau.report-draft." + bridge + ".";
  var LANGUAGE = document.documentElement.lang || "vi";
  var DRAFT_DELAY_MS = 1500;
  var state = { timers: {} };

  function fill(text, values) {
    return (text || "").replace(/%\((\w+)\)s/g, function (_m, key) { return values[key] === undefined ? "" : values[key]; });
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

  // --- the queue of submissions (offline_queue.js) ----------------------------------------------------
  function showQueue(items) {
    var waiting = items.filter(function (item) { return item.kind === KIND; }).length;
    var node = root.querySelector("[data-report-queue]");
    if (node) { node.textContent = fill(S.waiting, { count: waiting }); node.classList.toggle("hidden", !waiting); }
  }
  function enqueue(payload) {
    // One waiting submission per round: a newer one replaces it (same nonce, so a lost answer is not doubled).
    queue.add(KIND, payload, { replace: function (item) { return item.payload.round === payload.round; } });
  }
  queue.onChange(showQueue);
  // Submissions queued before the console had one queue (their own key): moved into it, none lost.
  try {
    var OLD_KEY = "diemcau.console-queue.reports." + bridge;
    var old = JSON.parse(localStorage.getItem(OLD_KEY) || "[]");
    if (old.length) {
      queue.save(queue.items().concat(old.map(function (item) { item.kind = KIND; return item; })));
      localStorage.removeItem(OLD_KEY);
    }
  } catch (e) { /* storage forbidden: nothing was kept there */ }
  queue.handle(KIND, {
    send: function (item) {
      return fetch(base + "/" + item.payload.round + "/submit", {
        method: "POST", credentials: "omit", cache: "no-store",
        headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": LANGUAGE },
        body: JSON.stringify({ values: item.payload.values, typed_by: item.payload.typed_by, nonce: item.nonce })
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { status: response.status, ok: response.ok, body: body };
        });
      });
    },
    failed: function (item) {
      var form = formOf(item.payload.round);
      if (form) generalError(form, S.sendFailed);
    },
    answered: function (item, answer) { answered(item, answer, answer.body); }
  });
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
    form.querySelectorAll("input[data-file-for]").forEach(function (picker) {
      picker.addEventListener("change", function (event) {
        event.stopPropagation();
        if (!picker.files.length) return;
        var key = picker.dataset.fileFor, body = new FormData(), nameNode = form.querySelector('[data-file-name="' + key + '"]');
        body.append("file", picker.files[0]);
        say(form, S.uploading);
        fetch(base + "/" + form.dataset.round + "/files/" + encodeURIComponent(key), {
          method: "POST", body: body, credentials: "same-origin"
        }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            if (response.ok) {
              form.elements[key].value = String(data.id);
              if (nameNode) nameNode.textContent = data.name;
              say(form, data.message);
              typed(form);
            } else {
              showRefusal(form, data);
            }
          });
        }, function () { say(form, S.uploadFailed); });
      });
    });
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
  showQueue(queue.items());
  queue.flush();
})();
